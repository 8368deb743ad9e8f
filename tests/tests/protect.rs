//! Deletion protection, end to end: `sinfrac build` refuses to remove an object
//! of a protected tier or item (exit 4, nothing written) unless `--allow-delete`
//! or the platform's `allow_delete` names it.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use common::{edit, example_copy, expect, tree};
use sinfra_tests::sinfrac;

/// Exit code of a refused deletion.
const REFUSED: i32 = 4;

/// The example built once, then `ingest` (a protected service, also in the protected prod tier) removed.
fn ingest_removed() -> (tempfile::TempDir, PathBuf, BTreeMap<PathBuf, Vec<u8>>) {
    let (dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    let before = tree(&project.join("deploy"));
    fs::remove_file(project.join("services/ingest.sinfra")).expect("removable");
    (dir, project, before)
}

/// Every `--allow-delete` argument a refusal names.
fn refused_ids(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  - "))
        .map(|l| l.split_once(' ').map_or(l, |(id, _)| id).to_string())
        .collect()
}

#[test]
fn removing_a_protected_prod_service_is_refused_and_nothing_is_written() {
    let (_dir, project, before) = ingest_removed();
    let run = expect(sinfrac(&["build", "."], &project), REFUSED);
    assert!(run.stderr.contains("refusing to delete 21 protected objects; nothing was written"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "  - prod_us/Deployment/ingest (stack prod_us, namespace acme, in `prod-us/ingest.yaml`): \
             stack `prod_us` is in the protected tier `prod`"
        ),
        "{}",
        run.stderr
    );
    // In an unprotected tier, the item's own protection (from the old header: the item is gone).
    assert!(
        run.stderr.contains(
            "  - latest/Deployment/ingest (stack latest, namespace acme, in `latest/ingest.yaml`): the previous \
             output marks it protected (header of `latest/ingest.yaml`) and its item no longer exists"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-delete latest/ConfigMap/ingest-config"), "{}", run.stderr);
    assert!(run.stderr.contains("allow_delete = [{ object = \"latest/ConfigMap/ingest-config\""), "{}", run.stderr);
    assert_eq!(tree(&project.join("deploy")), before, "a refused build changed the output");
    // `--check` judges the same: the diff, then the refusal.
    let run = expect(sinfrac(&["build", ".", "--check"], &project), REFUSED);
    assert!(run.stdout.contains("stale: prod-us/ingest.yaml"), "{}", run.stdout);
    assert!(run.stderr.contains("refusing to delete 21 protected objects"), "{}", run.stderr);
    // A partial build judges only its stacks' objects.
    let run = expect(sinfrac(&["build", ".", "--stack", "prod_eu"], &project), REFUSED);
    assert!(run.stderr.contains("refusing to delete 6 protected objects"), "{}", run.stderr);
    assert!(refused_ids(&run.stderr).iter().all(|id| id.starts_with("prod_eu/")), "{}", run.stderr);
    assert_eq!(tree(&project.join("deploy")), before);
}

#[test]
fn allow_delete_on_the_command_line_permits_the_deletion() {
    let (_dir, project, _) = ingest_removed();
    let ids = refused_ids(&expect(sinfrac(&["build", "."], &project), REFUSED).stderr);
    assert_eq!(ids.len(), 21);
    let mut args = vec!["build".to_string(), ".".to_string()];
    // All but one: still refused, naming only that one.
    for id in &ids[1..] {
        args.extend(["--allow-delete".to_string(), id.clone()]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = expect(sinfrac(&argv, &project), REFUSED);
    assert_eq!(refused_ids(&run.stderr), [ids[0].clone()]);
    args.extend(["--allow-delete".to_string(), ids[0].to_lowercase()]); // kinds in any case
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    expect(sinfrac(&argv, &project), 0);
    assert!(!project.join("deploy/prod-us/ingest.yaml").exists());
    // A malformed argument is a usage error naming the expected shape.
    let run = expect(sinfrac(&["build", ".", "--allow-delete", "prod_us/ingest"], &project), 2);
    assert!(run.stderr.contains("is not `STACK/KIND/NAME`"), "{}", run.stderr);
}

#[test]
fn allow_delete_in_the_platform_block_permits_the_deletion() {
    let (_dir, project, _) = ingest_removed();
    let ids = refused_ids(&expect(sinfrac(&["build", "."], &project), REFUSED).stderr);
    let entries: Vec<String> = ids
        .iter()
        .map(|id| format!("    {{ object = \"{id}\", reason = \"ingest moved to the events pipeline (OPS-42)\" }},"))
        .collect();
    edit(
        &project.join("platform.sinfra"),
        "  argo_project    = \"acme\"\n",
        &format!("  argo_project    = \"acme\"\n  allow_delete = [\n{}\n  ]\n", entries.join("\n")),
    );
    expect(sinfrac(&["build", "."], &project), 0);
    assert!(!project.join("deploy/prod-eu/ingest.yaml").exists());
    // Once built, the entries name nothing: a warning says to remove them.
    let run = expect(sinfrac(&["build", "."], &project), 0);
    assert!(run.stderr.contains("names no object this build deletes"), "{}", run.stderr);
}

#[test]
fn allow_delete_entries_are_checked() {
    let (_dir, project) = example_copy();
    edit(
        &project.join("platform.sinfra"),
        "  argo_project    = \"acme\"\n",
        "  argo_project    = \"acme\"\n  allow_delete = [{ object = \"prod_us/api\", reason = \" \" }]\n",
    );
    let run = expect(sinfrac(&["check", "."], &project), 1);
    assert!(run.stderr.contains("object is `STACK/KIND/NAME`"), "{}", run.stderr);
    assert!(run.stderr.contains("reason says why the deletion is safe"), "{}", run.stderr);
}

#[test]
fn removing_an_unprotected_latest_only_object_is_fine() {
    let (_dir, project) = example_copy();
    let exporter = project.join("services/exporter.sinfra");
    edit(&exporter, "service exporter: k8s.Worker {", "service exporter: k8s.Worker @latest {");
    expect(sinfrac(&["build", "."], &project), 0);
    assert!(project.join("deploy/latest/exporter.yaml").exists());
    fs::remove_file(&exporter).expect("removable");
    let run = expect(sinfrac(&["build", "."], &project), 0);
    assert!(!run.stderr.contains("refusing"), "{}", run.stderr);
    assert!(!project.join("deploy/latest/exporter.yaml").exists());
}

#[test]
fn a_previous_file_that_is_not_yaml_is_a_clear_error() {
    let (_dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    let file = project.join("deploy/prod-us/api.yaml");
    fs::write(&file, "kind: [unclosed\n").expect("writable");
    let run = expect(sinfrac(&["build", "."], &project), 2);
    assert!(run.stderr.contains("the previous output's `prod-us/api.yaml` is not valid YAML"), "{}", run.stderr);
    assert!(
        run.stderr.contains("restore the file from version control (`git checkout -- <out>/prod-us/"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(&file).expect("readable"), "kind: [unclosed\n", "nothing written");
    let run = expect(sinfrac(&["plan", "."], &project), 2);
    assert!(run.stderr.contains("is not valid YAML"), "{}", run.stderr);
}

/// A rename recorded in the platform block's `renames` is one rename, not a
/// refused deletion plus an addition; unrecorded, the same change is refused.
#[test]
fn a_recorded_rename_is_no_deletion() {
    let (_dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    let service = project.join("services/ingest.sinfra");
    edit(&service, "protected service ingest: k8s.WebService {", "protected service ingestor: k8s.WebService {");
    edit(&service, "image(\"ingest\")", "image(\"ingestor\")");
    let versions = fs::read_to_string(project.join("versions.toml")).unwrap();
    fs::write(
        project.join("versions.toml"),
        versions.replace("\ningest ", "\ningestor ").replace("\ningest=", "\ningestor="),
    )
    .unwrap();
    let ids = refused_ids(&expect(sinfrac(&["build", "."], &project), REFUSED).stderr);
    assert!(ids.iter().any(|id| id == "prod_us/Deployment/ingest"), "{ids:?}");
    // Record every rename but one: that one is still refused.
    let (kept, recorded) = ids.split_first().unwrap();
    let entries: Vec<String> = recorded
        .iter()
        .map(|id| format!("    {{ from = \"{id}\", to = \"{}\" }},", id.replacen("/ingest", "/ingestor", 1)))
        .collect();
    edit(
        &project.join("platform.sinfra"),
        "  argo_project    = \"acme\"\n",
        &format!("  argo_project    = \"acme\"\n  renames = [\n{}\n  ]\n", entries.join("\n")),
    );
    let run = expect(sinfrac(&["build", "."], &project), REFUSED);
    assert_eq!(refused_ids(&run.stderr), std::slice::from_ref(kept), "{}", run.stderr);
    // A rename to an object the build does not make is no rename.
    edit(
        &project.join("platform.sinfra"),
        "  renames = [\n",
        &format!("  renames = [\n    {{ from = \"{kept}\", to = \"prod_us/Deployment/nowhere\" }},\n"),
    );
    let run = expect(sinfrac(&["build", "."], &project), REFUSED);
    assert_eq!(refused_ids(&run.stderr), std::slice::from_ref(kept), "{}", run.stderr);
    edit(
        &project.join("platform.sinfra"),
        &format!("    {{ from = \"{kept}\", to = \"prod_us/Deployment/nowhere\" }},\n"),
        &format!("    {{ from = \"{kept}\", to = \"{}\" }},\n", kept.replacen("/ingest", "/ingestor", 1)),
    );
    let plan = sinfrac(&["plan", ".", "--stack", "prod_us"], &project);
    assert_eq!(plan.code, 3, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("→ Deployment/ingest  renamed to prod_us/Deployment/ingestor"), "{}", plan.stdout);
    assert!(
        !plan.stdout.contains("+ Deployment/ingestor"),
        "a rename's new object is not an addition: {}",
        plan.stdout
    );
    expect(sinfrac(&["build", "."], &project), 0);
    assert!(project.join("deploy/prod-us/ingestor.yaml").exists());
    assert!(!project.join("deploy/prod-us/ingest.yaml").exists());
}

/// Objects that go away from a file that stays (api's Rollout and canary Service once prod
/// has no canary) are deletions too, in every protected stack.
#[test]
fn an_object_removed_from_a_file_that_stays_is_refused() {
    let (_dir, project) = example_copy();
    expect(sinfrac(&["build", "."], &project), 0);
    let before = tree(&project.join("deploy"));
    edit(&project.join("services/api.sinfra"), "prod => { steps = [", "prod => none, staging => { steps = [");
    let run = expect(sinfrac(&["build", "."], &project), REFUSED);
    let refused = refused_ids(&run.stderr);
    for want in ["prod_us/Rollout/api", "prod_eu/Rollout/api"] {
        assert!(refused.iter().any(|r| r == want), "{want} not in {refused:?}");
    }
    assert!(refused.iter().all(|r| r.starts_with("prod_")), "{refused:?}");
    assert_eq!(tree(&project.join("deploy")), before, "a refused build changed the output");
    let mut args = vec!["build", "."];
    for r in &refused {
        args.extend(["--allow-delete", r.as_str()]);
    }
    expect(sinfrac(&args, &project), 0);
    assert!(!fs::read_to_string(project.join("deploy/prod-us/api.yaml")).unwrap().contains("kind: Rollout"));
}
