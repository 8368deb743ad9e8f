//! The typed syntax tree. Every node carries its [`Span`]; comments live in
//! the [`Trivia`](crate::trivia::Trivia) side table, doc comments are attached
//! to the items and fields they document.

use crate::span::Span;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A parsed file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    /// `//!` doc lines at the top of the file.
    pub doc: Option<String>,
    /// The items in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The `///` doc comment in front of it.
    pub doc: Option<String>,
    /// What it declares.
    pub kind: ItemKind,
    /// The whole item, doc comment excluded.
    pub span: Span,
}

impl Item {
    /// The declared name, if the item declares one (`platform` and `import` declare none).
    pub fn name(&self) -> Option<&Ident> {
        match &self.kind {
            ItemKind::Import(_) | ItemKind::Platform(_) | ItemKind::Error => None,
            ItemKind::Tier(d) => Some(&d.name),
            ItemKind::Region(d) => Some(&d.name),
            ItemKind::Stack(d) => Some(&d.name),
            ItemKind::Let(d) => Some(&d.name),
            ItemKind::Fn(d) => Some(&d.name),
            ItemKind::Schema(d) => Some(&d.name),
            ItemKind::TypeAlias(d) => Some(&d.name),
            ItemKind::Resource(d) | ItemKind::Service(d) => Some(&d.name),
            ItemKind::Policy(d) => Some(&d.name),
        }
    }

    /// The keyword that introduces this kind of item.
    pub fn keyword(&self) -> &'static str {
        match &self.kind {
            ItemKind::Import(_) => "import",
            ItemKind::Platform(_) => "platform",
            ItemKind::Tier(_) => "tier",
            ItemKind::Region(_) => "region",
            ItemKind::Stack(_) => "stack",
            ItemKind::Let(_) => "let",
            ItemKind::Fn(_) => "fn",
            ItemKind::Schema(_) => "schema",
            ItemKind::TypeAlias(_) => "type",
            ItemKind::Resource(_) => "resource",
            ItemKind::Service(_) => "service",
            ItemKind::Policy(_) => "policy",
            ItemKind::Error => "item",
        }
    }
}

/// The kinds of top-level declarations.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `import std.k8s`
    Import(Import),
    /// `platform { … }`
    Platform(Body),
    /// `[protected] tier prod`
    Tier(TierDecl),
    /// `region us_central1 = "us-central1"`
    Region(RegionDecl),
    /// `stack prod_us { … }`
    Stack(StackDecl),
    /// `let name = expr`
    Let(LetDecl),
    /// `fn name(params) -> Type = expr`
    Fn(FnDecl),
    /// `schema Name [extends Base] { … }`
    Schema(SchemaDecl),
    /// `type Name = Type [where cond else "msg"]`
    TypeAlias(TypeAlias),
    /// `[shared] [protected] resource name: Kind [@sel] { … }`
    Resource(InstanceDecl),
    /// `[protected] service name: Schema [@sel] { … }`
    Service(InstanceDecl),
    /// `policy name[: Schema] [@sel] { check … }`
    Policy(PolicyDecl),
    /// An item the parser could not make sense of (already reported).
    Error,
}

/// `import std.k8s`
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// The dotted path, e.g. `std`, `k8s`.
    pub path: Vec<Ident>,
}

/// `[protected] tier name`
#[derive(Clone, Debug, PartialEq)]
pub struct TierDecl {
    /// The tier's name.
    pub name: Ident,
    /// Declared `protected`.
    pub protected: bool,
}

/// `region name = "cloud-name"`
#[derive(Clone, Debug, PartialEq)]
pub struct RegionDecl {
    /// The identifier used in sinfra.
    pub name: Ident,
    /// The cloud's name for it.
    pub value: Expr,
}

/// `stack name { tier = …, region = …, cluster = …, namespace = … }`
#[derive(Clone, Debug, PartialEq)]
pub struct StackDecl {
    /// The stack's name.
    pub name: Ident,
    /// Its settings.
    pub body: Body,
}

/// `let name[: Type] = value`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    /// The bound name.
    pub name: Ident,
    /// An optional type annotation.
    pub ty: Option<TypeExpr>,
    /// The bound value.
    pub value: Expr,
}

/// `fn name(a: T, b: U) -> R = body`
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    /// The function's name.
    pub name: Ident,
    /// The parameters.
    pub params: Vec<Param>,
    /// The declared result type.
    pub ret: TypeExpr,
    /// The body expression.
    pub body: Expr,
}

/// A function parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
}

/// `schema Name [extends Base] { members }`
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaDecl {
    /// The schema's name.
    pub name: Ident,
    /// The schema it extends.
    pub extends: Option<Path>,
    /// Field declarations, overrides, lets and checks.
    pub body: Body,
}

/// `type Name = Type [where cond else "msg"]`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeAlias {
    /// The alias's name.
    pub name: Ident,
    /// The underlying type.
    pub ty: TypeExpr,
    /// The refinement, if any.
    pub refinement: Option<Refinement>,
}

/// `where cond [else "message"]`
#[derive(Clone, Debug, PartialEq)]
pub struct Refinement {
    /// The condition, with `self` bound to the value.
    pub cond: Expr,
    /// The message when it fails.
    pub message: Option<Expr>,
}

/// A resource or a service: an instance of a schema, per stack.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceDecl {
    /// The item's name.
    pub name: Ident,
    /// The schema (resource kind or workload type) it instantiates.
    pub schema: Path,
    /// Where it exists (`@prod`, `@[a, b]`); everywhere when absent.
    pub selector: Option<Selector>,
    /// `shared resource`: one instance, no tier.
    pub shared: bool,
    /// `protected`: its deletion must be allowed explicitly.
    pub protected: bool,
    /// The field assignments.
    pub body: Body,
}

/// `policy name[: Schema] [@sel] { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDecl {
    /// The policy's name.
    pub name: Ident,
    /// The schema whose instances it checks (every service when absent).
    pub schema: Option<Path>,
    /// The tiers or stacks where it applies.
    pub selector: Option<Selector>,
    /// Its lets and checks.
    pub body: Body,
}

/// `@name` or `@[a, b]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    /// The tier or stack names.
    pub names: Vec<Ident>,
    /// The whole selector.
    pub span: Span,
}

/// A dotted name: `k8s.WebService`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    /// The segments.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

impl Path {
    /// The path as written, e.g. `k8s.WebService`.
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".")
    }
}

/// A `{ … }` block of members.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Body {
    /// The members in source order.
    pub members: Vec<Member>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A member of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    /// `[@attr] name: Type [= default]` (schemas only)
    FieldDecl(FieldDecl),
    /// `name = value`
    Assign(Assign),
    /// `let name[: Type] = value`
    Let(LetDecl, Span),
    /// `check cond [else "message"]`
    Check(CheckDecl),
    /// A member the parser could not read (already reported).
    Error(Span),
}

impl Member {
    /// The member's span.
    pub fn span(&self) -> Span {
        match self {
            Member::FieldDecl(f) => f.span,
            Member::Assign(a) => a.span,
            Member::Let(_, s) | Member::Error(s) => *s,
            Member::Check(c) => c.span,
        }
    }
}

/// A schema field declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// Its `///` doc comment.
    pub doc: Option<String>,
    /// Attributes such as `@address`.
    pub attrs: Vec<Ident>,
    /// The field's name: an identifier, or quoted like a record key when it is
    /// none (`"$ref": String?`, a keyword such as `"if"`).
    pub name: RecordKey,
    /// Its type.
    pub ty: TypeExpr,
    /// Its default value; the field is required without one.
    pub default: Option<Expr>,
    /// The whole declaration.
    pub span: Span,
}

/// `name = value` in a body.
#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    /// Its `///` doc comment.
    pub doc: Option<String>,
    /// The assigned field.
    pub name: Ident,
    /// The value.
    pub value: Expr,
    /// The whole assignment.
    pub span: Span,
}

/// `check cond [else "message"]`
#[derive(Clone, Debug, PartialEq)]
pub struct CheckDecl {
    /// The condition that must hold.
    pub cond: Expr,
    /// The message when it does not.
    pub message: Option<Expr>,
    /// The whole check.
    pub span: Span,
}

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// Its shape.
    pub kind: TypeExprKind,
    /// Where it is written.
    pub span: Span,
}

/// The shapes of types.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `Int`, `k8s.Probe`
    Path(Path),
    /// `[T]`
    List(Box<TypeExpr>),
    /// `{K: V}`
    Map(Box<TypeExpr>, Box<TypeExpr>),
    /// `T?`
    Optional(Box<TypeExpr>),
    /// `A | B`
    Union(Vec<TypeExpr>),
    /// `"TCP"`
    StrLit(String),
    /// A type the parser could not read (already reported).
    Error,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// Its shape.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

impl Expr {
    /// Its shape, taken out (`Expr` implements `Drop`, so fields cannot be moved out).
    pub fn into_kind(mut self) -> ExprKind {
        std::mem::replace(&mut self.kind, ExprKind::Error)
    }

    /// What a child is replaced with while a tree is taken apart.
    fn placeholder() -> Expr {
        Expr { kind: ExprKind::Error, span: Span::default() }
    }

    /// The children that make chains, hence deep trees: the operands of
    /// operators, the bases of postfix operations, the branches of `if` and
    /// the body of `let`.
    fn chain_children(&mut self) -> impl Iterator<Item = &mut Box<Expr>> {
        let (a, b, c) = match &mut self.kind {
            ExprKind::Field(x, _) | ExprKind::At(x, _) | ExprKind::Unary(_, x) | ExprKind::Call(x, _) => {
                (Some(x), None, None)
            }
            ExprKind::Let(_, x) => (Some(x), None, None),
            ExprKind::Index(x, y) | ExprKind::Binary(_, x, y) => (Some(x), Some(y), None),
            ExprKind::If(x, y, z) => (Some(x), Some(y), Some(z)),
            _ => (None, None, None),
        };
        a.into_iter().chain(b).chain(c)
    }
}

impl Drop for Expr {
    /// A chain of 500,000 links is a tree 500,000 deep: it is taken apart in
    /// a loop, because a recursive drop would overflow the stack.
    fn drop(&mut self) {
        fn detach(e: &mut Expr, pending: &mut Vec<Expr>) {
            for child in e.chain_children() {
                if child.chain_children().next().is_some() {
                    pending.push(std::mem::replace(&mut **child, Expr::placeholder()));
                }
            }
        }
        let mut pending: Vec<Expr> = Vec::new();
        detach(self, &mut pending);
        while let Some(mut e) = pending.pop() {
            detach(&mut e, &mut pending);
        }
    }
}

/// The shapes of expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`
    Int(i64),
    /// `0.5`
    Float(f64),
    /// `500m`, `1Gi`, `30s`, `25%`: the number's text and the unit.
    Unit {
        /// The number as written, underscores removed.
        number: String,
        /// The unit suffix.
        unit: String,
    },
    /// `"text ${expr} text"`
    Str(Vec<StrPart>),
    /// `true` / `false`
    Bool(bool),
    /// `none`
    None,
    /// `self`
    SelfRef,
    /// `super.field`: the base schema's value of `field` for the same instance.
    Super(Ident),
    /// A name.
    Name(Ident),
    /// `e.field`
    Field(Box<Expr>, Ident),
    /// `e@tier_or_stack`
    At(Box<Expr>, Ident),
    /// `e[i]`
    Index(Box<Expr>, Box<Expr>),
    /// `f(args)`
    Call(Box<Expr>, Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{ k = v, "k" = v }`
    Record(Vec<RecordEntry>),
    /// `[e for x in xs if c]`
    ListComp(Box<Comprehension>),
    /// `{ [k] = v for x in xs if c }`
    MapComp(Box<Expr>, Box<Comprehension>),
    /// `-e`, `!e`
    Unary(UnaryOp, Box<Expr>),
    /// `a + b` etc.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `match e { arms }`
    Match(Box<Expr>, Vec<MatchArm>),
    /// `let x[: T] = v in body`
    Let(Box<LetDecl>, Box<Expr>),
    /// An expression the parser could not read (already reported).
    Error,
}

/// A piece of a string literal.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes decoded.
    Text(String),
    /// `${expr}`
    Interp(Expr),
}

/// `key = value` in a record literal.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordEntry {
    /// The key.
    pub key: RecordKey,
    /// The value.
    pub value: Expr,
    /// The whole entry.
    pub span: Span,
}

/// A record literal key.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordKey {
    /// `name = …`
    Ident(Ident),
    /// `"any key" = …`
    Str(String, Span),
}

impl RecordKey {
    /// The key text.
    pub fn text(&self) -> &str {
        match self {
            RecordKey::Ident(i) => &i.name,
            RecordKey::Str(s, _) => s,
        }
    }

    /// The key's span.
    pub fn span(&self) -> Span {
        match self {
            RecordKey::Ident(i) => i.span,
            RecordKey::Str(_, s) => *s,
        }
    }
}

/// The `for … in … [if …]` part of a comprehension, and its element.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    /// The produced element (the value, for a map comprehension).
    pub element: Expr,
    /// One name for lists; one or two (`k, v`) for maps.
    pub vars: Vec<Ident>,
    /// The iterated collection.
    pub iter: Expr,
    /// The filter.
    pub cond: Option<Expr>,
}

/// One arm of a `match`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// `a | b` alternatives.
    pub patterns: Vec<Pattern>,
    /// The arm's value.
    pub body: Expr,
    /// The whole arm.
    pub span: Span,
}

/// A `match` pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// `_`
    Wildcard(Span),
    /// A tier, region or stack name.
    Name(Ident),
    /// `"text"`
    Str(String, Span),
    /// `42`
    Int(i64, Span),
    /// `true` / `false`
    Bool(bool, Span),
}

impl Pattern {
    /// The pattern's span.
    pub fn span(&self) -> Span {
        match self {
            Pattern::Wildcard(s) | Pattern::Str(_, s) | Pattern::Int(_, s) | Pattern::Bool(_, s) => *s,
            Pattern::Name(i) => i.span,
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `??`
    Coalesce,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::Coalesce => "??",
        }
    }
}
