//! `sinfra-bench lsp`: the language server through its real binary, over
//! stdio, on a generated project — the latencies an editor sees (p50/p95)
//! and the server's memory after a burst of edits.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use sinfra_lsp::stdio_client::{Client, file_uri, position_of};

use crate::generate;

/// What to measure.
pub struct Settings {
    /// Services in the generated project.
    pub services: usize,
    /// Edits, hovers and completions, each.
    pub repeat: usize,
    /// The server binary.
    pub server: PathBuf,
    /// Where the project is generated.
    pub work: PathBuf,
}

fn percentile(mut xs: Vec<Duration>, p: f64) -> Duration {
    xs.sort();
    let i = ((xs.len() as f64 - 1.0) * p).round() as usize;
    xs.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The server's resident memory, from `/proc` (Linux).
fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the measurements and prints a table.
pub fn run(s: &Settings) -> std::io::Result<()> {
    generate::write_project(&s.work, s.services, generate::DEFAULT_PER_FILE)?;
    let root = std::fs::canonicalize(&s.work)?;
    let rel = "services/group_0001.sinfra";
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path)?;
    let uri = file_uri(&path);
    let timeout = Duration::from_secs(120);
    let mut c = Client::start(&s.server)?;
    c.request("initialize", json!({"processId": null, "rootUri": file_uri(&root), "capabilities": {}}))?;
    c.notify("initialized", json!({}))?;

    let opened = Instant::now();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "sinfra", "version": 1, "text": text}}),
    )?;
    c.diagnostics_until(&uri, timeout, |_| true)?.ok_or_else(|| std::io::Error::other("no diagnostics"))?;
    let first = opened.elapsed();

    // Edits inside one service's body: a space added, then taken away.
    let at = position_of(&text, "image(", 0);
    let mut edits = Vec::new();
    for i in 0..s.repeat {
        let version = 2 + i as i64;
        let change = if i % 2 == 0 {
            json!({"range": {"start": at, "end": at}, "text": " "})
        } else {
            let end = json!({"line": at["line"], "character": at["character"].as_u64().unwrap_or(0) + 1});
            json!({"range": {"start": at, "end": end}, "text": ""})
        };
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        )?;
        c.diagnostics_until(&uri, timeout, |p| p["version"] == version)?
            .ok_or_else(|| std::io::Error::other("no diagnostics after an edit"))?;
        edits.push(t.elapsed());
    }
    // Let the background diagnostics of the last edit finish before measuring memory.
    std::thread::sleep(Duration::from_secs(2));
    let rss = rss_mib(c.pid());

    let mut timed = |method: &str, position: serde_json::Value| -> std::io::Result<Vec<Duration>> {
        let mut out = Vec::new();
        for _ in 0..s.repeat {
            let t = Instant::now();
            let r = c.request(method, json!({"textDocument": {"uri": uri}, "position": position}))?;
            if r.get("error").is_some() {
                return Err(std::io::Error::other(format!("{method}: {r}")));
            }
            out.push(t.elapsed());
        }
        Ok(out)
    };
    let hovers = timed("textDocument/hover", position_of(&text, "memory", 2))?;
    let body_line = position_of(&text, "\n}", 1);
    let completions = timed("textDocument/completion", body_line)?;
    // At the start of an expression (`env = |common_env(…)`): every name in scope.
    let names = timed("textDocument/completion", position_of(&text, "common_env(tier", 0))?;
    let clean = c.shutdown()?;

    println!("Language server (`{}`, N={}, {} of each)\n", s.server.display(), s.services, s.repeat);
    println!("| measurement | p50 | p95 |");
    println!("|---|--:|--:|");
    println!("| didOpen → first diagnostics | {} | |", ms(first));
    println!(
        "| one-service edit → diagnostics of its file | {} | {} |",
        ms(percentile(edits.clone(), 0.5)),
        ms(percentile(edits, 0.95))
    );
    println!(
        "| hover (values in every stack) | {} | {} |",
        ms(percentile(hovers.clone(), 0.5)),
        ms(percentile(hovers, 0.95))
    );
    println!(
        "| completion (unset fields) | {} | {} |",
        ms(percentile(completions.clone(), 0.5)),
        ms(percentile(completions, 0.95))
    );
    println!(
        "| completion (every name in scope, first 200) | {} | {} |",
        ms(percentile(names.clone(), 0.5)),
        ms(percentile(names, 0.95))
    );
    match rss {
        Some(r) => println!("\nresident memory after {} edits: {r:.1} MiB; clean shutdown: {clean}", s.repeat),
        None => println!("\nresident memory: not available on this system; clean shutdown: {clean}"),
    }
    Ok(())
}

/// `sinfra-lsp` next to this binary.
pub fn default_server(exe_dir: &Path) -> PathBuf {
    exe_dir.join(format!("sinfra-lsp{}", std::env::consts::EXE_SUFFIX))
}
