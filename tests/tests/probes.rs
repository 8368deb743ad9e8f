//! Readiness and liveness probes are distinct: unset, `liveness` is `health`'s
//! endpoint probed more patiently (20s more initial delay, twice the period and
//! failure threshold); set, it is used as written.

use std::fs;

use sinfra_tests::sinfrac;

const PROJECT: &str = r#"import std.k8s

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
region us = "us-central1"
stack dev_us { tier = latest, region = us, cluster = "https://k8s-dev-us" }

service api: k8s.WebService {
  image = image("api")
}

service web: k8s.WebService {
  image    = image("web")
  liveness = { path = "/livez", initial_delay = 60s, failure_threshold = 10 }
}
"#;

/// Builds the project above; returns the YAML of `service` in `dev-us`.
fn built(service: &str) -> String {
    let dir = tempfile::Builder::new().prefix("sinfra-probes-test").tempdir().expect("a temporary directory");
    let root = dir.path();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"shop\"\n").expect("writable");
    let versions = "[latest]\napi = \"ghcr.io/acme/api:1.0\"\nweb = \"ghcr.io/acme/web:1.0\"\n";
    fs::write(root.join("versions.toml"), versions).expect("writable");
    fs::write(root.join("main.sinfra"), PROJECT).expect("writable");
    let run = sinfrac(&["build", ".", "--out", "out"], root);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    fs::read_to_string(root.join("out").join("dev-us").join(format!("{service}.yaml"))).expect("the service's YAML")
}

/// The lines of the probe `key` (`readinessProbe`, `livenessProbe`) in a YAML text.
fn probe(yaml: &str, key: &str) -> String {
    let start = yaml.find(&format!("{key}:\n")).unwrap_or_else(|| panic!("no {key} in:\n{yaml}"));
    let indent = yaml[..start].rsplit('\n').next().map_or(0, str::len);
    yaml[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.len() - l.trim_start().len() > indent)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn liveness_defaults_to_a_more_patient_readiness() {
    let yaml = built("api");
    let readiness = probe(&yaml, "readinessProbe");
    let liveness = probe(&yaml, "livenessProbe");
    assert_eq!(
        readiness,
        "httpGet: path: /healthz port: http initialDelaySeconds: 5 periodSeconds: 10 timeoutSeconds: 2 failureThreshold: 3"
    );
    assert_eq!(
        liveness,
        "httpGet: path: /healthz port: http initialDelaySeconds: 25 periodSeconds: 20 timeoutSeconds: 2 failureThreshold: 6"
    );
}

#[test]
fn a_set_liveness_is_used_as_written() {
    let yaml = built("web");
    assert_eq!(
        probe(&yaml, "livenessProbe"),
        "httpGet: path: /livez port: http initialDelaySeconds: 60 periodSeconds: 10 timeoutSeconds: 2 failureThreshold: 10"
    );
    assert!(probe(&yaml, "readinessProbe").contains("path: /healthz"));
}
