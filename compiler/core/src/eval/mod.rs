//! Per-stack evaluation: every resource, service, `let` and the platform
//! block is evaluated once per stack it belongs to, as a salsa query keyed by
//! (item, stack). Values carry tier and secret labels (see [`value`]).

pub mod builtins;
mod conform;
pub mod defaults;
mod instance;
pub(crate) use instance::record_key_span;
mod access;
mod call;
mod ctx;
mod interp;
mod operators;
mod reference;
pub mod value;

use std::cell::RefCell;
use std::sync::Arc;

use crate::db::{Db, Project};
use crate::diagnostics::{Code, Diagnostic};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::loc::{Diag, Loc};
use crate::platform::platform_info;
use crate::project::{Versions, parse_versions};

pub use ctx::Ctx;
use value::Value;

/// The value of an item in a stack, and what went wrong computing it.
#[derive(Debug, PartialEq)]
pub struct Evaluated {
    /// The value (a record for instances; [`value::V::Error`] when it failed).
    pub value: Value,
    /// Problems found while evaluating.
    pub diags: Vec<Diag>,
}

/// The parsed version datastore of the project.
#[salsa::tracked(returns(ref))]
pub fn versions(db: &dyn Db, project: Project) -> Arc<(Versions, Vec<Diagnostic>)> {
    let info = platform_info(db, project);
    if info.manifest.broken {
        // Which file holds the versions is not known: report the manifest's error only.
        return Arc::new((Versions { present: true, broken: true, ..Versions::default() }, Vec::new()));
    }
    let tiers: Vec<&str> = info.tiers.iter().map(|t| t.name.as_str()).collect();
    Arc::new(parse_versions(project.versions_text(db).as_deref(), &info.manifest.versions, &tiers))
}

thread_local! {
    /// The (item, stack) evaluations in progress on this thread, to report cycles instead of entering them.
    static ACTIVE: RefCell<Vec<(ItemId, Option<ItemId>)>> = const { RefCell::new(Vec::new()) };
}

struct ActiveGuard;

impl ActiveGuard {
    fn enter(key: (ItemId, Option<ItemId>)) -> ActiveGuard {
        ACTIVE.with(|a| a.borrow_mut().push(key));
        ActiveGuard
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        ACTIVE.with(|a| {
            a.borrow_mut().pop();
        });
    }
}

/// If evaluating `key` now would close a cycle, the items on the cycle.
pub(crate) fn cycle_path(key: (ItemId, Option<ItemId>)) -> Option<Vec<ItemId>> {
    ACTIVE.with(|a| {
        let a = a.borrow();
        let start = a.iter().position(|k| *k == key)?;
        Some(a[start..].iter().map(|k| k.0).collect())
    })
}

/// Evaluates a resource or service instance in a stack (`None`: a shared resource), without its `manifests`.
#[salsa::tracked(returns(ref), cycle_result = instance_cycle)]
pub fn instance_value(db: &dyn Db, project: Project, item: ItemId, stack: Option<ItemId>) -> Arc<Evaluated> {
    let _guard = ActiveGuard::enter((item, stack));
    let mut ctx = Ctx::new(db, project, stack);
    let value = instance::eval_instance_item(&mut ctx, item, false);
    Arc::new(Evaluated { value, diags: ctx.diags })
}

/// Evaluates an instance in a stack with its `manifests` (its output documents), for `build`.
/// Deliberately not a query: the caller (`emit::instance_file`, a query) keeps only the
/// rendered text, so the output trees never pile up in memory.
pub fn instance_output_value(db: &dyn Db, project: Project, item: ItemId, stack: ItemId) -> Evaluated {
    let _guard = ActiveGuard::enter((item, Some(stack)));
    let mut ctx = Ctx::new(db, project, Some(stack));
    let value = instance::eval_instance_item(&mut ctx, item, true);
    Evaluated { value, diags: ctx.diags }
}

/// [`instance_output_value`] (or the `platform` block's value, for `item` =
/// the platform) with every value's origin kept where it was computed, not
/// where a template read it: where each field of an output document comes
/// from (`sinfrac explain-output`). Not a query: run on demand.
pub fn traced_output_value(db: &dyn Db, project: Project, item: ItemId, stack: ItemId) -> Evaluated {
    let _guard = ActiveGuard::enter((item, Some(stack)));
    let mut ctx = Ctx::new(db, project, Some(stack));
    ctx.keep_origins = true;
    let value = match item.tag(db) {
        ItemTag::Platform => instance::eval_platform(&mut ctx, item),
        _ => instance::eval_instance_item(&mut ctx, item, true),
    };
    Evaluated { value, diags: ctx.diags }
}

/// Evaluates a top-level `let` in a stack.
#[salsa::tracked(returns(ref), cycle_result = let_cycle)]
pub fn let_value(db: &dyn Db, project: Project, item: ItemId, stack: Option<ItemId>) -> Arc<Evaluated> {
    let _guard = ActiveGuard::enter((item, stack));
    let mut ctx = Ctx::new(db, project, stack);
    let value = ctx.eval_let_item(item);
    Arc::new(Evaluated { value, diags: ctx.diags })
}

/// Evaluates the `platform` block in a stack, as an instance of the prelude's `Platform` schema.
#[salsa::tracked(returns(ref), cycle_result = platform_cycle)]
pub fn platform_value(db: &dyn Db, project: Project, stack: Option<ItemId>) -> Arc<Evaluated> {
    let info = platform_info(db, project);
    let Some(item) = info.platform else {
        return Arc::new(Evaluated { value: Value::error(), diags: Vec::new() });
    };
    let _guard = ActiveGuard::enter((item, stack));
    let mut ctx = Ctx::new(db, project, stack);
    let value = instance::eval_platform(&mut ctx, item);
    Arc::new(Evaluated { value, diags: ctx.diags })
}

/// Evaluates a policy's checks for every service it applies to in one stack
/// (nothing when the policy does not select the stack).
#[salsa::tracked(returns(ref))]
pub fn policy_diagnostics(db: &dyn Db, project: Project, policy: ItemId, stack: ItemId) -> Arc<Vec<Diag>> {
    let info = platform_info(db, project);
    let index = project_index(db, project);
    let mut diags = Vec::new();
    let Some(s) = info.stack_index(stack) else { return Arc::new(diags) };
    if !crate::platform::placement(db, project, policy).stacks.as_ref().is_some_and(|st| st.contains(&s)) {
        return Arc::new(diags);
    }
    for &service in index.globals.values().filter(|i| i.tag(db) == ItemTag::Service) {
        let service_placement = crate::platform::placement(db, project, service);
        if !service_placement.stacks.as_ref().is_some_and(|st| st.contains(&s)) {
            continue;
        }
        let mut ctx = Ctx::new(db, project, Some(stack));
        instance::eval_policy(&mut ctx, policy, service);
        diags.extend(ctx.diags);
    }
    Arc::new(diags)
}

// Cycle recovery. The evaluator reports cycles itself (the per-thread `ACTIVE`
// stack) and `check::has_reference_cycle` keeps evaluation on one thread when
// the items' references form one, so salsa should never see a cycle. Should one
// reach it anyway (two threads each inside one half), every participant gets an
// error value with E0308 instead of a panic.

fn cycle_fallback(db: &dyn Db, item: ItemId) -> Arc<Evaluated> {
    let at = Loc::new(item, crate::hir::item_source_map(db, item).name);
    let d = Diag::new(
        Code::Cycle,
        format!("`{}` depends on itself", item.name(db)),
        at,
        "its evaluation needs its own value",
    )
    .with_help("break the cycle: move the shared value into a `let` or a field both can read");
    Arc::new(Evaluated { value: Value::error(), diags: vec![d] })
}

fn instance_cycle(
    db: &dyn Db,
    _id: salsa::Id,
    _project: Project,
    item: ItemId,
    _stack: Option<ItemId>,
) -> Arc<Evaluated> {
    cycle_fallback(db, item)
}

fn let_cycle(db: &dyn Db, _id: salsa::Id, _project: Project, item: ItemId, _stack: Option<ItemId>) -> Arc<Evaluated> {
    cycle_fallback(db, item)
}

fn platform_cycle(db: &dyn Db, _id: salsa::Id, project: Project, _stack: Option<ItemId>) -> Arc<Evaluated> {
    match platform_info(db, project).platform {
        Some(item) => cycle_fallback(db, item),
        None => Arc::new(Evaluated { value: Value::error(), diags: Vec::new() }),
    }
}

/// A diagnostic for an evaluation cycle.
pub(crate) fn cycle_diag(db: &dyn Db, path: &[ItemId], at: Loc) -> Diag {
    let names: Vec<&str> = path.iter().map(|i| i.name(db).as_str()).collect();
    Diag::new(
        Code::Cycle,
        format!("`{}` depends on itself", names.first().copied().unwrap_or("?")),
        at,
        "this use closes the cycle",
    )
    .with_note(format!("cycle: {} → {}", names.join(" → "), names.first().copied().unwrap_or("?")))
    .with_help("break the cycle: move the shared value into a `let` or a field both can read")
}
