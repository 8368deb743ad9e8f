//! Labels survive every operation: each builtin and each expression form, fed
//! a tier-labelled input and a secret-labelled input, returns a labelled
//! result. Adding a builtin or an expression form without a row here fails:
//! builtins are compared with `Builtin::ALL`, expression forms through an
//! exhaustive `match` on `ExprKind` (a new variant does not compile until it is
//! named, and a named form without a row fails the test).

use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::eval::builtins::Builtin;
use sinfra_compiler::eval::let_value;
use sinfra_compiler::eval::value::{Label, Value};
use sinfra_compiler::hir::{Expr, ItemKind, item_hir};
use sinfra_compiler::index::project_index;
use sinfra_compiler::platform::platform_info;

/// `L(v)` is `v` labelled: with the latest cache's tier label (`T`) or a secret's label (`S`);
/// `lv_L` is a global `let` holding such a value.
const PROJECT: &str = r#"
import std.gcp
platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack dev_us { tier = latest, region = us, cluster = "https://k8s-dev" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }
resource cache: gcp.Redis {}
fn T(v: Any) -> Any = if cache@latest.host == "" then v else v
fn S(v: Any) -> Any = if secret("s") == secret("s") then v else v
fn id(v: Any) -> Any = v
let lv_T = T(1)
let lv_S = S(1)
"#;

/// One row per builtin: an expression calling it, with `L(…)` around the labelled input.
const BUILTINS: &[(&str, &str)] = &[
    ("image", r#"image(L("api"))"#),
    ("secret", r#"secret(L("db"), "password")"#),
    ("is_secret", r#"is_secret(L("x"))"#),
    ("len", r#"len(L("abc"))"#),
    ("keys", r#"keys(L({ a = 1 }))"#),
    ("values", r#"values(L({ a = 1 }))"#),
    ("contains", r#"contains(L(["a"]), "a")"#),
    ("join", r#"join([L("a"), "b"], ",")"#),
    ("lower", r#"lower(L("A"))"#),
    ("upper", r#"upper(L("a"))"#),
    ("replace", r#"replace(L("abc"), "b", "x")"#),
    ("starts_with", r#"starts_with(L("abc"), "a")"#),
    ("ends_with", r#"ends_with("abc", L("c"))"#),
    ("split", r#"split(L("a,b"), ",")"#),
    ("range", r#"range(L(3))"#),
    ("merge", r#"merge(L({ a = 1 }), { b = 2 })"#),
    ("is_dns_label", r#"is_dns_label(L("abc"))"#),
    ("is_dns_subdomain", r#"is_dns_subdomain(L("a.b"))"#),
    ("is_image_ref", r#"is_image_ref(L("ghcr.io/a/b:1"))"#),
    ("is_pinned", r#"is_pinned(L("ghcr.io/a/b:1"))"#),
    ("to_string", r#"to_string(L(42))"#),
    ("millis", r#"millis(L(30s))"#),
    ("seconds", r#"seconds(L(30s))"#),
];

/// One row per expression form (named by [`form`]): the form at the root of the expression.
const FORMS: &[(&str, &str)] = &[
    ("string", r#""x${L("a")}y""#),
    ("name", "lv_L"),
    ("field", "L({ a = 1 }).a"),
    // `@` is where tier labels come from: its `T` row selects the latest cache (no input to carry).
    ("at", "cache@dev_us"),
    ("index", "L([1, 2])[0]"),
    ("index-by", "[1, 2][L(0)]"),
    ("call", "id(L(1))"),
    ("list", "[L(1)]"),
    ("record", "{ a = L(1) }"),
    ("list-comprehension", "[x for x in L([1, 2])]"),
    ("map-comprehension", r#"{ [k] = 1 for k in L(["a"]) }"#),
    ("map-comprehension-key", r#"keys({ [k] = 1 for k in [L("a")] })"#),
    ("unary", "-L(1)"),
    ("binary", "L(1) + 2"),
    ("comparison", "L(1) < 2"),
    ("and", "L(true) && true"),
    ("coalesce", "L(none) ?? 1"),
    ("if", "if L(true) then 1 else 2"),
    ("match", "match L(1) { 1 => 10, _ => 20 }"),
    ("let", "let x = L(1) in x + 1"),
];

/// The form of an expression's root; exhaustive, so a new HIR `Expr` must be named.
fn form(expr: &Expr) -> Option<&'static str> {
    Some(match expr {
        Expr::Str(_) => "string",
        Expr::Name(_) => "name",
        Expr::Field(..) => "field",
        Expr::At(..) => "at",
        Expr::Index(..) => "index",
        Expr::Call(..) => "call",
        Expr::List(_) => "list",
        Expr::Record(_) => "record",
        Expr::ListComp(_) => "list-comprehension",
        Expr::MapComp(..) => "map-comprehension",
        Expr::Unary(..) => "unary",
        Expr::Binary(..) => "binary",
        Expr::If(..) => "if",
        Expr::Match(..) => "match",
        Expr::Let { .. } => "let",
        // Literals and `self` take no input to carry labels from; a local is the
        // value it was bound to (the `let` and comprehension rows cover it).
        Expr::Int(_)
        | Expr::Float(_)
        | Expr::Bool(_)
        | Expr::None
        | Expr::Unit { .. }
        | Expr::SelfRef
        | Expr::Local(_)
        | Expr::Missing => return None,
        // `super.f` is the base's member expression evaluated as it is: its own
        // forms carry the labels (`tests/cases/tiers/e0301_super.sinfra`).
        Expr::Super(_) => return None,
    })
}

/// Every form [`form`] names.
const ALL_FORMS: &[&str] = &[
    "string",
    "name",
    "field",
    "at",
    "index",
    "call",
    "list",
    "record",
    "list-comprehension",
    "map-comprehension",
    "unary",
    "binary",
    "if",
    "match",
    "let",
];

struct Row {
    name: String,
    let_name: String,
    label: char,
}

fn load(rows: &[(&str, &str)]) -> (Database, Project, Vec<Row>) {
    let mut text = PROJECT.to_string();
    let mut out = Vec::new();
    for (i, (name, expr)) in rows.iter().enumerate() {
        for label in ['T', 'S'] {
            let let_name = format!("row_{i}_{label}");
            let expr = expr.replace("L(", &format!("{label}(")).replace("lv_L", &format!("lv_{label}"));
            text.push_str(&format!("let {let_name} = {expr}\n"));
            out.push(Row { name: name.to_string(), let_name, label });
        }
    }
    let mut db = Database::default();
    let project = db.load_project(
        vec![("labels.sinfra".into(), text)],
        "[project]\nname = \"labels\"\n".into(),
        Some("api = \"ghcr.io/acme/api:1.0\"\n".into()),
    );
    (db, project, out)
}

/// The rows whose result lacks the label, and the rows that failed to evaluate.
fn unlabelled(db: &Database, project: Project, rows: &[Row]) -> Vec<String> {
    let index = project_index(db, project);
    let stack = platform_info(db, project).stacks.iter().find(|s| s.name == "prod_us").unwrap().item;
    let mut failures = Vec::new();
    for row in rows {
        let item = index.global(&row.let_name).expect("row let");
        let evaluated = let_value(db, project, item, Some(stack));
        let value: &Value = &evaluated.value;
        if value.is_error() || !evaluated.diags.is_empty() {
            failures.push(format!("{} ({}): evaluation failed: {:?}", row.name, row.label, evaluated.diags));
            continue;
        }
        let mut labels = Vec::new();
        value.deep_labels(&mut labels);
        let has = labels.iter().any(|l| {
            matches!((row.label, l), ('T', Label::Instance { tier: Some(_), .. }) | ('S', Label::Secret { .. }))
        });
        // Whether a value is a secret is not secret: `is_secret` drops secret labels by design.
        // `@` takes no input: only its tier label is checked.
        let exempt = (row.name == "is_secret" || row.name == "at") && row.label == 'S';
        if has == exempt {
            failures.push(format!("{} ({}): labels {labels:?}", row.name, row.label));
        }
    }
    failures
}

#[test]
fn every_builtin_carries_labels() {
    let mut names: Vec<&str> = BUILTINS.iter().map(|(n, _)| *n).collect();
    names.sort();
    let mut known: Vec<&str> = Builtin::ALL.iter().map(|b| b.name()).collect();
    known.sort();
    assert_eq!(names, known, "every builtin needs exactly one row in BUILTINS");
    let (db, project, rows) = load(BUILTINS);
    let failures = unlabelled(&db, project, &rows);
    assert!(failures.is_empty(), "builtins that drop labels:\n{}", failures.join("\n"));
}

#[test]
fn every_expression_form_carries_labels() {
    let (db, project, rows) = load(FORMS);
    let index = project_index(&db, project);
    // Every named form has a row whose root is that form.
    let mut covered: Vec<&str> = Vec::new();
    for row in &rows {
        let item = index.global(&row.let_name).unwrap();
        let hir = item_hir(&db, item);
        let ItemKind::Let { value, .. } = &hir.kind else { panic!("row is a let") };
        covered.extend(form(&hir.body[*value]));
    }
    for f in ALL_FORMS {
        assert!(covered.contains(f), "expression form `{f}` has no row in FORMS");
    }
    let failures = unlabelled(&db, project, &rows);
    assert!(failures.is_empty(), "expression forms that drop labels:\n{}", failures.join("\n"));
}
