//! `sinfrac explain-output FILE [FIELD]`: where each field of a generated
//! file comes from — the source line that computed it (the user's, not the
//! stdlib template that copied it) and the resources and secrets it is
//! derived from.

use std::path::Path;
use std::process::ExitCode;

use miette::{Result, miette};
use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::emit::provenance::{DocumentSources, FieldSource, file_sources};
use sinfra_compiler::platform::platform_info;

use super::{rejected, report};
use crate::loader::load;
use crate::{EvalFormat, Format};

/// Prints the sources of the fields of `file` (those under `field` when given).
pub fn run(path: &Path, file: &str, field: Option<&str>, format: EvalFormat) -> Result<ExitCode> {
    let loaded = load(path)?;
    if let Some(code) = rejected(&loaded, Format::Human) {
        return Ok(code);
    }
    let (db, project) = (&loaded.db, loaded.project);
    let diags = project_diagnostics(db, project);
    if diags.iter().any(|d| d.is_error()) {
        report(&loaded, diags, Format::Human);
        return Ok(ExitCode::from(1));
    }
    let info = platform_info(db, project);
    // `deploy/prod-us/api.yaml` (with the output directory) or `prod-us/api.yaml`.
    let out_dir = format!("{}/", info.manifest.out.trim_end_matches('/'));
    let relative = file.trim_start_matches("./");
    let relative = relative.strip_prefix(out_dir.as_str()).unwrap_or(relative);
    let Some(sources) = file_sources(db, project, relative) else {
        return Err(miette!(
            help = "name a file `sinfrac build` writes: `<stack>/<service>.yaml` (e.g. `prod-us/api.yaml`) or the Argo CD Application `argocd/<stack>.yaml`",
            "no item of the project writes `{file}`"
        ));
    };
    let documents: Vec<(&DocumentSources, Vec<&FieldSource>)> =
        sources.documents.iter().map(|d| (d, selected(d, field))).filter(|(_, f)| !f.is_empty()).collect();
    if documents.is_empty() {
        let field = field.unwrap_or_default();
        return Err(miette!(
            help = "a field is a YAML path such as `spec.replicas` or `metadata.labels[\"app.kubernetes.io/name\"]`, optionally after the document's kind (`Deployment.spec.replicas`)",
            "`{relative}` has no field `{field}`"
        ));
    }
    // `path:line:col` of a field's source, and the source line.
    let shown_origin = |f: &FieldSource| match f.origin.as_ref().and_then(|o| Some((o, loaded.sources.get(&o.path)?))) {
        Some((o, text)) => {
            let (line, col) = sinfra_syntax::LineIndex::new(text).line_col_1(text, o.span.start);
            let code = text.lines().nth(line.saturating_sub(1) as usize).unwrap_or_default().trim();
            (format!("{}:{line}:{col}", o.path), code.to_string())
        }
        None => ("(unknown)".to_string(), String::new()),
    };
    match format {
        EvalFormat::Json => {
            let docs: Vec<serde_json::Value> = documents
                .iter()
                .map(|(d, fields)| {
                    let fields: Vec<serde_json::Value> = fields
                        .iter()
                        .map(|f| {
                            let (at, code) = shown_origin(f);
                            serde_json::json!({
                                "path": f.path, "value": f.value, "source": at, "code": code,
                                "from_stdlib": f.origin.as_ref().is_some_and(|o| o.path.starts_with("std/")),
                                "derived_from": f.derived_from,
                            })
                        })
                        .collect();
                    serde_json::json!({ "object": d.object, "fields": fields })
                })
                .collect();
            let doc = serde_json::json!({ "file": relative, "stack": sources.stack, "item": sources.item, "documents": docs });
            outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        EvalFormat::Yaml => {
            outln!("{relative}: written by `{}` in stack `{}`", sources.item, sources.stack);
            for (d, fields) in documents {
                outln!("\n{}", d.object);
                for f in fields {
                    let (at, code) = shown_origin(f);
                    let stdlib = if at.starts_with("std/") { " (standard library)" } else { "" };
                    outln!("  {} = {}", f.path, f.value);
                    outln!("    from {at}{stdlib}: {code}");
                    if !f.derived_from.is_empty() {
                        outln!("    derived from {}", f.derived_from.join(", "));
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The fields of `doc` under `field` (all when `None`); a leading `Kind.` selects documents of that kind.
fn selected<'d>(doc: &'d DocumentSources, field: Option<&str>) -> Vec<&'d FieldSource> {
    let Some(field) = field else { return doc.fields.iter().collect() };
    let kind = doc.object.split('/').next().unwrap_or_default();
    let field = match field.split_once('.') {
        Some((k, rest)) if k.eq_ignore_ascii_case(kind) => rest,
        _ if field.eq_ignore_ascii_case(kind) => return doc.fields.iter().collect(),
        _ => field,
    };
    let under = |p: &str| p == field || p.strip_prefix(field).is_some_and(|r| r.starts_with('.') || r.starts_with('['));
    doc.fields.iter().filter(|f| under(&f.path)).collect()
}
