use super::*;

fn ok(src: &str) -> File {
    let p = parse(src);
    assert!(p.errors.is_empty(), "unexpected errors: {:?}", p.errors);
    p.file
}

#[test]
fn parses_the_brief_example() {
    let src = r#"
import std.k8s

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack prod_us { tier = prod, region = us, cluster = "https://k8s" }

/// Session cache.
resource cache: gcp.Redis { memory_gb = match tier { prod => 16, _ => 1 } }
shared protected resource bucket: gcp.Bucket @[prod, latest] {}

/// Public HTTP API.
service api: k8s.WebService @prod {
  image = image("api")
  /// The port.
  port = 8080
  cpu = 500m
  env = {
    REDIS = "redis://${cache@latest.host}:${cache.port}"
    "a.b" = [x * 2 for x in [1, 2] if x > 0]
    M = { [k] = v for k, v in m }
  }
}

schema Limits extends Base {
  /// CPU.
  cpu: Cpu = 500m
  @address host: String?
  env: {String: String | Secret} = {}
  check cpu > 0 else "positive"
}

type Port = Int where self >= 1 && self <= 65535 else "bad port"
type Protocol = "TCP" | "UDP"
fn url(h: String, p: Int) -> String = let x = h in "${x}:${p}"
policy prod_replicas: k8s.WebService @prod { check replicas >= 3 else "three" }
"#;
    let file = ok(src);
    assert_eq!(file.items.len(), 14);
    let api = &file.items[8];
    assert_eq!(api.doc.as_deref(), Some("Public HTTP API."));
    let ItemKind::Service(svc) = &api.kind else { panic!("not a service") };
    assert_eq!(svc.selector.as_ref().unwrap().names[0].name, "prod");
    let Member::Assign(port) = &svc.body.members[1] else { panic!() };
    assert_eq!(port.doc.as_deref(), Some("The port."));
    let ItemKind::Schema(s) = &file.items[9].kind else { panic!() };
    let Member::FieldDecl(host) = &s.body.members[1] else { panic!() };
    assert_eq!(host.attrs[0].name, "address");
}

#[test]
fn postfix_at_needs_no_space() {
    let file = ok("let a = cache@latest.host");
    let ItemKind::Let(l) = &file.items[0].kind else { panic!() };
    let ExprKind::Field(inner, f) = &l.value.kind else { panic!("{:?}", l.value.kind) };
    assert_eq!(f.name, "host");
    assert!(matches!(inner.kind, ExprKind::At(..)));
}

#[test]
fn recovers_and_reports_several_errors() {
    let src = "service a: S {\n  x = = 1\n  y = 2\n}\nservice b: S { z = ) }\nservice c: S { w = 3 }\n";
    let p = parse(src);
    assert!(p.errors.len() >= 2, "{:?}", p.errors);
    let names: Vec<_> = p.file.items.iter().filter_map(|i| i.name()).map(|n| n.name.clone()).collect();
    assert_eq!(names, vec!["a", "b", "c"]);
    let ItemKind::Service(a) = &p.file.items[0].kind else { panic!() };
    assert!(a.body.members.iter().any(|m| matches!(m, Member::Assign(x) if x.name.name == "y")));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!("let a = {}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let p = parse(&src);
    assert!(p.errors.iter().any(|e| e.kind == SyntaxErrorKind::TooDeep));
    let src = format!("let a = {}1", "-".repeat(5_000));
    let _ = parse(&src);
}

#[test]
fn precedence() {
    let file = ok("let a = 1 + 2 * 3 == 7 && !b || c ?? d");
    let ItemKind::Let(l) = &file.items[0].kind else { panic!() };
    assert!(matches!(l.value.kind, ExprKind::Binary(BinaryOp::Coalesce, ..)));
}

#[test]
fn chains_are_not_nesting() {
    // Parsed and dropped on a small stack: chains are parsed in loops, and a
    // chain's tree, as deep as the chain is long, is dropped in a loop.
    let run = || {
        for src in [
            format!("let a = {}", vec!["x"; 200_000].join(" + ")),
            format!("let a = x{}", ".y".repeat(200_000)),
            format!("let a = {}", "!".repeat(200_000) + "x"),
            format!("let a = {} else 0", vec!["if x then 1"; 50_000].join(" else ")),
            format!("let a = {} x", "let x = 1 in ".repeat(50_000)),
            format!("let a: Int{} = 1", " ?".repeat(100_000)),
        ] {
            let p = parse(&src);
            assert!(p.errors.is_empty(), "{:?}", &p.errors[..1]);
        }
    };
    std::thread::Builder::new().stack_size(4 << 20).spawn(run).unwrap().join().unwrap();
}

#[test]
fn if_let_and_match_nest() {
    for (open, close) in [("if x then ", " else 0"), ("let y = ", " in y"), ("match ", " { _ => 1 }")] {
        let src = format!("let a = {}x{}", open.repeat(300), close.repeat(300));
        let p = parse(&src);
        assert_eq!(p.errors.iter().filter(|e| e.kind == SyntaxErrorKind::TooDeep).count(), 1, "{open}");
        let src = format!("let a = {}x{}", open.repeat(200), close.repeat(200));
        assert!(parse(&src).errors.is_empty(), "{open}: 200 levels are fine");
    }
    // Declarations are not nesting: 1,000 `let`s in a row.
    assert!(parse(&"let a = 1\n".repeat(1_000)).errors.is_empty());
    assert!(parse(&format!("service s: S {{ {} }}", "let a = 1, ".repeat(1_000))).errors.is_empty());
}

#[test]
fn a_field_name_may_be_quoted() {
    let file = ok("schema S {\n  \"$ref\": String?\n  \"if\": Int = 1\n  plain: Bool\n}");
    let ItemKind::Schema(s) = &file.items[0].kind else { panic!() };
    let names: Vec<&str> = s
        .body
        .members
        .iter()
        .map(|m| match m {
            Member::FieldDecl(f) => f.name.text(),
            _ => panic!("not a field: {m:?}"),
        })
        .collect();
    assert_eq!(names, ["$ref", "if", "plain"]);
}
