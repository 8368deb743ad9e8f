//! End-to-end tests of `sinfrac check`, `eval` and `explain`, run against the real binary:
//! exit codes, the three output formats carrying the same diagnostics, and the issue's
//! acceptance case (a typo, a bad port and a syntax error, all three reported).

use std::fs;

use sinfra_tests::{repo_root, sinfrac};

/// A project with a typo, a bad port and a syntax error.
fn broken_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("sinfra.toml"), "[project]\nname = \"demo\"\n").unwrap();
    fs::write(dir.path().join("versions.toml"), "api = \"ghcr.io/acme/api:1.0.0\"\n").unwrap();
    fs::write(
        dir.path().join("main.sinfra"),
        r#"import std.k8s

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }

service api: k8s.WebService {
  image   = image("api")
  replica = 3
  port    = 70000
  cpu     = = 1
}
"#,
    )
    .unwrap();
    dir
}

#[test]
fn check_reports_typo_bad_port_and_syntax_error() {
    let dir = broken_project();
    let run = sinfrac(&["check"], dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    for expected in [
        "error[E0104]: unknown field `replica` in `WebService`",
        "did you mean `replicas`?",
        "fix: replace `replica` with `replicas`",
        "error[E0202]: `70000` is not a valid `Port`",
        "error[E0001]: syntax error: unexpected `=`",
        "main.sinfra:12:3",
        "main.sinfra:13:13",
        "main.sinfra:14:13",
        "error: 3 errors",
    ] {
        assert!(run.stderr.contains(expected), "missing `{expected}` in:\n{}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "human output goes to stderr");
    assert!(!dir.path().join("deploy").exists(), "check writes nothing");
}

#[test]
fn json_and_sarif_carry_the_same_diagnostics() {
    let dir = broken_project();
    let json = sinfrac(&["check", "--format", "json"], dir.path());
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    let diags = doc["diagnostics"].as_array().expect("diagnostics");
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0104", "E0202", "E0001"]);
    assert_eq!(diags[0]["fix"]["replacement"], "replicas");
    assert_eq!(diags[0]["start"]["line"], 12);
    assert_eq!(doc["summary"]["errors"], 3);

    let sarif = sinfrac(&["check", "--format", "sarif"], dir.path());
    assert_eq!(sarif.code, 1);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("valid SARIF JSON");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let rule_ids: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(rule_ids, codes);
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 12);
}

#[test]
fn exit_codes() {
    let example = repo_root().join("examples/acme");
    assert_eq!(sinfrac(&["check"], &example).code, 0, "the example checks clean");
    let empty = tempfile::tempdir().unwrap();
    let run = sinfrac(&["check"], empty.path());
    assert_eq!(run.code, 2, "no project is an I/O error: {}", run.stderr);
    assert!(run.stderr.contains("no `sinfra.toml`"), "{}", run.stderr);
    assert_eq!(sinfrac(&["check", "--format", "xml"], &example).code, 2, "usage error");
}

#[test]
fn explain_serves_every_code() {
    let here = repo_root();
    let list = sinfrac(&["explain"], &here);
    assert_eq!(list.code, 0);
    for code in ["E0001", "E0104", "E0301", "E0303", "E0401"] {
        assert!(list.stdout.contains(code), "{code} missing from the list");
        let page = sinfrac(&["explain", code], &here);
        assert_eq!(page.code, 0);
        assert!(page.stdout.starts_with(&format!("# {code}")), "{}", page.stdout);
    }
    assert_eq!(sinfrac(&["explain", "e301"], &here).code, 0, "lenient spelling");
    let unknown = sinfrac(&["explain", "E9999"], &here);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown diagnostic code"), "{}", unknown.stderr);
}

#[test]
fn eval_shows_per_stack_values() {
    let example = repo_root().join("examples/acme");
    let run = sinfrac(&["eval", "--item", "cache", "--stack", "prod_eu"], &example);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("host: cache.prod-eu.redis.europe-west1.gcp.internal"), "{}", run.stdout);
    let json = sinfrac(&["eval", "--item", "api", "--stack", "latest", "--format", "json"], &example);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["api"]["replicas"], 1);
    assert_eq!(doc["api"]["env"]["DATABASE_PASSWORD"]["secret"], "config-db");
    let missing = sinfrac(&["eval", "--item", "api"], &example);
    assert_eq!(missing.code, 2, "a per-stack value needs --stack");
    assert!(missing.stderr.contains("--stack"), "{}", missing.stderr);
}

/// `eval` takes its project as a positional path, like `check` and `build`;
/// `--path` still works, and the old `eval ITEM` says how to write it now.
#[test]
fn eval_takes_the_project_as_a_positional_path() {
    let root = repo_root();
    let here = sinfrac(&["eval", "examples/acme", "--item", "cache", "--stack", "prod_eu"], &root);
    assert_eq!(here.code, 0, "{}", here.stderr);
    assert!(here.stdout.contains("host: cache.prod-eu.redis.europe-west1.gcp.internal"), "{}", here.stdout);
    let flag = sinfrac(&["eval", "--path", "examples/acme", "--item", "cache", "--stack", "prod_eu"], &root);
    assert_eq!(flag.code, 0, "{}", flag.stderr);
    assert_eq!(flag.stdout, here.stdout);
    let old = sinfrac(&["eval", "cache", "--stack", "prod_eu"], &root.join("examples/acme"));
    assert_eq!(old.code, 2);
    assert!(old.stderr.contains("sinfrac eval --item cache"), "{}", old.stderr);
}

#[test]
fn templates_extend_without_forking_the_stdlib() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"demo\"\n").unwrap();
    fs::write(root.join("versions.toml"), "api = \"ghcr.io/acme/api:1.0.0\"\n").unwrap();
    fs::write(
        root.join("main.sinfra"),
        r#"import std.k8s

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
region us = "us-central1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }

/// The company's web service: the stdlib's, plus a team label and a NetworkPolicy.
schema AcmeWeb extends k8s.WebService {
  team: String
  labels = { "acme.dev/team" = team }
  extra_manifests = [{
    apiVersion = "networking.k8s.io/v1"
    kind = "NetworkPolicy"
    metadata = { name = "${name}-ingress", namespace = stack.namespace }
    spec = { podSelector = { matchLabels = { "app.kubernetes.io/name" = name } }, policyTypes = ["Ingress"] }
  }]
}

service api: AcmeWeb {
  image = image("api")
  team  = "core"
}
"#,
    )
    .unwrap();
    let run = sinfrac(&["build", "--out", "out"], root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let api = fs::read_to_string(root.join("out/latest/api.yaml")).unwrap();
    assert!(api.contains("kind: NetworkPolicy"), "{api}");
    assert!(api.contains("name: api-ingress"), "{api}");
    assert!(api.contains("acme.dev/team: core"), "{api}");
    assert!(api.contains("kind: Deployment"), "the stdlib's objects are still there: {api}");
}

#[test]
fn a_byte_order_mark_is_accepted_in_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let bom = "\u{FEFF}";
    fs::write(root.join("sinfra.toml"), format!("{bom}[project]\nname = \"demo\"\n")).unwrap();
    fs::write(root.join("versions.toml"), format!("{bom}api = \"ghcr.io/acme/api:1.0.0\"\n")).unwrap();
    fs::write(root.join("main.sinfra"), format!("{bom}{}", sinfra_tests::SMALL_PROJECT)).unwrap();
    let run = sinfrac(&["check"], root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Columns on the first line do not count the mark.
    fs::write(root.join("bad.sinfra"), format!("{bom}let x = #\n")).unwrap();
    let run = sinfrac(&["check", "--format", "json"], root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let first = &doc["diagnostics"][0];
    assert_eq!(
        (&first["code"], &first["start"]["line"], &first["start"]["column"]),
        (&"E0002".into(), &1.into(), &9.into())
    );
    assert_eq!(first["span"]["start"], 11, "spans are byte offsets in the file as written");
}

#[test]
fn files_that_are_not_utf8_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"demo\"\n").unwrap();
    fs::write(root.join("versions.toml"), "api = \"ghcr.io/acme/api:1.0.0\"\n").unwrap();
    fs::write(root.join("main.sinfra"), sinfra_tests::SMALL_PROJECT).unwrap();
    fs::create_dir(root.join("sub")).unwrap();
    // Latin-1 `é` (0xE9) at byte offset 22: line 2, column 13.
    fs::write(root.join("sub/latin1.sinfra"), b"let a = 1\nlet b = \"caf\xe9\"\n").unwrap();
    let absolute = fs::canonicalize(root).unwrap().display().to_string();

    let human = sinfrac(&["check"], root);
    assert_eq!(human.code, 1, "{}", human.stderr);
    for expected in [
        "error[E0004]: `sub/latin1.sinfra` is not valid UTF-8: invalid byte 0xE9 at byte offset 22 (line 2, column 13)",
        "sub/latin1.sinfra:2:13",
        "error: 1 error",
    ] {
        assert!(human.stderr.contains(expected), "missing `{expected}` in:\n{}", human.stderr);
    }
    assert!(!human.stderr.contains(&absolute), "no absolute path: {}", human.stderr);

    let json = sinfrac(&["check", "--format", "json"], root);
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    let diags = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "the root cause only: {diags:?}");
    assert_eq!(diags[0]["code"], "E0004");
    assert_eq!(diags[0]["file"], "sub/latin1.sinfra");
    assert_eq!(diags[0]["span"]["start"], 22);
    assert_eq!(diags[0]["start"]["line"], 2);

    let sarif = sinfrac(&["check", "--format", "sarif"], root);
    assert_eq!(sarif.code, 1);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("valid SARIF JSON");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "E0004");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "sub/latin1.sinfra");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["byteOffset"], 22);

    // The manifest and the versions file too; nothing is built.
    fs::remove_file(root.join("sub/latin1.sinfra")).unwrap();
    fs::write(root.join("sinfra.toml"), b"[project]\nname = \"d\xffmo\"\n").unwrap();
    fs::write(root.join("versions.toml"), b"\xfe\xffapi = \"x\"\n").unwrap();
    let run = sinfrac(&["build"], root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("`sinfra.toml` is not valid UTF-8: invalid byte 0xFF at byte offset 19"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`versions.toml` is not valid UTF-8: invalid byte 0xFE at byte offset 0"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("error: 2 errors"), "{}", run.stderr);
    assert!(!root.join("deploy").exists(), "nothing written");
}

/// `sinfrac … | head`: a reader that stops early is no crash. Standard
/// output is a pipe whose reading end is already closed, so every write fails.
#[test]
fn closed_stdout_is_not_a_crash() {
    let example = repo_root().join("examples/acme");
    for args in [&["explain"][..], &["check", "--format", "json"], &["eval", "--item", "api", "--stack", "prod_us"]] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = std::process::Command::new(sinfra_tests::sinfrac_bin())
            .args(args)
            .current_dir(&example)
            .stdout(writer)
            .output()
            .expect("run sinfrac");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// A full disk behind a redirection is an error, reported, not a crash.
#[cfg(target_os = "linux")]
#[test]
fn unwritable_stdout_fails_the_command() {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = std::process::Command::new(sinfra_tests::sinfrac_bin())
        .arg("explain")
        .stdout(full)
        .output()
        .expect("run sinfrac");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write to standard output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
