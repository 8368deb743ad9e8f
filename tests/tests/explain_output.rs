//! `sinfrac explain-output`: where a field of a generated file comes from —
//! the user's line, not the stdlib template that copied it — run against the
//! real binary on the bundled example.

use sinfra_tests::{repo_root, sinfrac};

#[test]
fn a_field_is_traced_to_the_users_line() {
    let example = repo_root().join("examples/acme");
    let run = sinfrac(&["explain-output", "prod-us/api.yaml", "Rollout.spec.replicas"], &example);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("explain_output_replicas", run.stdout);
    // The output directory may be named too; a field derived from a resource says which.
    let run = sinfrac(&["explain-output", "deploy/prod-us/api.yaml", "spec.template.spec.containers[0].env"], &example);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("from services/api.sinfra:11:"), "{}", run.stdout);
    assert!(run.stdout.contains("derived from cache@prod_us"), "{}", run.stdout);
    // What only the stdlib decides is said to come from it.
    let run = sinfrac(&["explain-output", "prod-us/api.yaml", "Service.apiVersion"], &example);
    assert!(run.stdout.contains("(standard library)"), "{}", run.stdout);
}

#[test]
fn json_names_the_source_of_every_field() {
    let example = repo_root().join("examples/acme");
    let run = sinfrac(&["explain-output", "argocd/prod-us.yaml", "--format", "json"], &example);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["item"], "platform");
    let fields = doc["documents"][0]["fields"].as_array().expect("fields");
    assert!(fields.len() > 5);
    assert!(fields.iter().all(|f| f["source"].as_str().is_some_and(|s| s.contains(".sinfra:"))), "{fields:?}");
}

#[test]
fn unknown_files_and_fields_are_clear_errors() {
    let example = repo_root().join("examples/acme");
    let run = sinfrac(&["explain-output", "prod-us/nope.yaml"], &example);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no item of the project writes `prod-us/nope.yaml`"), "{}", run.stderr);
    let run = sinfrac(&["explain-output", "prod-us/api.yaml", "spec.nope"], &example);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no field `spec.nope`"), "{}", run.stderr);
}
