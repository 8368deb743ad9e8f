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

/// The node and edge names of a Graphviz SVG (`<title>` of each node and edge).
fn svg_graph(svg: &str) -> (Vec<String>, Vec<String>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for part in svg.split("<g id=\"").skip(1) {
        let title = part.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or_default();
        let title = title.replace("&#45;&gt;", "->").replace("&#45;", "-").replace("&gt;", ">");
        if part.starts_with("node") {
            nodes.push(title);
        } else if part.starts_with("edge") {
            edges.push(title);
        }
    }
    nodes.sort();
    edges.sort();
    (nodes, edges)
}

/// The node and edge names of `sinfrac graph --format dot`.
fn dot_graph(dot: &str) -> (Vec<String>, Vec<String>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for line in dot.lines().map(str::trim) {
        let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        if line.starts_with('"') && line.contains(" -> ") && quoted.len() >= 2 {
            edges.push(format!("{}->{}", quoted[0], quoted[1]));
        } else if line.starts_with('"') && !quoted.is_empty() {
            nodes.push(quoted[0].to_string());
        }
    }
    nodes.sort();
    edges.sort();
    (nodes, edges)
}

/// The DOT form renders with the real Graphviz, and the README's picture
/// (`docs/images/graph-prod_us.svg`, made by `sinfrac graph examples/acme
/// --stack prod_us --format dot | dot -Tsvg`) shows the current graph.
#[test]
fn dot_renders_with_graphviz_and_the_readme_picture_is_current() {
    let example = repo_root().join("examples/acme");
    let run = sinfrac(&["graph", "--format", "dot", "--stack", "prod_us"], &example);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = dot_graph(&run.stdout);
    assert!(expected.0.len() > 5 && !expected.1.is_empty(), "{}", run.stdout);
    let committed = fs::read_to_string(repo_root().join("docs/images/graph-prod_us.svg")).unwrap();
    assert_eq!(
        svg_graph(&committed),
        expected,
        "docs/images/graph-prod_us.svg is stale: run `sinfrac graph examples/acme --stack prod_us --format dot | dot -Tsvg > docs/images/graph-prod_us.svg`"
    );
    let dot = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut dot = match dot {
        Ok(child) => child,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped rendering: Graphviz's `dot` is not installed ({e}); .ci/run installs it");
            return;
        }
        Err(e) => panic!("Graphviz's `dot` must be installed in CI: {e}"),
    };
    use std::io::Write as _;
    dot.stdin.take().unwrap().write_all(run.stdout.as_bytes()).unwrap();
    let out = dot.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "dot: {stderr}");
    assert_eq!(svg_graph(&String::from_utf8_lossy(&out.stdout)), expected, "Graphviz drew another graph");
}
