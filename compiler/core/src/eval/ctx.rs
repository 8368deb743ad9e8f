//! The evaluation context (the stack being evaluated, the diagnostics found,
//! the guards that keep evaluation finite) and lexical environments.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use super::cycle_diag;
use super::cycle_path;
use super::instance::Instance;
use super::value::{V, Value};
use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::hir::resolve::{Resolutions, resolve_item};
use crate::hir::types::{ItemTypes, item_types};
use crate::hir::{BindingId, Expr, ExprId, ItemHir, ItemSourceMap, item_hir, item_source_map};
use crate::index::{Index, project_index};
use crate::items::ItemId;
use crate::loc::{Diag, Loc};
use crate::platform::{PlatformInfo, platform_info};
use crate::resolve::FileScope;
use crate::ty::Ty;

/// The evaluation context: the stack being evaluated and the diagnostics found.
pub struct Ctx<'a> {
    /// The database.
    pub db: &'a dyn Db,
    /// The project.
    pub project: Project,
    /// The name index.
    pub index: &'a Index,
    /// Tiers, regions and stacks.
    pub platform: &'a PlatformInfo,
    /// The stack being evaluated (`None` for shared resources and constants outside stacks).
    pub stack: Option<usize>,
    /// `name`: the instance being evaluated, as a DNS label.
    pub name: Option<Arc<str>>,
    /// The item `name` belongs to (for `image()` messages).
    pub instance_item: Option<ItemId>,
    /// `protected`.
    pub protected: bool,
    /// Problems found.
    pub diags: Vec<Diag>,
    pub(super) depth: u32,
    /// E0003 was reported: one report per evaluation, not one per level unwound.
    pub(super) too_deep: bool,
    pub(super) steps: u64,
    pub(super) calls: Vec<ItemId>,
    /// Where each function in `calls` was called.
    pub(super) call_sites: Vec<Loc>,
    pub(super) scopes: rustc_hash::FxHashMap<crate::db::SourceFile, FileScope<'a>>,
    pub(super) code: rustc_hash::FxHashMap<ItemId, Arc<ItemCode>>,
    pub(super) functions: rustc_hash::FxHashMap<ItemId, Arc<crate::signatures::FnSig>>,
    /// Scalars that passed a type's refinement in this evaluation (a field's
    /// value is checked again when a template takes it as a typed parameter).
    pub(super) refined: rustc_hash::FxHashSet<(ItemId, super::conform::ScalarKey)>,
    /// Whether a schema extends another, as asked while conforming records.
    pub(super) extends: rustc_hash::FxHashMap<(ItemId, ItemId), bool>,
    /// Provenance mode: reading a field or a resource keeps the origin the
    /// value already has (the expression that computed it, e.g. the user's
    /// `replicas = 6`) instead of moving it to the reading expression (the
    /// stdlib template that copies it). Diagnostics want the latter; `sinfrac
    /// explain-output` the former.
    pub(super) keep_origins: bool,
    /// The signatures of the schemas records were conformed to (a salsa fetch per record is costly).
    pub(super) schema_defs: rustc_hash::FxHashMap<ItemId, Arc<crate::signatures::SchemaDef>>,
}

/// What the evaluator reads of an item: its HIR, where its parts are
/// written (for the locations of values and diagnostics), its names
/// resolved, and its types lowered.
#[derive(Debug, PartialEq)]
pub struct ItemCode {
    /// The item.
    pub item: ItemId,
    /// Its HIR.
    pub hir: Arc<ItemHir>,
    /// Its source map.
    pub map: Arc<ItemSourceMap>,
    /// Its names, resolved.
    pub res: Arc<Resolutions>,
    /// Its types as written, lowered.
    pub types: Arc<ItemTypes>,
}

/// An item's code, gathered in one query: each evaluation fetches one memo
/// per item it runs code of, not four.
#[salsa::tracked(returns(ref))]
pub fn item_code(db: &dyn Db, project: Project, item: ItemId) -> Arc<ItemCode> {
    Arc::new(ItemCode {
        item,
        hir: item_hir(db, item).clone(),
        map: item_source_map(db, item).clone(),
        res: resolve_item(db, project, item).clone(),
        types: item_types(db, project, item).clone(),
    })
}

impl ItemCode {
    /// The location of an expression.
    pub fn loc(&self, expr: ExprId) -> Loc {
        Loc::new(self.item, self.map.expr(expr))
    }

    /// The expression with id `expr`.
    pub fn expr(&self, expr: ExprId) -> &Expr {
        &self.hir.body[expr]
    }
}

/// Local bindings: a persistent list, innermost first, so binding is O(1).
pub struct Local {
    binding: BindingId,
    value: Value,
    outer: Option<Rc<Local>>,
}

/// A lexical environment.
#[derive(Clone)]
pub struct Env {
    /// The item the code belongs to (for locations and name lookup).
    pub item: ItemId,
    /// The item's code.
    pub code: Arc<ItemCode>,
    /// Local bindings.
    pub locals: Option<Rc<Local>>,
    /// The instance whose fields are in scope.
    pub instance: Option<Rc<RefCell<Instance>>>,
}

impl Env {
    /// The same environment with one more local.
    pub fn bind(&self, binding: BindingId, value: Value) -> Env {
        let local = Local { binding, value, outer: self.locals.clone() };
        Env { item: self.item, code: self.code.clone(), locals: Some(Rc::new(local)), instance: self.instance.clone() }
    }

    pub(super) fn local(&self, binding: BindingId) -> Option<&Value> {
        let mut cur = self.locals.as_deref();
        while let Some(l) = cur {
            if l.binding == binding {
                return Some(&l.value);
            }
            cur = l.outer.as_deref();
        }
        None
    }

    /// The location of an expression of this environment's item.
    pub fn loc(&self, expr: ExprId) -> Loc {
        self.code.loc(expr)
    }
}

impl<'a> Ctx<'a> {
    /// A context for evaluating in `stack`.
    pub fn new(db: &'a dyn Db, project: Project, stack: Option<ItemId>) -> Ctx<'a> {
        let platform = platform_info(db, project);
        let stack = stack.and_then(|s| platform.stack_index(s));
        Ctx {
            db,
            project,
            index: project_index(db, project),
            platform,
            stack,
            name: None,
            instance_item: None,
            protected: false,
            diags: Vec::new(),
            depth: 0,
            too_deep: false,
            steps: 0,
            calls: Vec::new(),
            call_sites: Vec::new(),
            scopes: rustc_hash::FxHashMap::default(),
            code: rustc_hash::FxHashMap::default(),
            functions: rustc_hash::FxHashMap::default(),
            refined: rustc_hash::FxHashSet::default(),
            extends: rustc_hash::FxHashMap::default(),
            keep_origins: false,
            schema_defs: rustc_hash::FxHashMap::default(),
        }
    }

    /// The names visible in the file of `item` (cached: name lookup is the evaluator's hottest path).
    pub fn scope(&mut self, item: ItemId) -> FileScope<'a> {
        let file = item.file(self.db);
        let (db, index) = (self.db, self.index);
        *self.scopes.entry(file).or_insert_with(|| FileScope::new(db, index, file))
    }

    /// The code of `item` (cached: every field, default and call reads it).
    pub fn code(&mut self, item: ItemId) -> Arc<ItemCode> {
        let (db, project) = (self.db, self.project);
        self.code.entry(item).or_insert_with(|| item_code(db, project, item).clone()).clone()
    }

    /// An environment for code in `item`, with no locals and no instance.
    pub fn env(&mut self, item: ItemId) -> Env {
        Env { item, code: self.code(item), locals: None, instance: None }
    }

    /// Reports a problem, recording the stack and instance being evaluated and
    /// the call sites that led into a helper.
    pub fn report(&mut self, d: Diag) {
        let stack = self.stack.map(|s| self.platform.stacks[s].name.as_str());
        // Worth naming only when the problem lies in shared code (a helper, a schema, a `let`).
        let instance = self
            .instance_item
            .filter(|&i| d.location().item != i)
            .map(|i| format!("{} `{}`", i.tag(self.db).describe(), i.name(self.db)));
        let mut d = d.in_context(stack, instance);
        for &site in self.call_sites.iter().rev() {
            if !d.labels.iter().any(|l| l.location == site) {
                d = d.with_label(site, crate::diagnostics::CALLED_FROM);
            }
        }
        self.diags.push(d);
    }

    pub(super) fn error(&mut self, code: Code, message: impl Into<String>, at: Loc, label: impl Into<String>) -> Value {
        let d = Diag::new(code, message, at, label);
        self.report(d);
        Value::error()
    }

    /// The stack's name for messages.
    pub fn stack_desc(&self) -> String {
        match self.stack {
            Some(s) => {
                let st = &self.platform.stacks[s];
                format!("stack `{}` (tier {})", st.name, self.platform.tiers[st.tier].name)
            }
            None => "no stack (a shared or project-wide value)".to_string(),
        }
    }

    /// Checks a value against a type, converting where the type decides (unit literals, maps to schemas).
    pub fn conform(&mut self, value: Value, ty: &Ty, at: Loc) -> Value {
        super::conform::conform(self, value, ty, at)
    }

    /// A condition's truth; `None` (reported unless it is already an error) when it is not a `Bool`.
    pub fn condition(&mut self, v: &Value, what: &str, at: Loc) -> Option<bool> {
        match v.v {
            V::Bool(b) => Some(b),
            V::Error => None,
            _ => {
                let found = v.type_name();
                self.report(Diag::new(
                    Code::TypeMismatch,
                    format!("{what} must be `Bool`, found {found}"),
                    at,
                    "not a Bool",
                ));
                None
            }
        }
    }

    /// Whether evaluating `key` now would close a cycle; if so, reports it at `at`.
    /// Callers check this before calling an evaluation query, so salsa never sees a cycle.
    pub(super) fn closes_cycle(&mut self, key: (ItemId, Option<ItemId>), at: Loc) -> bool {
        match cycle_path(key) {
            Some(path) => {
                let d = cycle_diag(self.db, &path, at);
                self.report(d);
                true
            }
            None => false,
        }
    }
}

impl Ctx<'_> {
    /// The flattened signature of `schema`, fetched once per evaluation.
    pub(super) fn schema_def(&mut self, schema: ItemId) -> Arc<crate::signatures::SchemaDef> {
        let (db, project) = (self.db, self.project);
        self.schema_defs
            .entry(schema)
            .or_insert_with(|| crate::signatures::schema_def(db, project, schema).clone())
            .clone()
    }
}
