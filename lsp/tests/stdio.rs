//! End to end: the real `sinfra-lsp` binary, spoken to over stdio with
//! JSON-RPC, on a project written to a temporary directory.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

const PLATFORM: &str = r#"import std.k8s
import std.gcp

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack latest_us { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }

resource cache: gcp.Redis {}
"#;

const SERVICES: &str = r#"import std.k8s

/// The public API.
service api: k8s.WebService {
  image    = image("api")
  replicas = match tier { prod => 6, _ => 1 }
  env      = { REDIS = cache@latest.host }
}
"#;

/// The shared client, with the test's expectations as panics.
struct Client(sinfra_lsp::stdio_client::Client);

impl Client {
    fn start() -> Client {
        Client(sinfra_lsp::stdio_client::Client::start(Path::new(env!("CARGO_BIN_EXE_sinfra-lsp"))).expect("start"))
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.0.request(method, params).expect("a response")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.0.notify(method, params).expect("sent");
    }

    fn diagnostics_until(&mut self, uri: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let found = self.0.diagnostics_until(uri, Duration::from_secs(60), |p| {
            ok(p["diagnostics"].as_array().map(Vec::as_slice).unwrap_or_default())
        });
        found.expect("the server answers").unwrap_or_else(|| panic!("no matching diagnostics for {uri}"))
    }
}

fn project() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sinfra-lsp-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sinfra.toml"), "[project]\nname = \"demo\"\n").unwrap();
    std::fs::write(dir.join("versions.toml"), "api = \"ghcr.io/acme/api:1.0.0\"\n").unwrap();
    std::fs::write(dir.join("platform.sinfra"), PLATFORM).unwrap();
    std::fs::write(dir.join("services.sinfra"), SERVICES).unwrap();
    std::fs::canonicalize(dir).unwrap()
}

use sinfra_lsp::stdio_client::{file_uri as uri, position_of};

#[test]
fn a_session_answers_every_feature_and_survives_bad_input() {
    let root = project();
    let services = root.join("services.sinfra");
    let services_uri = uri(&services);
    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&root), "capabilities": {}, "workspaceFolders": [{"uri": uri(&root), "name": "demo"}]}),
    );
    assert!(init["result"]["capabilities"]["hoverProvider"].as_bool().unwrap_or(false), "{init}");
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": services_uri, "languageId": "sinfra", "version": 1, "text": SERVICES}}),
    );

    // Diagnostics as you type: prod reads the latest tier's cache.
    let diags = c.diagnostics_until(&services_uri, |d| d.iter().any(|d| d["code"] == "E0301"));
    let e0301 = diags.iter().find(|d| d["code"] == "E0301").unwrap();
    assert_eq!(e0301["range"]["start"]["line"], 6, "{e0301}");

    // Fixing it clears it (incremental sync).
    let at = position_of(SERVICES, "cache@latest.host", 0);
    let end =
        json!({"line": at["line"], "character": at["character"].as_u64().unwrap() + "cache@latest.host".len() as u64});
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": services_uri, "version": 2},
               "contentChanges": [{"range": {"start": at, "end": end}, "text": "cache.host"}]}),
    );
    c.diagnostics_until(&services_uri, |d| !d.iter().any(|d| d["code"] == "E0301"));
    let text = SERVICES.replace("cache@latest.host", "cache.host");

    // Hover: the value in every stack.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": services_uri}, "position": position_of(&text, "replicas", 2)}),
    );
    let value = hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_string();
    assert!(value.contains("replicas") && value.contains("prod_us") && value.contains("`6`"), "{hover}");

    // Go to definition into the standard library.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": services_uri}, "position": position_of(&text, "WebService", 2)}),
    );
    let target = def["result"]["uri"].as_str().unwrap_or_default();
    assert!(target.ends_with("/k8s.sinfra"), "{def}");

    // Completion on a new line of the body: fields not set yet.
    let at_body_end = position_of(&text, "\n}", 1);
    let completion =
        c.request("textDocument/completion", json!({"textDocument": {"uri": services_uri}, "position": at_body_end}));
    let labels: Vec<&str> =
        completion["result"]["items"].as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"port") && !labels.contains(&"replicas"), "{labels:?}");

    // After `k8s.`: the module's members.
    let members = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": services_uri}, "position": position_of(&text, "WebService", 0)}),
    );
    let labels: Vec<&str> =
        members["result"]["items"].as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"Worker"), "{labels:?}");

    // Symbols, references.
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": services_uri}}));
    let names: Vec<&str> = symbols["result"].as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["std.k8s", "api"], "{symbols}");
    let platform_uri = uri(&root.join("platform.sinfra"));
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": platform_uri}, "position": position_of(PLATFORM, "cache", 1),
               "context": {"includeDeclaration": true}}),
    );
    assert!(refs["result"].as_array().unwrap().iter().any(|l| l["uri"] == services_uri), "{refs}");

    // Rename: refused for the standard library, everywhere for the project's names.
    let refused = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": services_uri}, "position": position_of(&text, "WebService", 2)}),
    );
    assert!(refused.get("error").is_some(), "{refused}");
    let renamed = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": platform_uri}, "position": position_of(PLATFORM, "cache", 1), "newName": "redis"}),
    );
    let changes = renamed["result"]["changes"].as_object().cloned().unwrap_or_default();
    assert!(changes.contains_key(&services_uri) && changes.contains_key(&platform_uri), "{renamed}");

    // Signature help inside a call.
    let sig_text = "import std.k8s\n\nfn limits() -> Any = k8s.resources(2, \n";
    let sig_uri = uri(&root.join("sig.sinfra"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": sig_uri, "languageId": "sinfra", "version": 1, "text": sig_text}}),
    );
    let sig = c.request(
        "textDocument/signatureHelp",
        json!({"textDocument": {"uri": sig_uri}, "position": position_of(sig_text, "2, ", 3)}),
    );
    assert_eq!(sig["result"]["activeParameter"], 1, "{sig}");
    assert!(sig["result"]["signatures"][0]["label"].as_str().unwrap_or_default().contains("cpu_limit: Cpu?"), "{sig}");

    // A quick fix from a did-you-mean.
    let typo_text = "import std.k8s\n\nservice w: k8s.Worker {\n  image = image(\"worker\")\n  replica = 2\n}\n";
    let typo_uri = uri(&root.join("typo.sinfra"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": typo_uri, "languageId": "sinfra", "version": 1, "text": typo_text}}),
    );
    c.diagnostics_until(&typo_uri, |d| d.iter().any(|d| d["code"] == "E0104"));
    let at = position_of(typo_text, "replica", 0);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": typo_uri}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}}),
    );
    let fix = &actions["result"][0];
    assert!(fix["title"].as_str().unwrap_or_default().contains("replicas"), "{actions}");
    assert_eq!(fix["edit"]["changes"][&typo_uri][0]["newText"], "replicas", "{actions}");

    // Semantic tokens: five integers per token, the first a keyword (`import`).
    let tokens = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": services_uri}}));
    let data = tokens["result"]["data"].as_array().cloned().unwrap_or_default();
    assert!(data.len() >= 5 * 10 && data.len() % 5 == 0, "{tokens}");
    assert_eq!(data[3], 7, "`import` is a keyword: {tokens}");

    // Inlay hints: the per-stack value after `match tier`.
    let end = json!({"line": 20, "character": 0});
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": services_uri}, "range": {"start": {"line": 0, "character": 0}, "end": end}}),
    );
    let labels: Vec<&str> = hints["result"].as_array().unwrap().iter().filter_map(|h| h["label"].as_str()).collect();
    assert!(labels.iter().any(|l| l.contains("latest_us 1") && l.contains("prod_us 6")), "{hints}");

    // Folding ranges and workspace symbols.
    let folds = c.request("textDocument/foldingRange", json!({"textDocument": {"uri": services_uri}}));
    assert!(folds["result"].as_array().is_some_and(|f| f.iter().any(|r| r["startLine"] == 3)), "{folds}");
    let found = c.request("workspace/symbol", json!({"query": "cach"}));
    assert!(
        found["result"].as_array().is_some_and(|s| s.iter().any(|s| s["name"] == "redis" || s["name"] == "cache")),
        "{found}"
    );

    // A file changed on disk (a git checkout) is picked up.
    let bad = root.join("bad.sinfra");
    std::fs::write(&bad, "service broken: k8s.Worker {\n  image = \n}\n").unwrap();
    let bad_uri = uri(&bad);
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": bad_uri, "type": 1}]}));
    c.diagnostics_until(&bad_uri, |d| !d.is_empty());

    // Formatting.
    let fmt = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": services_uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert!(fmt["result"].is_array(), "{fmt}");

    // Bad input: an unknown method, a position far outside the text, garbage text.
    let unknown = c.request("sinfra/noSuchThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let far = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": services_uri}, "position": {"line": 9999, "character": 9999}}),
    );
    assert!(far.get("error").is_some() || far["result"].is_null(), "{far}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": services_uri, "version": 3}, "contentChanges": [{"text": "service }}} @@ \u{0}"}]}),
    );
    let after = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": services_uri}}));
    assert!(after.get("result").is_some(), "the server still answers: {after}");

    assert!(c.0.shutdown().expect("shut down"), "a clean exit");
    let _ = std::fs::remove_dir_all(&root);
}
