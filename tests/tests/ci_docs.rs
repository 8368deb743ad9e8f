//! The CI integrations in `docs/ci/` are valid YAML, and every `sinfrac`
//! command they run exists with the options they pass (checked against the
//! real binary's `--help`), so the examples cannot drift from the CLI.

use std::process::Command;

use sinfra_tests::{repo_root, sinfrac_bin};

/// Every string anywhere in a YAML value.
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        serde_json::Value::Object(m) => m.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

/// `(subcommand, [--options])` of every `sinfrac …` invocation in `text`.
fn invocations(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("sinfrac ") {
        let words: Vec<&str> = text[i..].split_whitespace().skip(1).collect();
        let Some(sub) = words.first().filter(|w| w.chars().all(|c| c.is_ascii_lowercase())) else { continue };
        let mut options = Vec::new();
        for w in &words[1..] {
            if matches!(*w, "|" | "||" | "&&" | ">" | ";") || w.starts_with('>') {
                break;
            }
            if let Some(opt) = w.strip_prefix("--") {
                options.push(format!("--{}", opt.split('=').next().unwrap_or(opt)));
            }
        }
        out.push((sub.to_string(), options));
    }
    out
}

#[test]
fn ci_examples_are_valid_and_use_real_options() {
    let dir = repo_root().join("docs/ci");
    let mut checked = 0;
    for name in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("read docs/ci/{name}: {e}"));
        let doc: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("docs/ci/{name} is not valid YAML: {e}"));
        let mut texts = Vec::new();
        strings(&doc, &mut texts);
        let calls: Vec<(String, Vec<String>)> = texts.iter().flat_map(|t| invocations(t)).collect();
        let subs: Vec<&str> = calls.iter().map(|(s, _)| s.as_str()).collect();
        for wanted in ["fmt", "check", "build", "plan"] {
            assert!(subs.contains(&wanted), "docs/ci/{name} runs no `sinfrac {wanted}`");
        }
        for (sub, options) in &calls {
            let help = Command::new(sinfrac_bin()).args([sub.as_str(), "--help"]).output().expect("run sinfrac");
            assert!(help.status.success(), "docs/ci/{name}: `sinfrac {sub}` is not a subcommand");
            let help = String::from_utf8_lossy(&help.stdout);
            for opt in options {
                assert!(help.contains(opt.as_str()), "docs/ci/{name}: `sinfrac {sub}` has no option `{opt}`");
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "the options of the examples were checked ({checked})");
}
