//! Limits that fit real code: nesting is capped (E0003, reported once), but a
//! chain — a sum of 10,000 terms, `&&`/`||` chains, `else if` and
//! `let … in` chains — is not nesting and checks and builds, in process and
//! end to end. Deep nesting of `if … then` and `let … in` is cut by the parser
//! like deep brackets.

use std::fs;

use sinfra_compiler::diagnostics::{Code, Diagnostic};
use sinfra_tests::{DEFAULT_MANIFEST, DEFAULT_VERSIONS, check_project, sinfrac};

const N: usize = 10_000;

const PLATFORM: &str = r#"import std.k8s

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack dev_us { tier = latest, region = us, cluster = "https://k8s-dev-us" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod-us" }
"#;

/// A project whose service reads values computed by chains of `N` links.
fn chains() -> String {
    let join = |sep: &str, item: &dyn Fn(usize) -> String| (0..N).map(item).collect::<Vec<_>>().join(sep);
    let sum = join(" + ", &|_| "one".to_string());
    let all = join(" && ", &|_| "yes".to_string());
    let any = join(" || ", &|_| "!yes".to_string());
    let names = join(" + ", &|i| format!("\"{}{}\"", i % 10, i % 7));
    let else_if = join(" else ", &|i| format!("if one == {} then \"{i}\"", i + 2));
    let lets = join(" ", &|i| format!("let x{i} = {i} in"));
    format!(
        "{PLATFORM}
let one = 1
let yes = true
let sum = {sum}
let all = {all}
let any = {any}
let text = {names}
let pick = {else_if} else \"none\"
let last = {lets} x{last}

service api: k8s.WebService {{
  image = image(\"api\")
  env = {{
    SUM  = to_string(sum)
    ALL  = to_string(all && !any)
    TEXT = to_string(len(text))
    PICK = pick
    LAST = to_string(last)
  }}
}}
",
        last = N - 1
    )
}

/// Runs `f` on a thread with the stack `sinfrac` gives the compiler.
fn on_compiler_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(sinfra_compiler::parallel::STACK_SIZE)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("no panic")
}

fn check(text: String) -> Vec<Diagnostic> {
    on_compiler_stack(move || {
        check_project(vec![("main.sinfra".to_string(), text)], DEFAULT_MANIFEST, Some(DEFAULT_VERSIONS))
    })
}

#[test]
fn chains_of_ten_thousand_check_clean() {
    let diags = check(chains());
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn chains_of_ten_thousand_build_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("sinfra.toml"), DEFAULT_MANIFEST).unwrap();
    fs::write(dir.path().join("versions.toml"), DEFAULT_VERSIONS).unwrap();
    fs::write(dir.path().join("main.sinfra"), chains()).unwrap();
    let run = sinfrac(&["build"], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = fs::read_to_string(dir.path().join("deploy/dev-us/api.yaml")).expect("the service's manifests");
    for expected in [
        "name: SUM\n          value: \"10000\"",
        "name: ALL\n          value: \"true\"",
        "name: TEXT\n          value: \"20000\"",
        "name: PICK\n          value: none",
        "name: LAST\n          value: \"9999\"",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in\n{out}");
    }
}

#[test]
fn deep_calls_are_reported_once() {
    // Each function adds to the previous one's result: 400 calls nest 800 levels.
    let mut text = format!("{PLATFORM}\nfn f0(x: Int) -> Int = x\n");
    for i in 1..400 {
        text.push_str(&format!("fn f{i}(x: Int) -> Int = f{}(x) + 1\n", i - 1));
    }
    text.push_str("let deep = f399(1)\n");
    let diags = check(text);
    let deep: Vec<_> = diags.iter().filter(|d| d.code == Code::NestingTooDeep).collect();
    assert_eq!(deep.len(), 1, "{diags:#?}");
    assert!(deep[0].message.contains("the limit is 300"), "{}", deep[0].message);
    assert!(deep[0].help.as_deref().is_some_and(|h| h.contains("`let`")), "{:?}", deep[0].help);
}

#[test]
fn deep_if_and_let_nesting_is_cut_by_the_parser() {
    for (open, close) in [("if true then ", " else 0"), ("let a = ", " in a"), ("match ", " { _ => 1 }")] {
        let inner = if open == "let a = " { "1" } else { "true" };
        let deep = 400_000;
        let text = format!("let deep = {}{inner}{}\n", open.repeat(deep), close.repeat(deep));
        let started = std::time::Instant::now();
        let diags = check(text);
        assert!(started.elapsed().as_secs() < 30, "{open}: {:?}", started.elapsed());
        let too_deep: Vec<_> = diags.iter().filter(|d| d.code == Code::NestingTooDeep).collect();
        assert_eq!(too_deep.len(), 1, "{open}: {diags:#?}");
        assert!(too_deep[0].message.contains("nested deeper than 256 levels"), "{}", too_deep[0].message);
    }
}
