//! `check`: every diagnostic of the project, from parsing to the tier rules.

pub mod addresses;
pub mod anchor;
mod declarations;
pub mod infer;
mod item;
pub mod matches;
pub(crate) mod paths;
mod references;
pub mod rules;
mod signatures;
pub mod types;
mod values;

use std::sync::Arc;

use sinfra_syntax::lexer::LexErrorKind;
use sinfra_syntax::{SyntaxError, SyntaxErrorKind};

pub use item::check_item;
pub use references::item_references;
pub use rules::{MANIFESTS, instance_output_rules, instance_rules, platform_rules};

use crate::db::{Db, Project, SourceFile};
use crate::diagnostics::{Code, Diagnostic, Location, merge_root_causes, normalize};
use crate::eval::{instance_value, let_value, platform_value, policy_diagnostics, versions};
use crate::index::project_index;
use crate::items::{ItemTag, file_items, parse};
use crate::loc::{Loc, resolve_all};
use crate::platform::{placement, platform_info};

/// The syntax errors of a file, as diagnostics.
#[salsa::tracked(returns(ref))]
pub fn syntax_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<Vec<Diagnostic>> {
    let path = file.path(db);
    Arc::new(parse(db, file).errors.iter().map(|e| syntax_diagnostic(path, e)).collect())
}

fn syntax_diagnostic(path: &str, e: &SyntaxError) -> Diagnostic {
    let at = Location { path: path.to_string(), span: e.span };
    match &e.kind {
        SyntaxErrorKind::Unexpected { found, expected } => {
            let found_text = found.clone().unwrap_or_else(|| "end of file".to_string());
            let mut d = Diagnostic::new(
                Code::SyntaxError,
                format!("syntax error: unexpected {found_text}"),
                at,
                format!("unexpected {found_text}"),
            );
            if !expected.is_empty() {
                let shown: Vec<&str> = expected.iter().map(String::as_str).take(8).collect();
                d = d.with_note(format!("expected {}", shown.join(", ")));
            }
            d
        }
        SyntaxErrorKind::Lex(LexErrorKind::InvalidCharacter(c)) => {
            let d = Diagnostic::new(
                Code::InvalidToken,
                format!("invalid character `{}`", c.escape_default()),
                at,
                "not part of sinfra's syntax",
            );
            if *c == '#' { d.with_help("comments start with `//`") } else { d }
        }
        SyntaxErrorKind::Lex(LexErrorKind::UnterminatedString) => Diagnostic::new(
            Code::InvalidToken,
            "unterminated string",
            at,
            "this string has no closing `\"` on its line",
        )
        .with_help("close the string with `\"`; strings do not span lines"),
        SyntaxErrorKind::Lex(LexErrorKind::UnterminatedInterpolation) => {
            Diagnostic::new(Code::InvalidToken, "unterminated `${` interpolation", at, "the file ends inside `${…}`")
        }
        SyntaxErrorKind::InvalidEscape => {
            Diagnostic::new(Code::InvalidToken, "invalid escape sequence", at, "unknown escape")
                .with_note("escapes: \\n \\t \\r \\\" \\\\ \\$ \\u{…}")
        }
        SyntaxErrorKind::NumberTooLarge => {
            Diagnostic::new(Code::InvalidToken, "integer too large", at, "does not fit in 64 bits")
        }
        SyntaxErrorKind::TooDeep => Diagnostic::new(
            Code::NestingTooDeep,
            format!(
                "nested deeper than {} levels: level {} starts here",
                sinfra_syntax::MAX_NESTING,
                sinfra_syntax::MAX_NESTING + 1
            ),
            at,
            "too deep; the rest of the file is not checked",
        )
        .with_note(
            "nesting is brackets, and `if`, `let … in`, `match` and comprehensions inside one another; \
             chains (`a + b + …`, `a.b.c`, `else if`, `let … in let … in`) do not count",
        )
        .with_help("name inner parts with `let` (or move them into functions), or flatten the data"),
    }
}

/// Duplicate definitions, reported with both locations.
fn duplicate_diagnostics(db: &dyn Db, project: Project) -> Vec<Diagnostic> {
    let index = project_index(db, project);
    let name_loc = |item: crate::items::ItemId| Loc::new(item, crate::hir::item_source_map(db, item).name);
    let diags = index.duplicates.iter().map(|&(first, dup)| {
        crate::loc::Diag::new(
            Code::DuplicateDefinition,
            format!("`{}` is defined twice", dup.name(db)),
            name_loc(dup),
            format!("{} `{}` redefined here", dup.tag(db).describe(), dup.name(db)),
        )
        .with_label(name_loc(first), "first defined here")
        .with_help("rename one of them: tiers, regions, stacks and other items each have one namespace per project")
    });
    resolve_all(db, diags.collect::<Vec<_>>())
}

/// Every diagnostic of the project, sorted, one per root cause: what `sinfrac
/// check` reports. Writes nothing. It is [`static_diagnostics`] plus, for
/// every stack, [`stack_diagnostics`] and the rules on the output documents —
/// the same ones `build` applies while it renders them (`emit::instance_file`),
/// so the two cannot disagree.
#[salsa::tracked(returns(ref))]
pub fn project_diagnostics(db: &dyn Db, project: Project) -> Arc<Vec<Diagnostic>> {
    let info = platform_info(db, project);
    let all = instances(db, project);
    let mut out = static_diagnostics(db, project).to_vec();
    for (s, st) in info.stacks.iter().enumerate() {
        out.extend(stack_diagnostics(db, project, st.item).iter().cloned());
        // The rules on the stack's output documents, as `build` applies them.
        let output = all
            .iter()
            .filter(|&&(_, at)| at == s)
            .flat_map(|&(item, _)| instance_output_rules(db, project, item, st.item).iter().cloned());
        out.extend(resolve_all(db, output.collect::<Vec<_>>()));
    }
    Arc::new(finish(out))
}

/// One diagnostic per root cause, sorted: the last step of `check` and `build`.
pub fn finish(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out = merge_root_causes(diags);
    normalize(&mut out);
    out
}

/// Every (instance, stack) pair: services and resources in each stack they belong to.
pub fn instances(db: &dyn Db, project: Project) -> Vec<(crate::items::ItemId, usize)> {
    let mut out = Vec::new();
    for &file in crate::index::loaded_files(db, project).iter() {
        for &item in file_items(db, file) {
            if matches!(item.tag(db), ItemTag::Resource | ItemTag::Service)
                && let Some(stacks) = &placement(db, project, item).stacks
            {
                out.extend(stacks.iter().map(|&s| (item, s)));
            }
        }
    }
    out
}

/// The items whose static check found errors: their policy and `check`
/// failures are follow-ons (an unknown field leaves a default in place), not reported.
#[salsa::tracked(returns(ref))]
fn items_with_static_errors(db: &dyn Db, project: Project) -> Vec<crate::items::ItemId> {
    let mut out = Vec::new();
    for &file in crate::index::loaded_files(db, project).iter() {
        for &item in file_items(db, file) {
            if check_item(db, project, item).iter().any(|d| d.is_error()) {
                out.push(item);
            }
        }
    }
    out
}

/// Removes the follow-ons of static errors (see [`items_with_static_errors`]).
pub(crate) fn drop_follow_ons(db: &dyn Db, project: Project, diags: &mut Vec<crate::loc::Diag>) {
    let failed = items_with_static_errors(db, project);
    diags.retain(|d| !is_follow_on(d, failed));
}

/// An evaluation diagnostic (it has a stack) that a static error of its item explains:
/// a failed `check` or policy (an unknown field left a default in place), a `match`
/// without an arm for a value (an arm misspelled a name).
fn is_follow_on(d: &crate::loc::Diag, failed: &[crate::items::ItemId]) -> bool {
    !d.stacks.is_empty()
        && matches!(d.code, Code::PolicyViolation | Code::CheckFailed | Code::NonExhaustiveMatch)
        && failed.contains(&d.location().item)
}

/// The problems that do not depend on a stack, unsorted and not merged: the
/// manifest and the versions file, syntax, duplicates, the platform
/// declarations, the static check of every item, and what evaluates outside
/// any stack (shared resources; `let`s when the project has no stack).
#[salsa::tracked(returns(ref))]
pub fn static_diagnostics(db: &dyn Db, project: Project) -> Arc<Vec<Diagnostic>> {
    let info = platform_info(db, project);
    let mut out: Vec<Diagnostic> = info.manifest_diags.clone();
    out.extend(versions(db, project).1.iter().cloned());
    out.extend(duplicate_diagnostics(db, project));
    out.extend(resolve_all(db, info.diags.iter().cloned()));
    let mut item_diags = Vec::new();
    for &file in crate::index::loaded_files(db, project).iter() {
        out.extend(file_diagnostics(db, project, file).iter().cloned());
        for &item in file_items(db, file) {
            match item.tag(db) {
                ItemTag::Let if info.stacks.is_empty() => {
                    item_diags.extend(let_value(db, project, item, None).diags.iter().cloned())
                }
                ItemTag::Resource if placement(db, project, item).stacks.is_none() => {
                    item_diags.extend(instance_value(db, project, item, None).diags.iter().cloned())
                }
                _ => {}
            }
        }
    }
    out.extend(resolve_all(db, item_diags));
    Arc::new(out)
}

/// The problems of one file that no stack decides — syntax and the static check
/// of each of its items — with file positions, unsorted. An editor shows them as
/// you type: after an edit only the edited file's queries re-run.
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(db: &dyn Db, project: Project, file: SourceFile) -> Arc<Vec<Diagnostic>> {
    let mut out = syntax_diagnostics(db, file).to_vec();
    let items = file_items(db, file).iter().flat_map(|&item| check_item(db, project, item).iter().cloned());
    out.extend(resolve_all(db, items.collect::<Vec<_>>()));
    Arc::new(out)
}

/// The problems of one stack except those of output documents, unsorted and not
/// merged: every field of every instance in the stack evaluated, the tier,
/// secret and address rules on them, the policies that select the stack, the
/// `platform` block, and the `let`s no instance reaches (evaluated on their own).
#[salsa::tracked(returns(ref))]
pub fn stack_diagnostics(db: &dyn Db, project: Project, stack: crate::items::ItemId) -> Arc<Vec<Diagnostic>> {
    let info = platform_info(db, project);
    let Some(s) = info.stack_index(stack) else { return Arc::new(Vec::new()) };
    let mut diags = Vec::new();
    for &file in crate::index::loaded_files(db, project).iter() {
        for &item in file_items(db, file) {
            match item.tag(db) {
                // A `let` is judged where it is used: its problems are reported for its
                // users (see `Ctx::item_value`). A `let` nothing reaches is evaluated on its
                // own, so its mistakes are not hidden until first use — except where it
                // would need a resource, which its future users decide.
                ItemTag::Let if !is_reachable(db, project, item) => diags.extend(
                    let_value(db, project, item, Some(stack))
                        .diags
                        .iter()
                        .filter(|d| d.code != Code::MissingDependency)
                        .cloned(),
                ),
                ItemTag::Resource | ItemTag::Service
                    if placement(db, project, item).stacks.as_ref().is_some_and(|st| st.contains(&s)) =>
                {
                    diags.extend(instance_value(db, project, item, Some(stack)).diags.iter().cloned());
                    diags.extend(instance_rules(db, project, item, stack).iter().cloned());
                }
                ItemTag::Policy => diags.extend(policy_diagnostics(db, project, item, stack).iter().cloned()),
                _ => {}
            }
        }
    }
    if info.platform.is_some() {
        diags.extend(platform_value(db, project, Some(stack)).diags.iter().cloned());
        diags.extend(platform_rules(db, project, stack).iter().cloned());
    }
    drop_follow_ons(db, project, &mut diags);
    Arc::new(resolve_all(db, diags))
}

/// The items each item may refer to ([`item_references`]), in item order.
#[salsa::tracked(returns(ref))]
pub fn reference_graph(db: &dyn Db, project: Project) -> Arc<Vec<(crate::items::ItemId, Vec<crate::items::ItemId>)>> {
    let mut graph = Vec::new();
    for &file in crate::index::loaded_files(db, project).iter() {
        for &item in file_items(db, file) {
            graph.push((item, item_references(db, project, item).to_vec()));
        }
    }
    Arc::new(graph)
}

/// The items evaluation can reach from the instances, the platform block and
/// the policies (sorted by id). A `let` outside this set is never evaluated
/// for a user, so `stack_diagnostics` evaluates it on its own.
#[salsa::tracked(returns(ref))]
fn reachable_items(db: &dyn Db, project: Project) -> Vec<crate::items::ItemId> {
    use crate::items::ItemId;
    use rustc_hash::{FxHashMap, FxHashSet};
    let graph = reference_graph(db, project);
    let edges: FxHashMap<ItemId, &Vec<ItemId>> = graph.iter().map(|(i, e)| (*i, e)).collect();
    let mut seen: FxHashSet<ItemId> = FxHashSet::default();
    let mut work: Vec<ItemId> = graph
        .iter()
        .map(|(i, _)| *i)
        .filter(|i| matches!(i.tag(db), ItemTag::Resource | ItemTag::Service | ItemTag::Platform | ItemTag::Policy))
        .collect();
    while let Some(i) = work.pop() {
        if seen.insert(i) {
            work.extend(edges.get(&i).into_iter().flat_map(|e| e.iter().copied()));
        }
    }
    let mut out: Vec<ItemId> = seen.into_iter().collect();
    out.sort_by_key(salsa::plumbing::AsId::as_id);
    out
}

fn is_reachable(db: &dyn Db, project: Project, item: crate::items::ItemId) -> bool {
    use salsa::plumbing::AsId;
    reachable_items(db, project).binary_search_by_key(&item.as_id(), |i| i.as_id()).is_ok()
}

/// Whether the items' static references form a cycle through an evaluation
/// query (a resource, service, `let` or the platform block): then evaluation
/// must stay on one thread (cycles are reported by the sequential evaluator, and
/// must never block two threads on each other). Schemas and functions are
/// evaluated inside those queries, so a cycle among them alone (a template that
/// takes its own schema as a parameter type) blocks nothing.
#[salsa::tracked(returns(copy))]
pub fn has_reference_cycle(db: &dyn Db, project: Project) -> bool {
    use crate::items::ItemId;
    use rustc_hash::{FxHashMap, FxHashSet};
    let graph = reference_graph(db, project);
    let edges: FxHashMap<ItemId, &Vec<ItemId>> = graph.iter().map(|(i, e)| (*i, e)).collect();
    let is_query =
        |i: ItemId| matches!(i.tag(db), ItemTag::Resource | ItemTag::Service | ItemTag::Let | ItemTag::Platform);
    // The query items each query item reaches through schemas and functions only.
    let mut reach: FxHashMap<ItemId, Vec<ItemId>> = FxHashMap::default();
    for &(q, _) in graph.iter().filter(|(i, _)| is_query(*i)) {
        let mut seen: FxHashSet<ItemId> = FxHashSet::default();
        let mut found = Vec::new();
        let mut work: Vec<ItemId> = edges.get(&q).map(|e| e.to_vec()).unwrap_or_default();
        while let Some(n) = work.pop() {
            if !seen.insert(n) {
                continue;
            }
            if is_query(n) {
                found.push(n);
            } else {
                work.extend(edges.get(&n).into_iter().flat_map(|e| e.iter().copied()));
            }
        }
        reach.insert(q, found);
    }
    // Iterative three-colour DFS over the query items.
    let mut colour: FxHashMap<ItemId, u8> = FxHashMap::default();
    for &start in reach.keys() {
        if colour.get(&start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(ItemId, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, i)) = stack.pop() {
            match reach.get(&node).and_then(|e| e.get(i)).copied() {
                Some(n) => {
                    stack.push((node, i + 1));
                    match colour.get(&n).copied().unwrap_or(0) {
                        1 => return true,
                        0 => {
                            colour.insert(n, 1);
                            stack.push((n, 0));
                        }
                        _ => {}
                    }
                }
                None => {
                    colour.insert(node, 2);
                }
            }
        }
    }
    false
}

/// Evaluates every instance of every stack on all cores, so that a following
/// [`project_diagnostics`] finds them memoized. Falls back to doing nothing
/// when the references form a cycle (the sequential check reports it).
pub fn warm(db: &crate::db::Database, project: Project, stacks: &[crate::items::ItemId], with_output: bool) {
    if has_reference_cycle(db, project) {
        return;
    }
    evaluate_in_parallel(db, project, stacks, with_output);
}

/// Evaluates every (instance, stack) pair of the given stacks (all when empty)
/// on all cores, cycles or not. Salsa recovers from a cycle split across
/// threads (the evaluation queries' cycle fallback reports E0308), so this
/// never panics or hangs; [`warm`] still keeps cyclic projects on one thread,
/// where the report is the same on every run.
pub fn evaluate_in_parallel(
    db: &crate::db::Database,
    project: Project,
    stacks: &[crate::items::ItemId],
    with_output: bool,
) {
    use rayon::prelude::*;
    let info = platform_info(db, project);
    let work: Vec<(crate::items::ItemId, crate::items::ItemId)> = instances(db, project)
        .into_iter()
        .map(|(item, s)| (item, info.stacks[s].item))
        .filter(|(_, stack)| stacks.is_empty() || stacks.contains(stack))
        .collect();
    let db = db.clone();
    crate::parallel::pool().install(move || {
        work.par_iter().for_each_with(db, |db, &(item, stack)| {
            instance_rules(db, project, item, stack);
            if with_output {
                instance_output_rules(db, project, item, stack);
            }
        })
    });
}
