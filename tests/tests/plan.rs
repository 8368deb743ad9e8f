//! `sinfrac plan` end to end: a realistic change to a built copy of the example
//! (an object added in staging, one changed in prod_eu, two removed from latest,
//! prod_us untouched), as the human and markdown outputs show it (insta
//! snapshots), the JSON form, the exit codes, `--against` and `--stack`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{edit, example_copy, expect, tree};
use sinfra_tests::sinfrac;

/// Exit codes of `plan`.
const CHANGES: i32 = 3;
const REFUSED: i32 = 4;

/// The example, built, then changed: (guard, project).
fn changed_example() -> (tempfile::TempDir, PathBuf) {
    let (dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    edit(&project.join("services/api.sinfra"), "prod => 6 }", "prod => match region { europe_west1 => 8, _ => 6 } }");
    edit(
        &project.join("services/exporter.sinfra"),
        "service exporter: k8s.Worker {",
        "service exporter: k8s.Worker @[staging, prod] {",
    );
    fs::write(
        project.join("services/search.sinfra"),
        "import std.k8s\n\n/// Full-text search, tried in staging first.\nservice search: k8s.Worker @staging {\n  \
         image    = image(\"api\")\n  replicas = 1\n}\n",
    )
    .expect("a writable file");
    (dir, project)
}

fn plan(project: &Path, extra: &[&str]) -> sinfra_tests::Run {
    let mut args = vec!["plan", "."];
    args.extend_from_slice(extra);
    sinfrac(&args, project)
}

#[test]
fn unchanged_project_plans_nothing() {
    let (_dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    let run = expect(plan(&project, &[]), 0);
    assert!(run.stdout.contains("prod_us:  untouched"), "{}", run.stdout);
}

#[test]
fn human_plan_of_a_realistic_change() {
    let (_dir, project) = changed_example();
    let before = tree(&project.join("deploy"));
    let run = expect(plan(&project, &[]), CHANGES);
    insta::assert_snapshot!("plan_human", run.stdout);
    assert_eq!(tree(&project.join("deploy")), before, "plan wrote something");
}

#[test]
fn markdown_plan_of_a_realistic_change() {
    let (_dir, project) = changed_example();
    let run = expect(plan(&project, &["--format", "markdown"]), CHANGES);
    insta::assert_snapshot!("plan_markdown", run.stdout);
}

#[test]
fn json_plan_is_for_bots() {
    let (_dir, project) = changed_example();
    let run = expect(plan(&project, &["--format", "json"]), CHANGES);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["changed"], true);
    assert_eq!(doc["refused"], 0);
    let stacks = doc["stacks"].as_array().expect("stacks");
    let names: Vec<&str> = stacks.iter().map(|s| s["stack"].as_str().unwrap()).collect();
    assert_eq!(names, ["prod_us", "prod_eu", "latest", "staging"], "protected tiers first");
    let eu = &stacks[1];
    assert_eq!(eu["verdict"], "1 changed");
    assert_eq!(eu["changed"][0]["id"], "prod_eu/Rollout/api");
    assert_eq!(
        eu["changed"][0]["fields"][0],
        serde_json::json!({"path": "spec.replicas", "old": 6, "new": 8, "source": "services/api.sinfra:7"}),
        "the source is the user's line that sets `replicas`, not the stdlib template"
    );
    assert_eq!(stacks[2]["removed"][0]["refused"], false);
}

#[test]
fn against_another_directory_and_one_stack() {
    let (dir, project) = changed_example();
    let elsewhere = dir.path().join("previous");
    fs::rename(project.join("deploy"), &elsewhere).expect("movable");
    let against = elsewhere.to_string_lossy().into_owned();
    let run = expect(plan(&project, &["--against", &against, "--stack", "staging"]), CHANGES);
    assert!(run.stdout.contains("staging:  2 added"), "{}", run.stdout);
    assert!(!run.stdout.contains("prod_eu"), "{}", run.stdout);
    let run = expect(plan(&project, &["--against", &against, "--stack", "prod_us"]), 0);
    assert!(run.stdout.contains("prod_us:  untouched"), "{}", run.stdout);
}

#[test]
fn protected_deletion_is_refused_unless_allowed() {
    let (_dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    edit(
        &project.join("services/ingest.sinfra"),
        "protected service ingest: k8s.WebService {",
        "protected service ingest: k8s.WebService @[latest, staging, prod_us] {",
    );
    let run = expect(plan(&project, &[]), REFUSED);
    assert!(run.stdout.contains("prod_eu:  6 removed (6 refused)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  - Deployment/ingest  from prod-eu/ingest.yaml  [REFUSED: stack `prod_eu` is in the protected tier `prod`]"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("refusing to delete 6 protected objects"), "{}", run.stderr);
    assert!(run.stderr.contains("--allow-delete prod_eu/"), "{}", run.stderr);
    let md = expect(plan(&project, &["--format", "markdown"]), REFUSED).stdout;
    assert!(md.contains("> [!CAUTION]\n> 6 protected objects would be deleted"), "{md}");
    let mut args = vec!["plan".to_string(), ".".to_string()];
    for kind in [
        "ConfigMap/ingest-config",
        "Deployment/ingest",
        "HorizontalPodAutoscaler/ingest",
        "PodDisruptionBudget/ingest",
        "Service/ingest",
        "ServiceAccount/ingest",
    ] {
        args.extend(["--allow-delete".to_string(), format!("prod_eu/{kind}")]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = expect(sinfrac(&argv, &project), CHANGES);
    assert!(run.stdout.contains("allowed by --allow-delete"), "{}", run.stdout);
}

#[test]
fn plan_of_a_broken_project_is_an_error() {
    let (_dir, project) = example_copy();
    edit(&project.join("services/api.sinfra"), "replicas = match", "replicas = nope + match");
    let run = expect(plan(&project, &[]), 1);
    assert!(run.stderr.contains("no plan: fix the errors above"), "{}", run.stderr);
}

#[test]
fn objects_in_another_file_are_moved() {
    let (_dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    let deploy = project.join("deploy");
    fs::rename(deploy.join("latest/exporter.yaml"), deploy.join("latest/exporter-old.yaml")).expect("movable");
    let run = expect(plan(&project, &[]), CHANGES);
    assert!(run.stdout.contains("latest:   2 moved"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  > Deployment/exporter  moved from latest/exporter-old.yaml to latest/exporter.yaml"),
        "{}",
        run.stdout
    );
}

#[test]
fn hand_edited_files_are_reported() {
    let (_dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    edit(&project.join("deploy/prod-us/api.yaml"), "  replicas: 6\n", "  replicas: 7\n");
    let run = expect(plan(&project, &[]), CHANGES);
    assert!(
        run.stdout
            .contains("  hand-edited: prod-us/api.yaml (edited after sinfrac wrote it; the build overwrites the edit)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("      spec.replicas: 7 → 6"), "{}", run.stdout);
    let doc: serde_json::Value =
        serde_json::from_str(&expect(plan(&project, &["--format", "json"]), CHANGES).stdout).expect("JSON");
    assert_eq!(doc["hand_edited"], serde_json::json!(["prod-us/api.yaml"]));
    let md = expect(plan(&project, &["--format", "markdown"]), CHANGES).stdout;
    assert!(md.contains("> [!WARNING]\n> Edited by hand after sinfrac wrote them"), "{md}");
}

/// Runs `git` in `dir` (a test of `--against-rev` needs it, as CI does).
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=sinfra test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("runs git (needed by `plan --against-rev`)");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn against_a_git_revision_without_checkout() {
    let (_dir, project) = changed_example();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "-A"]);
    git(&project, &["commit", "-q", "-m", "the built example, then a change"]);
    // The working tree's output is rebuilt from the change; the committed one is the old output.
    expect(sinfrac(&["build", "."], &project), 0);
    expect(plan(&project, &[]), 0);
    let run = expect(plan(&project, &["--against-rev", "HEAD"]), CHANGES);
    let human = expect(changed_plan_in_a_fresh_copy(), CHANGES).stdout;
    assert_eq!(run.stdout.replacen("`deploy@HEAD`", "`deploy`", 1), human);
    let run = expect(plan(&project, &["--against-rev", "no-such-rev"]), 2);
    assert!(run.stderr.contains("cannot read revision `no-such-rev`"), "{}", run.stderr);
}

/// The plan of [`changed_example`], against its output directory.
fn changed_plan_in_a_fresh_copy() -> sinfra_tests::Run {
    let (_dir, project) = changed_example();
    plan(&project, &[])
}
