//! `sinfrac eval`: the values the compiler computes, per stack.

use std::path::Path;
use std::process::ExitCode;

use indexmap::IndexMap;
use miette::{Result, miette};
use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::emit::yaml::{Node, to_display_node, to_yaml};
use sinfra_compiler::eval::value::V;
use sinfra_compiler::eval::{instance_value, let_value};
use sinfra_compiler::index::project_index;
use sinfra_compiler::items::ItemTag;
use sinfra_compiler::platform::{placement, platform_info};

use super::{rejected, report};
use crate::loader::load;
use crate::{EvalFormat, Format};

/// Prints the value of `item` (or every instance) in `stack`.
pub fn run(path: &Path, item: Option<&str>, stack: Option<&str>, format: EvalFormat) -> Result<ExitCode> {
    // `sinfrac eval api` named the item before the project became the positional argument.
    if !path.exists() && item.is_none() && path.to_str().is_some_and(is_identifier) {
        return Err(miette!(
            help = format!("to show the item, write `sinfrac eval --item {}`", path.display()),
            "`{}` is not a path: the positional argument of `eval` is a path inside the project, as for `check`",
            path.display()
        ));
    }
    let loaded = load(path)?;
    if let Some(code) = rejected(&loaded, Format::Human) {
        return Ok(code);
    }
    let db = &loaded.db;
    let project = loaded.project;
    let diags = project_diagnostics(db, project);
    if diags.iter().any(|d| d.is_error()) {
        report(&loaded, diags, Format::Human);
        return Ok(ExitCode::from(1));
    }
    let info = platform_info(db, project);
    let index = project_index(db, project);
    let stack_index = match stack {
        Some(name) => Some(info.stacks.iter().position(|s| s.name == name || s.dns == name).ok_or_else(|| {
            let known: Vec<&str> = info.stacks.iter().map(|s| s.name.as_str()).collect();
            miette!(help = format!("the stacks are: {}", known.join(", ")), "unknown stack `{name}`")
        })?),
        None if info.stacks.len() == 1 => Some(0),
        None => None,
    };
    let items: Vec<_> = match item {
        Some(name) => vec![index.global(name).ok_or_else(|| miette!("no item named `{name}`"))?],
        None => index
            .globals
            .values()
            .copied()
            .filter(|i| matches!(i.tag(db), ItemTag::Service | ItemTag::Resource))
            .collect(),
    };
    let names = |v: &V| -> Option<String> {
        Some(match v {
            V::Tier(t) => info.tiers[*t].name.clone(),
            V::Region(r) => info.regions[*r].name.clone(),
            V::Stack(s) => info.stacks[*s].name.clone(),
            V::Func(f) => format!("<fn {}>", f.name(db)),
            V::Builtin(b) => format!("<builtin {b}>"),
            V::Module(m) => format!("<module {m}>"),
            _ => return None,
        })
    };
    let mut doc: IndexMap<String, Node> = IndexMap::new();
    for it in items {
        let shared = placement(db, project, it).stacks.is_none();
        let value = match it.tag(db) {
            ItemTag::Let => {
                let s = stack_index.map(|s| info.stacks[s].item);
                let_value(db, project, it, s).value.clone()
            }
            ItemTag::Service | ItemTag::Resource => {
                let s = if shared {
                    None
                } else {
                    let Some(s) = stack_index else {
                        return Err(miette!(
                            help = "pass `--stack NAME`",
                            "`{}` has a value per stack: which stack?",
                            it.name(db)
                        ));
                    };
                    if !placement(db, project, it).stacks.as_ref().is_some_and(|p| p.contains(&s)) {
                        if item.is_some() {
                            return Err(miette!(
                                "`{}` is not deployed to stack `{}`",
                                it.name(db),
                                info.stacks[s].name
                            ));
                        }
                        continue;
                    }
                    Some(info.stacks[s].item)
                };
                instance_value(db, project, it, s).value.clone()
            }
            other => {
                return Err(miette!(
                    "`{}` is a {}: only services, resources and `let`s have values",
                    it.name(db),
                    other.describe()
                ));
            }
        };
        doc.insert(it.name(db).clone(), to_display_node(&value, &names));
    }
    let node = Node::Map(doc);
    match format {
        EvalFormat::Yaml => {
            let header = match stack_index {
                Some(s) => format!("values in stack {}", info.stacks[s].name),
                None => "values".to_string(),
            };
            out!("{}", to_yaml(&header, &[node]));
        }
        EvalFormat::Json => outln!("{}", serde_json::to_string_pretty(&node).map_err(|e| miette!("{e}"))?),
    }
    Ok(ExitCode::SUCCESS)
}

fn is_identifier(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
