//! Extending the stdlib's templates without forking them: a project schema's
//! `manifests = super.manifests + [ … ]` keeps the stdlib's objects and adds
//! its own, and every object a project adds (there or in `extra_manifests`)
//! gets the service's labels and, in a protected tier, Argo CD's no-prune
//! option, like the stdlib's own objects.

use std::fs;

use sinfra_tests::sinfrac;

const PROJECT: &str = r#"import std.k8s

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack dev_us { tier = latest, region = us, cluster = "https://k8s-dev-us" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod-us" }

/// A web service with a NetworkPolicy of its own.
schema Fenced extends k8s.WebService {
  manifests = super.manifests + [{
    apiVersion = "networking.k8s.io/v1"
    kind       = "NetworkPolicy"
    metadata   = { name = "${name}-fence" }
    spec       = { podSelector = {}, policyTypes = ["Ingress"] }
  }]
}

service api: Fenced {
  image  = image("api")
  labels = { team = "core" }
  extra_manifests = [{
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "api-extra", labels = { team = "edge" } }
    data       = { a = "b" }
  }]
}
"#;

const VERSIONS: &str = "[latest]\napi = \"ghcr.io/acme/api:1.0\"\n[prod]\napi = \"ghcr.io/acme/api:1.0\"\n";

/// Builds the project above; returns the YAML of `api` in `dev-us` and `prod-us`.
fn built() -> (String, String) {
    let dir = tempfile::Builder::new().prefix("sinfra-extend-test").tempdir().expect("a temporary directory");
    let root = dir.path();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"shop\"\n").expect("writable");
    fs::write(root.join("versions.toml"), VERSIONS).expect("writable");
    fs::write(root.join("main.sinfra"), PROJECT).expect("writable");
    let run = sinfrac(&["build", ".", "--out", "out"], root);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    let read = |stack: &str| fs::read_to_string(root.join("out").join(stack).join("api.yaml")).expect("api.yaml");
    (read("dev-us"), read("prod-us"))
}

/// The document of `kind` named `name` in a multi-document YAML text.
fn document<'a>(yaml: &'a str, kind: &str, name: &str) -> &'a str {
    yaml.split("\n---\n")
        .find(|d| d.contains(&format!("kind: {kind}\n")) && d.contains(&format!("  name: {name}\n")))
        .unwrap_or_else(|| panic!("no {kind} `{name}` in:\n{yaml}"))
}

const NO_PRUNE: &str = "argocd.argoproj.io/sync-options: Prune=false,Delete=confirm";

#[test]
fn super_manifests_keeps_the_base_objects_and_appends() {
    let (dev, _) = built();
    for (kind, name) in [("ServiceAccount", "api"), ("Service", "api"), ("Deployment", "api")] {
        document(&dev, kind, name);
    }
    document(&dev, "ConfigMap", "api-extra");
    let fence = document(&dev, "NetworkPolicy", "api-fence");
    assert!(fence.contains("app.kubernetes.io/name: api"), "standard labels on the appended object:\n{fence}");
    assert!(fence.contains("team: core"), "the service's labels on the appended object:\n{fence}");
    assert!(!fence.contains(NO_PRUNE), "no protection outside a protected tier:\n{fence}");
}

#[test]
fn added_objects_are_protected_in_a_protected_tier() {
    let (_, prod) = built();
    for (kind, name) in [("NetworkPolicy", "api-fence"), ("ConfigMap", "api-extra"), ("Deployment", "api")] {
        let doc = document(&prod, kind, name);
        assert!(doc.contains(NO_PRUNE), "{kind} `{name}` lacks the no-prune option:\n{doc}");
        assert!(doc.contains("sinfra.dev/tier: prod"), "{kind} `{name}` lacks the tier label:\n{doc}");
    }
    let extra = document(&prod, "ConfigMap", "api-extra");
    assert!(extra.contains("team: edge") && !extra.contains("team: core"), "an object's own label wins:\n{extra}");
}
