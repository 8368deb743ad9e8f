//! The emitter's output as the YAML readers of sinfra's consumers read it: PyYAML (YAML 1.1,
//! the reading of Kubernetes' go-yaml v2 lineage) and ruamel.yaml (YAML 1.2) must read every
//! file of the example's build and of every fixture's build, and a corpus of tricky strings
//! (as mapping values, keys and list items), exactly as the data written: strings stay
//! strings, numbers numbers, keys in order (`tests/build_support/yaml_readers.py`; needs
//! the Python of the tests' own virtual environment, `sinfra_tests::python`). Strings that some reader resolves
//! are never written plain, even where these two readers would not notice.
//!
//! `compiler/core/tests/yaml_emitter.rs` compares the emitter with serde-saphyr, the emitter
//! it replaced.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sinfra_compiler::check::MANIFESTS;
use sinfra_compiler::db::Database;
use sinfra_compiler::emit::yaml::{Node, to_yaml};
use sinfra_compiler::emit::{build_project, split_header};
use sinfra_compiler::eval::value::{V, Value};
use sinfra_compiler::eval::{instance_output_value, platform_value};
use sinfra_compiler::index::project_index;
use sinfra_compiler::items::ItemTag;
use sinfra_compiler::platform::{placement, platform_info};
use sinfra_tests::{Fixture, repo_root};

// ---------------------------------------------------------------------------
// Running the readers
// ---------------------------------------------------------------------------

/// Files to read: name → (YAML text, the data it must read as).
type Files = BTreeMap<String, (String, Vec<Node>)>;

/// Runs `yaml_readers.py` on `files`; a missing interpreter or package fails the test with what
/// to install. Returns the number of files read.
#[track_caller]
fn read_back(files: &Files) -> usize {
    let dir = tempfile::Builder::new().prefix("sinfra-yaml-readers").tempdir().expect("a temporary directory");
    for (name, (text, data)) in files {
        fs::write(dir.path().join(format!("{name}.yaml")), text).expect("a writable file");
        let mut json = String::from("[");
        for (i, doc) in data.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            push_json(&mut json, doc);
        }
        json.push(']');
        fs::write(dir.path().join(format!("{name}.json")), json).expect("a writable file");
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("build_support").join("yaml_readers.py");
    // The Python of the tests' own virtual environment (`sinfra_tests::python`), which has
    // PyYAML and ruamel.yaml.
    let python = sinfra_tests::python::python();
    let out = Command::new(python).arg(&script).arg(dir.path()).output().unwrap_or_else(|e| {
        panic!("cannot run `{}` ({e}): the YAML reader tests need Python 3", python.display());
    });
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let code = out.status.code().expect("python was killed by a signal");
    assert_ne!(code, 3, "`{}` lacks a package the YAML readers need:\n{stderr}", python.display());
    assert_eq!(code, 0, "a YAML reader reads the emitter's output differently:\n{stdout}{stderr}");
    let summary = format!("read {} files with 2 readers: 0 problems", files.len());
    assert!(stdout.contains(&summary), "the readers did not read every file:\n{stdout}{stderr}");
    files.len()
}

/// JSON as Python's `json` reads it: floats always with a `.` or an exponent, and `NaN`,
/// `Infinity`, `-Infinity` for the non-finite ones.
fn push_json(out: &mut String, n: &Node) {
    match n {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => write!(out, "{i}").expect("a String takes it"),
        Node::Float(f) if f.is_nan() => out.push_str("NaN"),
        Node::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" }),
        Node::Float(f) => write!(out, "{f:?}").expect("a String takes it"),
        Node::Str(s) => out.push_str(&serde_json::to_string(s).expect("a string is JSON")),
        Node::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json(out, item);
            }
            out.push(']');
        }
        Node::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("a string is JSON"));
                out.push(':');
                push_json(out, v);
            }
            out.push('}');
        }
    }
}

// ---------------------------------------------------------------------------
// Builds
// ---------------------------------------------------------------------------

/// A project in memory: files, manifest, versions.
struct Project {
    name: String,
    files: Vec<(String, String)>,
    manifest: String,
    versions: Option<String>,
}

/// Every file with `ext` below `dir`: (`/`-separated path relative to `dir`, path).
fn files_under(dir: &Path, ext: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display())) {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with('.') || name == "deploy" {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
            } else if name.ends_with(ext) {
                let rel = path.strip_prefix(dir).expect("below the root");
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push((rel.join("/"), path));
            }
        }
    }
    out.sort();
    out
}

/// The example project and every fixture, as projects.
fn projects() -> Vec<Project> {
    let acme = repo_root().join("examples").join("acme");
    let read = |p: &Path| fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    let mut out = vec![Project {
        name: "acme".to_string(),
        files: files_under(&acme, ".sinfra").into_iter().map(|(rel, p)| (rel, read(&p))).collect(),
        manifest: read(&acme.join("sinfra.toml")),
        versions: Some(read(&acme.join("versions.toml"))),
    }];
    for (rel, path) in files_under(&repo_root().join("tests").join("cases"), ".sinfra") {
        let text = read(&path);
        let fixture = Fixture::parse(&rel, &text).unwrap_or_else(|e| panic!("{e}"));
        out.push(Project {
            name: rel.clone(),
            files: vec![(rel, text)],
            manifest: fixture.manifest,
            versions: fixture.versions,
        });
    }
    out
}

/// The documents `build` writes for `manifests` (a list of documents, or one).
fn documents(value: &Value) -> Vec<&Value> {
    let V::Record(r) = &value.v else { return Vec::new() };
    let Some(manifests) = r.fields.get(MANIFESTS) else { return Vec::new() };
    sinfra_compiler::emit::documents_of(manifests)
}

/// The files a project builds, each with the data of the values it was written from; empty
/// when the project has errors. Each file's body must be the emitter's text of the output
/// documents evaluated for one instance (or the platform) in one stack: so the readers read
/// exactly what `build` writes, against data taken from the values, not from the text.
fn built(p: &Project) -> Files {
    let mut db = Database::default();
    let project = db.load_project(p.files.clone(), p.manifest.clone(), p.versions.clone());
    let build = build_project(&db, project, &[]);
    if build.files.is_empty() {
        return Files::new();
    }
    let info = platform_info(&db, project);
    let index = project_index(&db, project);
    let mut evaluated: BTreeMap<String, Vec<Node>> = BTreeMap::new();
    let mut add = |docs: Vec<&Value>| {
        if !docs.is_empty() {
            evaluated.insert(to_yaml("", docs.iter().copied()), docs.iter().map(|d| Node::of_tree(*d)).collect());
        }
    };
    for (s, stack) in info.stacks.iter().enumerate() {
        for &item in index.globals.values() {
            let placed = placement(&db, project, item).stacks.as_ref().is_some_and(|p| p.contains(&s));
            if matches!(item.tag(&db), ItemTag::Service | ItemTag::Resource) && placed {
                add(documents(&instance_output_value(&db, project, item, stack.item).value));
            }
        }
        add(documents(&platform_value(&db, project, Some(stack.item)).value));
    }
    let mut files = Files::new();
    for (i, file) in build.files.iter().enumerate() {
        let body = split_header(&file.content).1;
        let data = evaluated.get(body).unwrap_or_else(|| {
            panic!("{}: `{}` is no emitter text of evaluated documents:\n{body}", p.name, file.path)
        });
        files.insert(format!("{:04}", i), (file.content.to_string(), data.clone()));
    }
    files
}

/// Every file of every build (the example's, every fixture's that builds) reads as the values
/// it was written from, in both readers.
#[test]
fn builds_read_back_as_their_values() {
    let mut all = Files::new();
    let mut acme = 0;
    for (i, p) in projects().iter().enumerate() {
        let files = built(p);
        if p.name == "acme" {
            acme = files.len();
        }
        all.extend(files.into_iter().map(|(name, f)| (format!("{i:03}-{name}"), f)));
    }
    assert!(acme >= 30, "the example builds {acme} files");
    assert!(all.len() > acme, "no fixture builds");
    read_back(&all);
}

// ---------------------------------------------------------------------------
// Tricky strings
// ---------------------------------------------------------------------------

/// Strings that a YAML reader turns into something other than a string when they are written
/// as plain scalars: YAML 1.1 (PyYAML; Kubernetes' go-yaml v2 lineage) booleans, nulls,
/// numbers, timestamps, the value key `=` and the merge key `<<`; YAML 1.2 numbers (`0o17`);
/// Go's number syntax, which go-yaml v2 accepts for plain scalars (`1e3`, `0b101`, `08`).
/// They must be written quoted.
const AMBIGUOUS: &[&str] = &[
    "no",
    "No",
    "NO",
    "yes",
    "Yes",
    "YES",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "y",
    "Y",
    "n",
    "N",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "null",
    "Null",
    "NULL",
    "~",
    "",
    "0",
    "-1",
    "+1",
    "1_000",
    "1:20",
    "190:20:30",
    "190:20:30.15",
    "0x10",
    "0o17",
    "012",
    "08",
    "0b101",
    "1e3",
    "1E3",
    "-1.5e-3",
    ".5",
    "1.",
    "1_0.5",
    ".inf",
    "-.inf",
    "+.inf",
    ".Inf",
    ".nan",
    ".NaN",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2002-12-14T21:59:43Z",
    "=",
    "<<",
    "-_",
    "+__",
];

/// Strings that need quoting or escaping for YAML's syntax (indicators, comments, flow
/// characters, quotes, leading and trailing spaces, line breaks, Unicode line separators and
/// BOM, control characters), and ordinary strings sinfra emits all the time.
const SYNTAX: &[&str] = &[
    "- a",
    "-",
    "a: b",
    "a:",
    "? a",
    "?",
    ":",
    "#a",
    "a #b",
    "a#b",
    "@a",
    "`a",
    "!a",
    "!!str",
    "&a",
    "*a",
    "%a",
    "|",
    ">",
    "{a}",
    "[a]",
    "{",
    "}",
    "[",
    "]",
    ",",
    ",a",
    "'",
    "\"",
    "'a'",
    "\"a\"",
    " a",
    "a ",
    " ",
    "\t",
    "a\tb",
    "a\nb",
    "a\n",
    "\n",
    "a\\b",
    "---",
    "...",
    "--- a",
    "NaN",
    "snow\u{2603}man",
    "\u{feff}a",
    "a\u{85}b",
    "a\u{2028}b",
    "a\u{2029}b",
    "\u{7}",
    "\u{1b}[0m",
    "Prune=false,Delete=confirm",
    "http://a.b/c?d=e&f=g#h",
    "500m",
    "1Gi",
    "30s",
    "25%",
    "app.kubernetes.io/name",
];

/// Pieces of tricky strings: every pair of them is in the corpus.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "a", "Z", "-", "?", ":", "#", " ", "\t", "\n", "\r", ",", "[", "]", "{", "}", "'", "\"", "\\", "%", "@", "`",
    "!", "&", "*", "|", ">", ".", "0", "1", "7", "9", "e", "E", "x", "o", "b", "_", "+", "~", "=", "<", "<<", "T",
    "\u{a0}", "\u{3000}", "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{7f}", "\u{0}", "\u{1b}", "\u{9f}",
    "\u{fffe}", "é", "𝄞", "---", "...", ": ", " #", "- ", "? ", "inf", ".inf", "nan", ".nan", "0x", "0o", "0b",
    "2001-12-14", "21:59:43", ":20", "yes", "No", "ON", "null", "true",
];

/// Characters numbers, timestamps and sexagesimals are made of: every string of up to three
/// of them is in the corpus.
const NUMERIC: &[char] = &['0', '1', '7', '9', '_', '.', ':', 'e', 'E', '+', '-', 'x', 'o', 'b', '~', '='];

/// Words YAML readers resolve: every letter case of each is in the corpus.
const WORDS: &[&str] =
    &["y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", ".inf", "-.inf", "+.inf", ".nan"];

/// The strings of the corpus, each once.
fn corpus() -> Vec<String> {
    let mut out: Vec<String> = AMBIGUOUS.iter().chain(SYNTAX).map(|s| s.to_string()).collect();
    for w in WORDS {
        let letters: Vec<usize> = w.char_indices().filter(|(_, c)| c.is_ascii_alphabetic()).map(|(i, _)| i).collect();
        for mask in 0..1u32 << letters.len() {
            let mut s = w.to_string().into_bytes();
            for (bit, &i) in letters.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    s[i] = s[i].to_ascii_uppercase();
                }
            }
            out.push(String::from_utf8(s).expect("ASCII"));
        }
    }
    let mut numeric = vec![String::new()];
    for _ in 0..3 {
        numeric = numeric.iter().flat_map(|s| NUMERIC.iter().map(move |c| format!("{s}{c}"))).collect();
        out.extend(numeric.iter().cloned());
    }
    for a in PIECES {
        for b in PIECES {
            out.push(format!("{a}{b}"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

/// The corpus, as mapping values, as keys and as list items, and numbers of every kind, read
/// back by both readers as written.
#[test]
fn tricky_strings_read_back_as_written() {
    let strings = corpus();
    assert!(strings.len() > 8000, "a corpus of {} strings", strings.len());
    let map = |f: &dyn Fn(usize, &str) -> (String, Node)| -> Node {
        Node::Map(strings.iter().enumerate().map(|(i, s)| f(i, s)).collect())
    };
    let floats = [0.0, -0.0, 0.5, -0.25, 2.0, 100.0, 1e15, 1e16, 1e20, 1.5e-5, 1.5e-7, 123456.789, 5e-324, f64::MAX];
    let docs = vec![
        map(&|i, s| (format!("k{i:05}"), Node::Str(s.to_string()))),
        map(&|i, s| (s.to_string(), Node::Str(format!("v{i:05}")))),
        Node::Seq(strings.iter().map(|s| Node::Str(s.to_string())).collect()),
        Node::Map(
            [
                ("ints", Node::Seq([0, 1, -1, 8080, i64::MAX, i64::MIN].into_iter().map(Node::Int).collect())),
                ("floats", Node::Seq(floats.into_iter().map(Node::Float).collect())),
                ("non-finite", Node::Seq([f64::NAN, f64::INFINITY, f64::NEG_INFINITY].map(Node::Float).to_vec())),
                ("bools", Node::Seq(vec![Node::Bool(true), Node::Bool(false)])),
                ("null", Node::Null),
                ("empty_map", Node::Map(Default::default())),
                ("empty_seq", Node::Seq(vec![])),
                ("nested", Node::Seq(vec![Node::Map([("no".to_string(), Node::Str("off".into()))].into())])),
                ("long key", Node::Map([("k".repeat(1100), Node::Seq(vec![Node::Int(1)]))].into())),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        ),
    ];
    let text = to_yaml("a header\nwith: two lines", &docs);
    let files: Files = [("corpus".to_string(), (text.clone(), docs))].into();
    read_back(&files);

    // Beyond these two readers, go-yaml v2 (Kubernetes) resolves Go's number syntax and YAML 1.2
    // readers other forms: every ambiguous string is written quoted, never plain.
    let first_doc = text.split("---\n").nth(1).expect("a first document");
    let plain: Vec<String> = AMBIGUOUS
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let key = format!("k{i:05}:");
            let line = first_doc.lines().find(|l| l.starts_with(&key)).expect("the key's line");
            let value = line[key.len()..].trim_start();
            (!value.starts_with(['"', '\''])).then(|| format!("`{}` written as `{line}`", s.escape_debug()))
        })
        .collect();
    assert!(plain.is_empty(), "ambiguous strings written as plain scalars:\n{}", plain.join("\n"));
}
