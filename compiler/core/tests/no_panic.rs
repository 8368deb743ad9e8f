//! The whole checker never panics: `project_diagnostics` (and the emitter) on
//! mutated copies of the example project, and on deep or huge inputs.

// Tests read the example project from disk; the core itself does no IO.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::db::Database;

/// Pieces of sinfra text inserted by mutations.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "tier", "region", "stack", "schema", "let", "in", "fn", "service", "resource", "policy", "shared",
    "protected", "match", "if", "then", "else", "for", "self", "none", "true", "{", "}", "[", "]", "(", ")",
    ",", ":", "=", "=>", "->", ".", "?", "??", "@", "@prod", "@latest", "@[", "|", "+", "-", "*", "/", "%",
    "==", "<", ">=", "&&", "||", "!", "\"", "\"${", "${", "}\"", "0", "-1", "65536", "500m", "0Mi", "1Gi",
    "30s", "0s", "101%", "\n", " ", "// c\n", "tier", "prod", "latest", "staging", "cache", "cache.host",
    "config_db.url", "secret(\"a\", \"b\")", "image(\"api\")", "range(1000000)", "len(", "merge(", "k8s.",
    "k8s.WebService", "k8s.Worker", "gcp.Redis", "Int", "String", "Any", "_ =>", "stack.name", "name",
];

struct Example {
    files: Vec<(String, String)>,
    manifest: String,
    versions: Option<String>,
}

fn example() -> Example {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|e| e == "sinfra") {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    assert!(files.len() >= 5, "the example project's files are missing");
    Example {
        files,
        manifest: fs::read_to_string(root.join("sinfra.toml")).unwrap(),
        versions: fs::read_to_string(root.join("versions.toml")).ok(),
    }
}

/// The stack the checker runs on. `sinfrac` runs it on a 256 MiB thread;
/// debug builds need far more stack per nesting level than release builds,
/// and the default 2 MiB of a test thread is not enough for the nesting caps
/// (300 evaluation levels, 256 brackets).
const STACK: usize = 64 * 1024 * 1024;

/// Checks (and, when `emit`, builds) a project on a big stack; only not
/// panicking matters.
fn run(files: Vec<(String, String)>, manifest: String, versions: Option<String>, emit: bool) {
    let worker = std::thread::Builder::new().stack_size(STACK).spawn(move || {
        let mut db = Database::default();
        let project = db.load_project(files, manifest, versions);
        let diags = project_diagnostics(&db, project);
        for d in diags.iter() {
            assert!(!d.message.is_empty());
        }
        if emit {
            let _ = sinfra_compiler::emit::build(&db, project, &[]);
        }
    });
    if let Err(panic) = worker.expect("spawn the checker thread").join() {
        std::panic::resume_unwind(panic);
    }
}

#[derive(Clone, Debug)]
enum Edit {
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
    Swap { a: usize, b: usize, len: usize },
    Insert { at: usize, piece: usize },
    InsertBetween { at: usize, piece: usize },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..48).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 1usize..96).prop_map(|(at, len)| Edit::Duplicate { at, len }),
        (any::<usize>(), any::<usize>(), 1usize..24).prop_map(|(a, b, len)| Edit::Swap { a, b, len }),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        // Token-aligned inserts are more likely to parse and reach evaluation.
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::InsertBetween { at, piece }),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut c: Vec<char> = text.chars().collect();
    for e in edits {
        let n = c.len().max(1);
        match *e {
            Edit::Delete { at, len } => {
                let at = (at % n).min(c.len());
                let end = (at + len).min(c.len());
                c.drain(at..end);
            }
            Edit::Duplicate { at, len } => {
                let at = (at % n).min(c.len());
                let end = (at + len).min(c.len());
                let chunk: Vec<char> = c[at..end].to_vec();
                c.splice(end..end, chunk);
            }
            Edit::Swap { a, b, len } => {
                let (mut a, mut b) = (a % n, b % n);
                if a > b {
                    std::mem::swap(&mut a, &mut b);
                }
                let len = len.min(b - a).min(c.len().saturating_sub(b));
                for i in 0..len {
                    c.swap(a + i, b + i);
                }
            }
            Edit::Insert { at, piece } => {
                let at = (at % n).min(c.len());
                c.splice(at..at, PIECES[piece].chars());
            }
            Edit::InsertBetween { at, piece } => {
                // At the next whitespace, so that the piece lands between tokens.
                let mut at = (at % n).min(c.len());
                while at < c.len() && !c[at].is_whitespace() {
                    at += 1;
                }
                c.splice(at..at, format!(" {} ", PIECES[piece]).chars());
            }
        }
    }
    c.into_iter().collect()
}

/// Cases per property: `default`, or `PROPTEST_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    #[test]
    fn mutated_example_project(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit_strategy(), 1..6),
        emit in any::<bool>(),
    ) {
        let ex = example();
        let mut files = ex.files.clone();
        let i = file.index(files.len());
        files[i].1 = apply(&files[i].1, &edits);
        run(files, ex.manifest, ex.versions, emit);
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    #[test]
    fn mutated_manifest_and_versions(
        m_edits in prop::collection::vec(edit_strategy(), 0..4),
        v_edits in prop::collection::vec(edit_strategy(), 0..4),
    ) {
        let ex = example();
        let versions = ex.versions.as_deref().map(|v| apply(v, &v_edits));
        run(ex.files, apply(&ex.manifest, &m_edits), versions, false);
    }
}

/// One project file `main.sinfra` next to the example's platform (so that
/// per-stack evaluation runs) holding `body`.
fn with_platform(body: String) {
    let ex = example();
    let mut files: Vec<(String, String)> =
        ex.files.into_iter().filter(|(p, _)| p == "platform.sinfra" || p == "resources.sinfra").collect();
    files.push(("main.sinfra".into(), format!("import std.k8s\n{body}\n")));
    run(files, ex.manifest, ex.versions, true);
}

#[test]
fn deep_expressions() {
    const N: usize = 2_000;
    let cases = [
        format!("let a = {}1{}", "[".repeat(N), "]".repeat(N)),
        format!("let a = {}1{}", "(".repeat(N), ")".repeat(N)),
        format!("let a = {}1", "-".repeat(N)),
        format!("let a = {}true", "!".repeat(N)),
        format!("let a = {}1{}", "if true then ".repeat(N), " else 2".repeat(N)),
        format!("let a = {}1", (0..N).map(|i| format!("let x{i} = 1 in ")).collect::<String>()),
        format!("let a = {}", vec!["1"; N].join(" + ")),
        format!("let a = {}", vec!["\"s\""; N].join(" + ")),
        format!("let a = {}", vec!["none"; N].join(" ?? ")),
        format!("let a = {}", vec!["true"; N].join(" && ")),
        format!("let a = {}", vec!["[1]"; N].join(" + ")),
        format!("let a = {{ x = 1 }}{}", ".x".repeat(N)),
        format!("let a = [[1]]{}", "[0]".repeat(N)),
        format!("let a = cache{}", "@prod".repeat(N)),
        format!("let a = \"{}x{}\"", "${\"".repeat(200), "\"}".repeat(200)),
        format!("let a = {}", "{ x = ".repeat(N)),
        format!(
            "service s: k8s.WebService {{ image = image(\"api\")\n env = {{ A = {} }} }}",
            vec!["\"a\""; N].join(" + ")
        ),
        format!("let a = [x for x in {}]", (0..50).map(|_| "[y for y in range(10)] +").collect::<String>() + " []"),
    ];
    for src in cases {
        with_platform(src);
    }
}

#[test]
fn long_chains_of_items() {
    // A chain of lets, each using the previous one, and a chain of functions.
    let lets: String = (1..400).map(|i| format!("let l{i} = l{} + 1\n", i - 1)).collect();
    with_platform(format!("let l0 = 0\n{lets}"));
    let fns: String = (1..400).map(|i| format!("fn f{i}(x: Int) -> Int = f{}(x) + 1\n", i - 1)).collect();
    with_platform(format!("fn f0(x: Int) -> Int = x\n{fns}\nlet r = f399(1)"));
    // Cycles, direct and long.
    with_platform("let a = b\nlet b = a\nfn f(x: Int) -> Int = g(x)\nfn g(x: Int) -> Int = f(x)\nlet c = f(1)".into());
    let cycle: String = (0..300).map(|i| format!("let c{i} = c{}\n", (i + 1) % 300)).collect();
    with_platform(cycle);
    // Schemas extending each other in a chain and in a cycle.
    let chain: String = (1..200).map(|i| format!("schema S{i} extends S{} {{ f{i}: Int = {i} }}\n", i - 1)).collect();
    with_platform(format!("schema S0 {{ f0: Int = 0 }}\n{chain}\nlet v = S199 {{}}"));
    with_platform("schema A extends B { x: Int = 1 }\nschema B extends A { y: Int = 1 }\nlet v = A {}".into());
}

#[test]
fn big_values() {
    with_platform("let a = range(100000)".into());
    with_platform("let a = [[x, y] for x in range(300) for y in range(300)]".into());
    with_platform("let a = len([x for x in range(100000)])".into());
    with_platform("let a = join([to_string(x) for x in range(20000)], \",\")".into());
}

#[test]
fn a_huge_project() {
    let ex = example();
    let mut files = ex.files.clone();
    // Many copies of every service file, renamed so that the names stay unique.
    for (path, text) in ex.files.iter().filter(|(p, _)| p.starts_with("services/")) {
        for k in 0..6 {
            let renamed = text.replace("service ", &format!("service c{k}_"));
            files.push((format!("copies/{k}/{path}"), renamed));
        }
    }
    run(files, ex.manifest, ex.versions, true);
}

/// `check::warm` and `emit::build` evaluate on worker threads: a service using a
/// chain of 1,000 lets (1,000 nested queries) must fit in a worker's stack
/// (`sinfra_compiler::parallel`), as it fits in the CLI's main thread.
#[test]
fn let_chain_used_by_a_service_on_worker_threads() {
    let ex = example();
    let mut files: Vec<(String, String)> =
        ex.files.into_iter().filter(|(p, _)| p == "platform.sinfra" || p == "resources.sinfra").collect();
    let lets: String = (1..1000).map(|i| format!("let l{i} = l{} + 1\n", i - 1)).collect();
    files.push((
        "main.sinfra".into(),
        format!(
            "import std.k8s\nlet l0 = 0\n{lets}\nservice api: k8s.WebService {{\n  image = image(\"api\")\n  config = {{ X = to_string(l999) }}\n}}\n"
        ),
    ));
    let mut db = Database::default();
    let project = db.load_project(files, ex.manifest, ex.versions);
    sinfra_compiler::check::warm(&db, project, &[], true);
    let _ = project_diagnostics(&db, project);
    let (files, _) = sinfra_compiler::emit::build(&db, project, &[]);
    assert!(files.iter().any(|f| f.path.ends_with("/api.yaml")), "the service is rendered on a worker thread");
}

/// Two refined types whose conditions read each other's resources: a cycle
/// between two instances. It is E0308 on every run and at every thread count:
/// `warm` keeps it on one thread (the static references see the cycle through
/// the field types), and evaluating on all cores anyway (two threads each inside
/// one half) recovers through salsa's cycle fallback instead of panicking.
#[test]
fn cycle_through_refined_types_is_e0308_at_every_thread_count() {
    const CYCLIC: &str = r#"
import std.gcp
platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack dev_us { tier = latest, region = us, cluster = "https://k8s-dev" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }
type AHost = String where self != b.host else "differs"
type BHost = String where self != a.host else "differs"
schema SA { host: AHost = "a.example.internal" }
schema SB { host: BHost = "b.example.internal" }
resource a: SA {}
resource b: SB {}
"#;
    let load = || {
        let mut db = Database::default();
        let project =
            db.load_project(vec![("main.sinfra".into(), CYCLIC.into())], "[project]\nname = \"cyc\"\n".into(), None);
        (db, project)
    };
    let codes = |diags: &[sinfra_compiler::diagnostics::Diagnostic]| {
        diags.iter().map(|d| d.code.as_str()).collect::<std::collections::BTreeSet<_>>()
    };
    let (db, project) = load();
    assert!(sinfra_compiler::check::has_reference_cycle(&db, project), "the static references see the cycle");
    let mut first = None;
    for _ in 0..20 {
        let (db, project) = load();
        sinfra_compiler::check::warm(&db, project, &[], true);
        let diags = project_diagnostics(&db, project).to_vec();
        assert_eq!(codes(&diags), ["E0308"].into_iter().collect(), "{diags:#?}");
        match &first {
            None => first = Some(diags),
            Some(f) => assert_eq!(f, &diags, "the same report on every run"),
        }
    }
    for _ in 0..20 {
        let (db, project) = load();
        sinfra_compiler::check::evaluate_in_parallel(&db, project, &[], true);
        let diags = project_diagnostics(&db, project).to_vec();
        assert_eq!(codes(&diags), ["E0308"].into_iter().collect(), "{diags:#?}");
    }
}
