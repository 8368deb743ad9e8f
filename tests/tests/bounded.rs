//! Bounded output, end to end: however many diagnostics a project has, the
//! human format stays readable (a capped number per code and file, then a
//! count), while JSON and SARIF carry every one.

use std::fs;

use sinfra_tests::sinfrac;

const PLATFORM: &str = r#"platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
region us = "us-central1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }
"#;

#[test]
fn the_human_format_caps_each_code_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"demo\"\n").unwrap();
    fs::write(root.join("main.sinfra"), PLATFORM).unwrap();
    // 1,250 entries of the wrong shape: 1,250 root causes in one file.
    let versions: String = (0..1_250).map(|i| format!("svc{i} = {i}\n")).collect();
    fs::write(root.join("versions.toml"), versions).unwrap();

    let human = sinfrac(&["check"], root);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert_eq!(human.stderr.matches("error[E0401]").count(), 50, "{}", human.stderr);
    assert!(human.stderr.contains("… and 1,200 more E0401 in versions.toml"), "{}", human.stderr);
    assert!(human.stderr.trim_end().ends_with("error: 1250 errors"), "the summary counts them all");

    let json = sinfrac(&["check", "--format", "json"], root);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 1_250);
    let sarif = sinfrac(&["check", "--format", "sarif"], root);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("valid SARIF");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1_250);
}
