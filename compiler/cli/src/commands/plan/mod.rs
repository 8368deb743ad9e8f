//! `sinfrac plan`: what a build would change, per stack, without writing anything —
//! the new output is built in memory and compared, object by object, with the
//! previous one (the project's output directory, or `--against DIR`).

mod render;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;
use miette::Result;
use sinfra_compiler::emit;
use sinfra_compiler::platform::platform_info;

use super::build::{MARKER, in_selection, previous_output, resolve_stacks, selection_prefixes};
use super::{rejected, report};
use crate::Format;
use crate::loader::load;
use crate::output::diff::{self, FieldChange};
use crate::output::objects::Object;
use crate::output::protect::{self, Removal};
use crate::output::{self, Judged, git};

/// Exit code when the plan changes something.
pub const CHANGES: u8 = 3;

/// How the plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For a terminal: a verdict per stack, then each change.
    Human,
    /// A pull-request comment: a summary table, a collapsible section per stack.
    Markdown,
    /// One JSON document for bots (`docs/plan.md` describes it).
    Json,
}

/// What `plan` is asked.
pub struct PlanArgs<'a> {
    /// The previous output (default: the project's output directory).
    pub against: Option<&'a Path>,
    /// Or the output committed at this git revision.
    pub against_rev: Option<&'a str>,
    /// The stacks to plan (all when empty).
    pub stacks: &'a [String],
    /// `--allow-delete` arguments.
    pub allow_delete: &'a [String],
    /// The output format.
    pub format: PlanFormat,
}

/// The plan of one stack.
pub struct StackPlan {
    /// Its identifier (`prod_us`).
    pub name: String,
    /// Its directory (`prod-us`).
    pub dir: String,
    /// Its tier, when known.
    pub tier: Option<String>,
    /// Its tier is protected.
    pub protected: bool,
    /// Objects only the new output has.
    pub added: Vec<Object>,
    /// Objects whose document changed: the new object and its changed fields.
    pub changed: Vec<(Object, Vec<FieldChange>)>,
    /// Objects only the previous output has, judged.
    pub removed: Vec<Removal>,
    /// Objects now in another file: (previous file, the new object).
    pub moved: Vec<(String, Object)>,
}

impl StackPlan {
    /// `untouched`, or the counts: `1 added, 2 changed, 1 removed (1 refused)`.
    pub fn verdict(&self) -> String {
        let mut parts = Vec::new();
        let renamed = self.removed.iter().filter(|r| r.renamed_to.is_some()).count();
        for (n, what) in [
            (self.added.len(), "added"),
            (self.changed.len(), "changed"),
            (self.removed.len() - renamed, "removed"),
            (renamed, "renamed"),
            (self.moved.len(), "moved"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        if parts.is_empty() {
            return "untouched".to_string();
        }
        let refused = self.refused();
        let mut s = parts.join(", ");
        if refused > 0 {
            s.push_str(&format!(" ({refused} refused)"));
        }
        s
    }

    /// The protected deletions nobody allowed.
    pub fn refused(&self) -> usize {
        self.removed.iter().filter(|r| r.refused()).count()
    }

    fn untouched(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty() && self.moved.is_empty()
    }
}

/// The whole plan.
pub struct Plan {
    /// What was compared against, as the user named it (relative to the project root by default).
    pub against: String,
    /// Files of the previous output edited by hand (their body no longer has the
    /// hash their header records): the build overwrites the edits.
    pub hand_edited: Vec<String>,
    /// Every stack of the selection (and stacks that only the previous output has),
    /// protected tiers first, then in declaration order.
    pub stacks: Vec<StackPlan>,
}

impl Plan {
    /// Nothing to build: every stack untouched and no file edited by hand.
    pub fn unchanged(&self) -> bool {
        self.hand_edited.is_empty() && self.stacks.iter().all(StackPlan::untouched)
    }
}

/// Runs the plan.
pub fn run(path: &Path, args: &PlanArgs<'_>) -> Result<ExitCode> {
    let cli_allows = args.allow_delete.iter().map(|a| protect::cli_allow(a)).collect::<Result<Vec<_>>>()?;
    let loaded = load(path)?;
    if let Some(code) = rejected(&loaded, Format::Human) {
        return Ok(code);
    }
    let db = &loaded.db;
    let info = platform_info(db, loaded.project);
    let selected = resolve_stacks(info, args.stacks)?;
    let (previous, against) = match (args.against, args.against_rev) {
        (_, Some(rev)) => {
            (git::tree_at(&loaded.root, rev, &info.manifest.out, MARKER)?, format!("{}@{rev}", info.manifest.out))
        }
        (Some(dir), None) => (previous_output(dir)?, dir.display().to_string()),
        (None, None) => (previous_output(&loaded.root.join(&info.manifest.out))?, info.manifest.out.clone()),
    };
    let built = emit::build_project(db, loaded.project, &selected);
    if report(&loaded, &built.diags, Format::Human) {
        eprintln!("no plan: fix the errors above");
        return Ok(ExitCode::from(1));
    }
    let files = built.files;
    let selection = selection_prefixes(info, &selected, files.iter().map(|f| f.path.as_str()));
    let scope = output::Scope { stacks: &selected, prefixes: selection.as_deref(), added: true };
    let judged = output::judge(db, loaded.project, info, (&previous, &files), scope, cli_allows)?;
    let hand_edited = previous
        .iter()
        .filter(|(p, b)| {
            in_selection(p, selection.as_deref()) && emit::hand_edited(&String::from_utf8_lossy(b)) == Some(true)
        })
        .map(|(p, _)| p.clone())
        .collect();
    let mut stacks = per_stack(info, &selected, judged);
    name_sources(&loaded, &mut stacks);
    let plan = Plan { against, hand_edited, stacks };
    let text = match args.format {
        PlanFormat::Human => render::human(&plan),
        PlanFormat::Markdown => render::markdown(&plan),
        PlanFormat::Json => render::json(&plan),
    };
    out!("{text}");
    let refused: Vec<&Removal> = plan.stacks.iter().flat_map(|s| s.removed.iter().filter(|r| r.refused())).collect();
    if !refused.is_empty() {
        eprint!("{}", protect::refusal(&refused, ""));
        return Ok(ExitCode::from(protect::REFUSED));
    }
    Ok(if plan.unchanged() { ExitCode::SUCCESS } else { ExitCode::from(CHANGES) })
}

/// Names the source line of each changed field's new value (provenance: the
/// user's line, not the stdlib template that copied it), evaluating only the
/// files that changed.
fn name_sources(loaded: &crate::loader::Loaded, stacks: &mut [StackPlan]) {
    use sinfra_compiler::emit::provenance::file_sources;
    let mut by_file = BTreeMap::new();
    for (object, changes) in stacks.iter_mut().flat_map(|s| s.changed.iter_mut()) {
        let sources = by_file
            .entry(object.file.clone())
            .or_insert_with(|| file_sources(&loaded.db, loaded.project, &object.file));
        let Some(sources) = sources else { continue };
        let wanted = format!("{}/{}", object.key.kind, object.key.name);
        let Some(doc) = sources.documents.iter().find(|d| d.object == wanted) else { continue };
        for change in changes.iter_mut() {
            let under = |p: &str| {
                p == change.path
                    || p.strip_prefix(change.path.as_str()).is_some_and(|r| r.starts_with('.') || r.starts_with('['))
            };
            let Some(origin) = doc.fields.iter().find(|f| under(&f.path)).and_then(|f| f.origin.as_ref()) else {
                continue;
            };
            let line = loaded
                .sources
                .get(&origin.path)
                .map(|text| sinfra_syntax::LineIndex::new(text).line_col_1(text, origin.span.start).0);
            change.source = Some(match line {
                Some(line) => format!("{}:{line}", origin.path),
                None => origin.path.clone(),
            });
        }
    }
}

/// Groups the comparison by stack directory.
fn per_stack(
    info: &sinfra_compiler::platform::PlatformInfo,
    selected: &[sinfra_compiler::items::ItemId],
    judged: Judged,
) -> Vec<StackPlan> {
    let mut stacks: BTreeMap<String, StackPlan> = BTreeMap::new();
    let mut order: Vec<(bool, usize, String)> = Vec::new();
    for (i, s) in info.stacks.iter().enumerate() {
        if !selected.is_empty() && !selected.contains(&s.item) {
            continue;
        }
        let tier = &info.tiers[s.tier];
        order.push((!tier.protected, i, s.dns.clone()));
        stacks.insert(s.dns.clone(), empty(s.name.clone(), s.dns.clone(), Some(tier.name.clone()), tier.protected));
    }
    for (key, new) in &judged.new {
        ensure(&mut stacks, &mut order, new);
        let plan = stacks.get_mut(&key.stack_dir).expect("ensured");
        match judged.old.get(key) {
            None => plan.added.push(new.clone()),
            Some(old) => {
                let changes = diff::fields(&old.doc, &new.doc);
                if !changes.is_empty() {
                    plan.changed.push((new.clone(), changes));
                }
                if old.file != new.file {
                    plan.moved.push((old.file.clone(), new.clone()));
                }
            }
        }
    }
    for removal in judged.removals {
        ensure(&mut stacks, &mut order, &removal.object);
        stacks.get_mut(&removal.object.key.stack_dir).expect("ensured").removed.push(removal);
    }
    // A recorded rename's new object is the old one renamed, not an addition.
    for plan in stacks.values_mut() {
        let targets: Vec<String> = plan.removed.iter().filter_map(|r| r.renamed_to.clone()).collect();
        plan.added.retain(|o| !targets.contains(&o.id()));
    }
    order.sort();
    order.into_iter().filter_map(|(_, _, dir)| stacks.remove(&dir)).collect()
}

fn ensure(stacks: &mut BTreeMap<String, StackPlan>, order: &mut Vec<(bool, usize, String)>, o: &Object) {
    if stacks.contains_key(&o.key.stack_dir) {
        return;
    }
    // A stack that only the previous output has: what its headers said.
    let protected = o.header.protected && o.header.item.is_none();
    order.push((!protected, usize::MAX, o.key.stack_dir.clone()));
    stacks.insert(
        o.key.stack_dir.clone(),
        empty(o.stack.clone(), o.key.stack_dir.clone(), o.header.tier.clone(), protected),
    );
}

fn empty(name: String, dir: String, tier: Option<String>, protected: bool) -> StackPlan {
    StackPlan { name, dir, tier, protected, added: vec![], changed: vec![], removed: vec![], moved: vec![] }
}
