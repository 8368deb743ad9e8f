//! Editor features on fixture workspaces: each `cases/*.sinfra` file holds a
//! project (`//- file: path` sections, `sinfra.toml` optional), one `$0`
//! cursor and a `//- request: hover|definition|references|completion|symbols|rename|signature|tokens|hints|fixes`
//! line; the answer is snapshotted as readable text.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;

use sinfra_compiler::db::Database;
use sinfra_ide::Analysis;

const PLATFORM: &str = r#"import std.k8s
import std.gcp
platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack latest_us { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }
"#;

struct Case {
    request: String,
    files: Vec<(String, String)>,
    cursor: Option<(String, u32)>,
}

fn parse_case(text: &str) -> Case {
    let mut request = String::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("//- request: ") {
            request = r.trim().to_string();
        } else if let Some(p) = line.strip_prefix("//- file: ") {
            files.push((p.trim().to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    let mut cursor = None;
    for (path, body) in &mut files {
        if let Some(i) = body.find("$0") {
            body.replace_range(i..i + 2, "");
            cursor = Some((path.clone(), i as u32));
        }
    }
    if !files.iter().any(|(p, _)| p == "platform.sinfra") {
        files.push(("platform.sinfra".into(), PLATFORM.into()));
    }
    Case { request, files, cursor }
}

fn answer(case: &Case) -> String {
    let mut db = Database::default();
    let project = db.load_project(
        case.files.clone(),
        "[project]\nname = \"demo\"\n".into(),
        Some("api = \"ghcr.io/acme/api:1.0\"\nworker = \"ghcr.io/acme/worker:1.0\"\n".into()),
    );
    let a = Analysis::new(&db, project);
    let text_of = |path: &str| a.file(path).map(|f| f.text(&db).clone()).unwrap_or_default();
    let show = |fs: &sinfra_ide::FileSpan| {
        let text = text_of(&fs.path);
        let snippet = text.get(fs.span.range()).unwrap_or("?");
        let line = text[..fs.span.start as usize].matches('\n').count() + 1;
        format!("{}:{line} `{snippet}`", fs.path)
    };
    let mut out = String::new();
    match case.request.as_str() {
        "tokens" => {
            let (path, _) = case.cursor.clone().unwrap_or_else(|| (case.files[0].0.clone(), 0));
            let file = a.file(&path).unwrap();
            let text = text_of(&path);
            for t in sinfra_ide::semantic_tokens(&a, file) {
                let flags = format!(
                    "{}{}",
                    if t.declaration { " declaration" } else { "" },
                    if t.library { " library" } else { "" }
                );
                let _ = writeln!(out, "{:<24} {:?}{flags}", &text[t.span.range()], t.kind);
            }
        }
        "hints" => {
            let (path, _) = case.cursor.clone().unwrap_or_else(|| (case.files[0].0.clone(), 0));
            let file = a.file(&path).unwrap();
            let text = text_of(&path);
            for h in sinfra_ide::inlay_hints(&a, file) {
                let line = text[..h.offset as usize].matches('\n').count() + 1;
                let _ = writeln!(out, "{line}: {:?} {}", h.kind, h.label);
            }
        }
        "symbols" => {
            let (path, _) = case.cursor.clone().unwrap_or_else(|| (case.files[0].0.clone(), 0));
            let file = a.file(&path).unwrap();
            for s in sinfra_ide::symbols(&a, file) {
                let _ = writeln!(out, "{:?} {}", s.kind, s.name);
                for c in s.children {
                    let _ = writeln!(out, "  {:?} {}", c.kind, c.name);
                }
            }
        }
        request => {
            let (path, offset) = case.cursor.clone().expect("a `$0` cursor");
            let file = a.file(&path).unwrap();
            match request {
                "hover" => match sinfra_ide::hover(&a, file, offset) {
                    Some(h) => {
                        let text = text_of(&path);
                        let _ = writeln!(out, "on `{}`\n{}", &text[h.span.range()], h.markdown);
                    }
                    None => out.push_str("(no hover)\n"),
                },
                "definition" => match sinfra_ide::definition(&a, file, offset) {
                    Some(fs) => out.push_str(&format!("{}\n", show(&fs))),
                    None => out.push_str("(no definition)\n"),
                },
                "references" => {
                    for fs in sinfra_ide::references(&a, file, offset) {
                        let _ = writeln!(out, "{}", show(&fs));
                    }
                }
                "completion" => {
                    for c in sinfra_ide::completions(&a, file, offset) {
                        let detail = c.detail.map(|d| format!(" — {d}")).unwrap_or_default();
                        let insert = c.insert.map(|i| format!(" (inserts `{i}`)")).unwrap_or_default();
                        let _ = writeln!(out, "{:?} {}{detail}{insert}", c.kind, c.label);
                    }
                }
                "rename" => match sinfra_ide::rename(&a, file, offset, "renamed") {
                    Ok(spans) => {
                        for fs in spans {
                            let _ = writeln!(out, "{}", show(&fs));
                        }
                    }
                    Err(e) => {
                        let _ = writeln!(out, "refused: {e}");
                    }
                },
                "fixes" => {
                    for f in sinfra_ide::fixes(&a, file, sinfra_syntax::Span::new(offset, offset)) {
                        let _ = writeln!(out, "{} [{}]: {} → {:?}", f.title, f.code, show(&f.at), f.replacement);
                    }
                }
                "signature" => match sinfra_ide::signature_help(&a, file, offset) {
                    Some(h) => {
                        let _ = writeln!(out, "{}\nactive: {}", h.label, h.params.get(h.active).map_or("-", |p| p));
                    }
                    None => out.push_str("(no signature)\n"),
                },
                other => panic!("unknown request `{other}`"),
            }
        }
    }
    out
}

#[test]
fn features() {
    insta::glob!("cases/*.sinfra", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let case = parse_case(&text);
        insta::assert_snapshot!(answer(&case));
    });
}
