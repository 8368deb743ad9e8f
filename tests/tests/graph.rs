//! `sinfrac graph`: the bundled example as DOT and Mermaid (snapshots), and
//! the edges a project's values imply — same stack, shared, cross-region and
//! another tier — in the JSON form.

use std::fs;

use sinfra_tests::{repo_root, sinfrac};

#[test]
fn example_graph_snapshots() {
    let example = repo_root().join("examples/acme");
    let dot = sinfrac(&["graph", "--format", "dot", "--stack", "prod_us"], &example);
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    insta::assert_snapshot!("graph_prod_us_dot", dot.stdout);
    let mermaid = sinfrac(&["graph", "--format", "mermaid", "--stack", "latest"], &example);
    assert_eq!(mermaid.code, 0, "{}", mermaid.stderr);
    insta::assert_snapshot!("graph_latest_mermaid", mermaid.stdout);
}

#[test]
fn edges_say_how_a_resource_is_reached() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"g\"\n[rules]\ncross_region = \"allow\"\n").unwrap();
    fs::write(root.join("versions.toml"), "api = \"ghcr.io/a/api:1.0\"\nweb = \"ghcr.io/a/web:1.0\"\n").unwrap();
    fs::write(
        root.join("main.sinfra"),
        r#"import std.k8s
import std.gcp
platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
region eu = "europe-west1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod-us" }
stack prod_eu { tier = prod, region = eu, cluster = "https://k8s-prod-eu" }
resource cache: gcp.Redis {}
shared resource bucket: gcp.Bucket { bucket_name = "acme-shared-bucket" }
service api: k8s.WebService @prod_us {
  image = image("api")
  env = { OWN = cache.host, EU = cache@prod_eu.host, FILES = bucket.url }
}
service web: k8s.WebService @latest {
  image = image("web")
  env = { WRONG = cache@prod_us.host }
}
"#,
    )
    .unwrap();
    let run = sinfrac(&["graph", "--format", "json"], root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let edges: Vec<(String, String, String)> = doc["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["from"].as_str().unwrap().into(), e["to"].as_str().unwrap().into(), e["kind"].as_str().unwrap().into())
        })
        .collect();
    for want in [
        ("prod_us/api", "prod_us/cache", "same-stack"),
        ("prod_us/api", "prod_eu/cache", "cross-region"),
        ("prod_us/api", "shared/bucket", "shared"),
        ("latest/web", "prod_us/cache", "cross-tier"),
    ] {
        let found = edges.iter().any(|(f, t, k)| (f.as_str(), t.as_str(), k.as_str()) == want);
        assert!(found, "missing edge {want:?} in {edges:?}");
    }
    let api = doc["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "prod_us/api").unwrap();
    assert_eq!(api["protected"], true, "an instance of a protected tier is protected");
    let unknown = sinfrac(&["graph", "--stack", "nope"], root);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown stack `nope`"), "{}", unknown.stderr);
}

/// The README shows the example's `prod_us` graph exactly as `sinfrac graph` prints it.
#[test]
fn readme_graph_is_current() {
    let example = repo_root().join("examples/acme");
    let run = sinfrac(&["graph", "--format", "mermaid", "--stack", "prod_us"], &example);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{}```", run.stdout)),
        "README.md's mermaid graph differs from `sinfrac graph examples/acme --stack prod_us --format mermaid`"
    );
}
