//! The HIR: each item lowered once from the file's one parse into arenas of
//! expressions, bindings, patterns and types, with names interned and
//! local names already bound to their definitions.
//!
//! The HIR holds no positions. Spans (relative to the item's start) live in
//! the item's [`ItemSourceMap`], so typing whitespace or a comment inside an
//! item leaves [`item_hir`] equal and salsa re-runs nothing that reads only it.
//! [`item_lower`] is the one query that reads the syntax tree for an item;
//! [`item_hir`] and [`item_source_map`] are its two projections.
//!
//! Global names (items, fields of the instance in scope, context names,
//! builtins) are resolved once per item by [`resolve::resolve_item`].

mod lower;
pub mod resolve;
pub mod types;
mod walk;

use std::fmt;
use std::sync::Arc;

use la_arena::{Arena, ArenaMap, Idx};
use sinfra_syntax::Span;
pub use sinfra_syntax::ast::{BinaryOp, UnaryOp};

use crate::db::Db;
use crate::items::{ItemId, item_range, parse};

pub use walk::child_exprs;

/// An interned name: cheap to copy, compare and hash; lives as long as the
/// process (names come from source text, whose vocabulary is small).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(ustr::Ustr);

impl Name {
    /// Interns `text`.
    pub fn new(text: &str) -> Name {
        Name(ustr::ustr(text))
    }

    /// The name spelled `text`, if it was ever interned (without interning it).
    pub fn existing(text: &str) -> Option<Name> {
        ustr::existing_ustr(text).map(Name)
    }

    /// The name's text.
    pub fn as_str(&self) -> &'static str {
        self.0.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::new(&text)
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::new(text)
    }
}

impl From<&Name> for Name {
    fn from(name: &Name) -> Name {
        *name
    }
}

impl From<&std::sync::Arc<str>> for Name {
    fn from(text: &std::sync::Arc<str>) -> Name {
        Name::new(text)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An expression of an item's body.
pub type ExprId = Idx<Expr>;
/// A local binding: a parameter, `let … in`, a comprehension variable, `self` of a refinement.
pub type BindingId = Idx<Binding>;
/// A `match` pattern.
pub type PatId = Idx<Pat>;
/// A type as written.
pub type TypeRefId = Idx<TypeRef>;
/// A member of a `{ … }` body (field declaration, assignment, `let`, `check`).
pub type MemberId = Idx<Member>;

/// One item, lowered. Position-free: equal across edits that only move text.
#[derive(Debug, PartialEq)]
pub struct ItemHir {
    /// What the item declares, with the roots of its code.
    pub kind: ItemKind,
    /// The arenas its code lives in.
    pub body: Body,
}

/// The arenas of one item's code.
#[derive(Debug, PartialEq, Default)]
pub struct Body {
    /// Expressions.
    pub exprs: Arena<Expr>,
    /// Local bindings.
    pub bindings: Arena<Binding>,
    /// `match` patterns.
    pub pats: Arena<Pat>,
    /// Types as written.
    pub types: Arena<TypeRef>,
    /// Members of `{ … }` bodies, in source order.
    pub members: Arena<Member>,
}

impl Body {
    /// The expression `id`, or [`Expr::Missing`] for an id of another body.
    pub fn expr(&self, id: ExprId) -> &Expr {
        static MISSING: Expr = Expr::Missing;
        self.exprs.values().nth(id.into_raw().into_u32() as usize).unwrap_or(&MISSING)
    }

    /// The binding `id`, if it is of this body.
    pub fn binding(&self, id: BindingId) -> Option<&Binding> {
        self.bindings.values().nth(id.into_raw().into_u32() as usize)
    }

    /// The pattern `id`, if it is of this body.
    pub fn pat(&self, id: PatId) -> Option<&Pat> {
        self.pats.values().nth(id.into_raw().into_u32() as usize)
    }

    /// The type `id`, or [`TypeRef::Error`] for an id of another body.
    pub fn type_ref(&self, id: TypeRefId) -> &TypeRef {
        static ERROR: TypeRef = TypeRef::Error;
        self.types.values().nth(id.into_raw().into_u32() as usize).unwrap_or(&ERROR)
    }

    /// The member `id`, or [`Member::Error`] for an id of another body.
    pub fn member(&self, id: MemberId) -> &Member {
        static ERROR: Member = Member::Error;
        self.members.values().nth(id.into_raw().into_u32() as usize).unwrap_or(&ERROR)
    }
}

impl std::ops::Index<ExprId> for Body {
    type Output = Expr;
    fn index(&self, id: ExprId) -> &Expr {
        &self.exprs[id]
    }
}

impl std::ops::Index<BindingId> for Body {
    type Output = Binding;
    fn index(&self, id: BindingId) -> &Binding {
        &self.bindings[id]
    }
}

impl std::ops::Index<PatId> for Body {
    type Output = Pat;
    fn index(&self, id: PatId) -> &Pat {
        &self.pats[id]
    }
}

impl std::ops::Index<TypeRefId> for Body {
    type Output = TypeRef;
    fn index(&self, id: TypeRefId) -> &TypeRef {
        &self.types[id]
    }
}

impl std::ops::Index<MemberId> for Body {
    type Output = Member;
    fn index(&self, id: MemberId) -> &Member {
        &self.members[id]
    }
}

/// A dotted path to an item, e.g. `k8s.WebService`.
pub type Path = Box<[Name]>;

/// What an item declares.
#[derive(Debug, PartialEq)]
pub enum ItemKind {
    /// `import std.k8s`
    Import {
        /// The dotted module path.
        path: Path,
    },
    /// `platform { … }`
    Platform {
        /// Its settings.
        members: Box<[MemberId]>,
    },
    /// `[protected] tier name`
    Tier {
        /// Declared `protected`.
        protected: bool,
    },
    /// `region name = "cloud-name"`
    Region {
        /// The cloud's name for it.
        value: ExprId,
    },
    /// `stack name { … }`
    Stack {
        /// Its settings.
        members: Box<[MemberId]>,
    },
    /// `let name[: T] = value`
    Let {
        /// The annotation.
        ty: Option<TypeRefId>,
        /// The value.
        value: ExprId,
    },
    /// `fn name(params) -> T = body`
    Fn {
        /// The parameters, in order.
        params: Box<[Param]>,
        /// The declared result type.
        ret: TypeRefId,
        /// The body.
        body: ExprId,
    },
    /// `schema Name [extends Base] { … }`
    Schema {
        /// The schema it extends.
        extends: Option<Path>,
        /// Field declarations, overrides, lets and checks.
        members: Box<[MemberId]>,
    },
    /// `type Name = T [where cond else "msg"]`
    TypeAlias {
        /// The underlying type.
        ty: TypeRefId,
        /// The refinement.
        refinement: Option<Refinement>,
    },
    /// A `resource` or a `service`.
    Instance {
        /// The schema it instantiates.
        schema: Path,
        /// The tiers or stacks it is placed in (everywhere when absent).
        selector: Option<Box<[Name]>>,
        /// `shared resource`.
        shared: bool,
        /// `protected`.
        protected: bool,
        /// Its assignments, lets and checks.
        members: Box<[MemberId]>,
    },
    /// `policy name[: Schema] [@sel] { … }`
    Policy {
        /// The schema whose instances it checks (every service when absent).
        schema: Option<Path>,
        /// The tiers or stacks it applies in.
        selector: Option<Box<[Name]>>,
        /// Its lets and checks.
        members: Box<[MemberId]>,
    },
    /// An item the parser could not read (already reported).
    Error,
}

impl ItemKind {
    /// The members of the item's `{ … }` body (none for items without one).
    pub fn members(&self) -> &[MemberId] {
        match self {
            ItemKind::Platform { members }
            | ItemKind::Stack { members }
            | ItemKind::Schema { members, .. }
            | ItemKind::Instance { members, .. }
            | ItemKind::Policy { members, .. } => members,
            _ => &[],
        }
    }
}

/// A function parameter.
#[derive(Debug, PartialEq)]
pub struct Param {
    /// Its binding (holds the name).
    pub binding: BindingId,
    /// Its type.
    pub ty: TypeRefId,
}

/// `where cond [else "msg"]` on a type alias.
#[derive(Debug, PartialEq)]
pub struct Refinement {
    /// `self`: the value being checked.
    pub this: BindingId,
    /// The condition.
    pub cond: ExprId,
    /// The message when it fails.
    pub message: Option<ExprId>,
}

/// A member of a `{ … }` body.
#[derive(Debug, PartialEq)]
pub enum Member {
    /// `[@attr] name: T [= default]` (schemas)
    Field {
        /// Attributes such as `@address`.
        attrs: Box<[Name]>,
        /// The field's name.
        name: Name,
        /// Its type.
        ty: TypeRefId,
        /// Its default; required without one.
        default: Option<ExprId>,
    },
    /// `name = value`
    Assign {
        /// The field set.
        name: Name,
        /// The value.
        value: ExprId,
    },
    /// `let name[: T] = value`: a named member visible to the rest of the body.
    Let {
        /// Its name.
        name: Name,
        /// The annotation.
        ty: Option<TypeRefId>,
        /// The value.
        value: ExprId,
    },
    /// `check cond [else "msg"]`
    Check {
        /// The condition.
        cond: ExprId,
        /// The message when it fails.
        message: Option<ExprId>,
    },
    /// A member the parser could not read (already reported).
    Error,
}

impl Member {
    /// The member's name, for fields, assignments and lets.
    pub fn name(&self) -> Option<Name> {
        match self {
            Member::Field { name, .. } | Member::Assign { name, .. } | Member::Let { name, .. } => Some(*name),
            Member::Check { .. } | Member::Error => None,
        }
    }
}

/// A local binding.
#[derive(Debug, PartialEq)]
pub struct Binding {
    /// The bound name.
    pub name: Name,
    /// What introduces it.
    pub kind: BindingKind,
}

/// What introduces a local binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// A function parameter.
    Param,
    /// `let x = … in …`
    Let,
    /// `for x in …`
    ForVar,
    /// `self` in a type's refinement.
    RefinedSelf,
}

/// A type as written.
#[derive(Debug, PartialEq)]
pub enum TypeRef {
    /// `Int`, `k8s.Probe`
    Path(Path),
    /// `[T]`
    List(TypeRefId),
    /// `{K: V}`
    Map(TypeRefId, TypeRefId),
    /// `T?`
    Optional(TypeRefId),
    /// `A | B`
    Union(Box<[TypeRefId]>),
    /// `"TCP"`
    StrLit(Box<str>),
    /// Unreadable (already reported).
    Error,
}

/// An expression.
#[derive(Debug, PartialEq)]
pub enum Expr {
    /// Absent or unreadable (already reported).
    Missing,
    /// `42`
    Int(i64),
    /// `0.5`
    Float(f64),
    /// `500m`, `1Gi`, `30s`, `25%`
    Unit {
        /// The number as written, underscores removed.
        number: Box<str>,
        /// The suffix.
        unit: Box<str>,
    },
    /// `"text ${e} text"`
    Str(Box<[StrPart]>),
    /// `true` / `false`
    Bool(bool),
    /// `none`
    None,
    /// `self` in a schema or an instance: the instance being built.
    SelfRef,
    /// `super.f` in a schema that extends another: the base schema's value of
    /// field `f` for the same instance (its name's span is [`ItemSourceMap::name_of`]).
    Super(Name),
    /// A local: a parameter, a `let … in`, a comprehension variable, a refinement's `self`.
    Local(BindingId),
    /// Any other name; what it denotes is in [`resolve::Resolutions`].
    Name(Name),
    /// `e.field`
    Field(ExprId, Name),
    /// `e@tier_or_stack`
    At(ExprId, Name),
    /// `e[i]`
    Index(ExprId, ExprId),
    /// `f(args)`
    Call(ExprId, Box<[ExprId]>),
    /// `[a, b]`
    List(Box<[ExprId]>),
    /// `{ k = v, "k" = v }`
    Record(Box<[RecordEntry]>),
    /// `[e for x in xs if c]`
    ListComp(Comprehension),
    /// `{ [k] = v for k, v in m if c }`
    MapComp(ExprId, Comprehension),
    /// `-e`, `!e`
    Unary(UnaryOp, ExprId),
    /// `a + b`
    Binary(BinaryOp, ExprId, ExprId),
    /// `if c then a else b`
    If(ExprId, ExprId, ExprId),
    /// `match e { arms }`
    Match(ExprId, Box<[MatchArm]>),
    /// `let x[: T] = value in body`
    Let {
        /// The bound name.
        binding: BindingId,
        /// The annotation.
        ty: Option<TypeRefId>,
        /// The bound value.
        value: ExprId,
        /// Where the binding is visible.
        body: ExprId,
    },
}

/// A piece of a string literal.
#[derive(Debug, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes decoded.
    Text(Box<str>),
    /// `${e}`
    Interp(ExprId),
}

/// `key = value` in a record literal. The key's span is the source map's
/// [`ItemSourceMap::key_span`] of the value.
#[derive(Debug, PartialEq)]
pub struct RecordEntry {
    /// The key (any string: `"app.kubernetes.io/name" = …`).
    pub key: Name,
    /// The value.
    pub value: ExprId,
}

/// The `for … in … [if …]` of a comprehension, with its element.
#[derive(Debug, PartialEq)]
pub struct Comprehension {
    /// The produced element (the value, for a map comprehension).
    pub element: ExprId,
    /// One variable for lists; one or two (`k, v`) for maps.
    pub vars: Box<[BindingId]>,
    /// The iterated collection.
    pub iter: ExprId,
    /// The filter.
    pub cond: Option<ExprId>,
}

/// One arm of a `match`. Its span is the source map's [`ItemSourceMap::arm_span`] of its body.
#[derive(Debug, PartialEq)]
pub struct MatchArm {
    /// `a | b` alternatives.
    pub pats: Box<[PatId]>,
    /// The arm's value.
    pub body: ExprId,
}

/// A `match` pattern.
#[derive(Debug, PartialEq)]
pub enum Pat {
    /// `_`
    Wildcard,
    /// A tier, region or stack name (which one depends on the scrutinee).
    Name(Name),
    /// `"text"`
    Str(Box<str>),
    /// `42`
    Int(i64),
    /// `true` / `false`
    Bool(bool),
}

/// Where each part of an item is written, relative to the item's start, and
/// its doc comments: everything about an item that changes when only text moves.
#[derive(Debug, PartialEq, Default)]
pub struct ItemSourceMap {
    /// The whole item (doc comment excluded).
    pub item: Span,
    /// The declared name (the keyword for `platform` and `import`).
    pub name: Span,
    /// The `///` doc comment.
    pub doc: Option<Box<str>>,
    /// The schema path of an instance or policy, or the base of a schema's `extends`.
    pub path: Option<Span>,
    /// The names of the `@` selector, in order.
    pub selector: Box<[Span]>,
    /// The whole `@` selector.
    pub selector_span: Option<Span>,
    /// Every expression.
    pub exprs: ArenaMap<ExprId, Span>,
    /// The name of every binding.
    pub bindings: ArenaMap<BindingId, Span>,
    /// Every pattern.
    pub pats: ArenaMap<PatId, Span>,
    /// Every type.
    pub types: ArenaMap<TypeRefId, Span>,
    /// Every member, and its name.
    pub members: ArenaMap<MemberId, MemberSpans>,
    /// The field name of `e.f` and the selector of `e@s`, keyed by that expression.
    pub(crate) names: ArenaMap<ExprId, Span>,
    /// The key of each record entry, keyed by its value.
    pub(crate) keys: ArenaMap<ExprId, Span>,
    /// The whole arm of a `match`, keyed by its body.
    pub(crate) arms: ArenaMap<ExprId, Span>,
}

/// Where a member is written.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct MemberSpans {
    /// The whole member.
    pub whole: Span,
    /// Its name (the `check` keyword's place for checks).
    pub name: Span,
    /// Its `///` doc comment.
    pub doc: Option<Box<str>>,
}

impl ItemSourceMap {
    /// Where an expression is written.
    pub fn expr(&self, id: ExprId) -> Span {
        self.exprs.get(id).copied().unwrap_or_default()
    }

    /// Where a binding's name is written.
    pub fn binding(&self, id: BindingId) -> Span {
        self.bindings.get(id).copied().unwrap_or_default()
    }

    /// Where a pattern is written.
    pub fn pat(&self, id: PatId) -> Span {
        self.pats.get(id).copied().unwrap_or_default()
    }

    /// Where a type is written.
    pub fn ty(&self, id: TypeRefId) -> Span {
        self.types.get(id).copied().unwrap_or_default()
    }

    /// Where a member is written.
    pub fn member(&self, id: MemberId) -> &MemberSpans {
        static EMPTY: MemberSpans =
            MemberSpans { whole: Span { start: 0, end: 0 }, name: Span { start: 0, end: 0 }, doc: None };
        self.members.get(id).unwrap_or(&EMPTY)
    }

    /// The field name of `e.f` or `super.f`, or the selector of `e@s`, given that expression.
    pub fn name_of(&self, id: ExprId) -> Span {
        self.names.get(id).copied().unwrap_or_default()
    }

    /// The key of the record entry whose value is `value`.
    pub fn key_span(&self, value: ExprId) -> Span {
        self.keys.get(value).copied().unwrap_or_default()
    }

    /// Every record entry's key, by the entry's value.
    pub fn keys(&self) -> impl Iterator<Item = (ExprId, Span)> + '_ {
        self.keys.iter().map(|(id, s)| (id, *s))
    }

    /// The whole `match` arm whose body is `body`.
    pub fn arm_span(&self, body: ExprId) -> Span {
        self.arms.get(body).copied().unwrap_or_default()
    }

    /// The innermost expression whose span contains `offset` (item-relative), for editors.
    pub fn expr_at(&self, offset: u32) -> Option<ExprId> {
        self.exprs
            .iter()
            .filter(|(_, s)| s.start <= offset && offset <= s.end)
            .min_by_key(|(_, s)| s.len())
            .map(|(id, _)| id)
    }
}

/// An item's HIR and source map, lowered together.
#[derive(Debug)]
pub struct Lowered {
    /// The position-free HIR.
    pub hir: Arc<ItemHir>,
    /// Where its parts are written.
    pub map: Arc<ItemSourceMap>,
}

/// Lowers one item from the file's parse. Re-runs on every edit of the file
/// (it reads the parse); its projections [`item_hir`] and [`item_source_map`]
/// stay equal unless the item's own code or text changed.
#[salsa::tracked(returns(ref), no_eq)]
pub fn item_lower(db: &dyn Db, item: ItemId) -> Lowered {
    let file = item.file(db);
    let parse = parse(db, file);
    let index = crate::items::file_items(db, file).iter().position(|i| *i == item);
    let base = item_range(db, item).start;
    match index.and_then(|i| parse.file.items.get(i)) {
        Some(ast) => lower::lower_item(ast, base),
        None => {
            Lowered { hir: Arc::new(ItemHir { kind: ItemKind::Error, body: Body::default() }), map: Arc::default() }
        }
    }
}

/// An item's position-free HIR.
#[salsa::tracked(returns(ref))]
pub fn item_hir(db: &dyn Db, item: ItemId) -> Arc<ItemHir> {
    item_lower(db, item).hir.clone()
}

/// Where the parts of an item are written, relative to its start. Read by
/// diagnostics and editors only, never by what computes values or types.
#[salsa::tracked(returns(ref))]
pub fn item_source_map(db: &dyn Db, item: ItemId) -> Arc<ItemSourceMap> {
    item_lower(db, item).map.clone()
}
