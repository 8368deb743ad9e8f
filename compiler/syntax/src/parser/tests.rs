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
