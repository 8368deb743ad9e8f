//! The harness of sinfra's fixture-driven diagnostics tests.
//!
//! A fixture is one `.sinfra` file under `tests/cases/<area>/`: a complete
//! single-file project whose expected diagnostics are written inline, next to
//! the lines they point at. See `tests/README.md` for the format; in short:
//!
//! ```text
//! //# rules: cross_region = "error"        header: configures the project
//! service api: k8s.WebService {
//!   replica = 3
//!   //~^ error[E0104]: unknown field      the line above has this diagnostic
//! }
//! ```
//!
//! [`run_fixture`] loads a fixture into the compiler in-process, compares the
//! diagnostics with the annotations, and renders them in a compact, stable
//! text form for snapshots ([`render`]).

use std::fmt::Write as _;

pub mod python;

use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::db::Database;
use sinfra_compiler::diagnostics::{Diagnostic, Severity};

/// The manifest (`sinfra.toml`) a fixture gets unless its header says otherwise.
pub const DEFAULT_MANIFEST: &str = "[project]\nname = \"test\"\n";

/// A small valid project file: one tier, one stack, one service using `image("api")`.
pub const SMALL_PROJECT: &str = r#"import std.k8s

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
region us = "us-central1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }

service api: k8s.WebService {
  image = image("api")
}
"#;

/// The versions file a fixture gets unless its header says otherwise: an
/// image for the service names fixtures use.
pub const DEFAULT_VERSIONS: &str = "\
api = \"ghcr.io/acme/api:1.0\"
web = \"ghcr.io/acme/web:1.0\"
worker = \"ghcr.io/acme/worker:1.0\"
billing = \"ghcr.io/acme/billing:1.0\"
console = \"ghcr.io/acme/console:1.0\"
";

/// Where an expected diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedAt {
    /// On this line of the fixture (1-based).
    Line(usize),
    /// In a file other than the fixture and the stdlib (`sinfra.toml`, the versions file).
    Elsewhere,
}

/// One `//~` annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Where the diagnostic's primary label must be.
    pub at: ExpectedAt,
    /// Its severity.
    pub severity: Severity,
    /// Its code, e.g. `E0104`.
    pub code: String,
    /// A substring of its message (may be empty).
    pub message: String,
    /// The line of the annotation itself, for error messages.
    pub annotation_line: usize,
}

/// A parsed fixture: the project it stands for and what it expects.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The project-relative path the fixture is loaded as (e.g. `tiers/direct.sinfra`).
    pub path: String,
    /// The fixture's text, loaded as is (headers and annotations are comments).
    pub text: String,
    /// The `sinfra.toml` text.
    pub manifest: String,
    /// The versions file text, or `None` when the project has none.
    pub versions: Option<String>,
    /// The expected diagnostics.
    pub expected: Vec<Expected>,
}

impl Fixture {
    /// Parses the header (`//# key: value` lines in the comment block the file
    /// starts with) and the `//~`
    /// annotations of a fixture loaded as project file `path`.
    pub fn parse(path: &str, text: &str) -> Result<Fixture, String> {
        let mut manifest_lines: Vec<&str> = Vec::new();
        let mut rules_lines: Vec<&str> = Vec::new();
        let mut versions_lines: Vec<&str> = Vec::new();
        let mut no_versions = false;
        // The header is the `//#` lines of the comment block the file starts with.
        let leading = text
            .trim_start_matches('\u{FEFF}')
            .lines()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with("//"));
        for (i, line) in leading.enumerate() {
            let Some(directive) = line.trim_start().strip_prefix("//#") else { continue };
            let (key, value) = directive
                .split_once(':')
                .ok_or_else(|| format!("{path}:{}: header line needs `//# key: value`", i + 1))?;
            let value = value.trim();
            match key.trim() {
                "manifest" => manifest_lines.push(value),
                "rules" => rules_lines.push(value),
                "versions" if value == "none" => no_versions = true,
                "versions" => versions_lines.push(value),
                other => {
                    return Err(format!(
                        "{path}:{}: unknown header `{other}` (known: manifest, rules, versions)",
                        i + 1
                    ));
                }
            }
        }
        if no_versions && !versions_lines.is_empty() {
            return Err(format!("{path}: `//# versions: none` and other `versions` lines are exclusive"));
        }
        let mut manifest =
            if manifest_lines.is_empty() { DEFAULT_MANIFEST.to_string() } else { join_lines(&manifest_lines) };
        if !rules_lines.is_empty() {
            manifest.push_str("\n[rules]\n");
            manifest.push_str(&join_lines(&rules_lines));
        }
        let versions = if no_versions {
            None
        } else if versions_lines.is_empty() {
            Some(DEFAULT_VERSIONS.to_string())
        } else {
            Some(join_lines(&versions_lines))
        };
        Ok(Fixture {
            path: path.to_string(),
            text: text.to_string(),
            manifest,
            versions,
            expected: parse_annotations(path, text)?,
        })
    }

    /// Every diagnostic the compiler reports for the fixture's project.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        check_project(vec![(self.path.clone(), self.text.clone())], &self.manifest, self.versions.as_deref())
    }
}

fn join_lines(lines: &[&str]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// Parses every `//~` annotation of a fixture.
///
/// `//~ error[E0101]: msg` expects the diagnostic on the annotation's own line,
/// `//~^` one line above (`//~^^` two, …), `//~v` one line below (`//~vv`
/// two, …), `//~|` on the same line as the previous annotation, `//~?` in a file other than the fixture (the manifest
/// or the versions file). The message part is optional.
pub fn parse_annotations(path: &str, text: &str) -> Result<Vec<Expected>, String> {
    let mut out: Vec<Expected> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let Some(pos) = line.find("//~") else { continue };
        let err = |what: &str| format!("{path}:{line_no}: malformed annotation ({what}): `{}`", line.trim());
        let rest = &line[pos + 3..];
        let (at, rest) = if let Some(rest) = rest.strip_prefix('?') {
            (ExpectedAt::Elsewhere, rest)
        } else if let Some(rest) = rest.strip_prefix('|') {
            let prev = out.last().ok_or_else(|| err("`//~|` needs a previous annotation"))?;
            (prev.at, rest)
        } else if rest.starts_with('v') {
            let downs = rest.chars().take_while(|&c| c == 'v').count();
            (ExpectedAt::Line(line_no + downs), &rest[downs..])
        } else {
            let carets = rest.chars().take_while(|&c| c == '^').count();
            if carets >= line_no {
                return Err(err("points above the first line"));
            }
            (ExpectedAt::Line(line_no - carets), &rest[carets..])
        };
        let rest = rest.trim_start();
        let (severity, rest) = if let Some(r) = rest.strip_prefix("error") {
            (Severity::Error, r)
        } else if let Some(r) = rest.strip_prefix("warning") {
            (Severity::Warning, r)
        } else {
            return Err(err("expected `error` or `warning`"));
        };
        let rest = rest.strip_prefix('[').ok_or_else(|| err("expected `[CODE]`"))?;
        let (code, rest) = rest.split_once(']').ok_or_else(|| err("unclosed `[`"))?;
        if !(code.len() == 5 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit())) {
            return Err(err("a code looks like `E0104`"));
        }
        let message = match rest.trim() {
            "" => String::new(),
            m => m.strip_prefix(':').ok_or_else(|| err("expected `:` before the message"))?.trim().to_string(),
        };
        out.push(Expected { at, severity, code: code.to_string(), message, annotation_line: line_no });
    }
    Ok(out)
}

/// Loads project files into a fresh database and returns every diagnostic
/// of the project (sorted, as `project_diagnostics` returns them).
pub fn check_project(files: Vec<(String, String)>, manifest: &str, versions: Option<&str>) -> Vec<Diagnostic> {
    let mut db = Database::default();
    let project = db.load_project(files, manifest.to_string(), versions.map(str::to_string));
    project_diagnostics(&db, project).as_ref().clone()
}

/// What `sinfrac build` (every stack, nothing written) reports for the project.
pub fn build_project_diagnostics(
    files: Vec<(String, String)>,
    manifest: &str,
    versions: Option<&str>,
) -> Vec<Diagnostic> {
    let mut db = Database::default();
    let project = db.load_project(files, manifest.to_string(), versions.map(str::to_string));
    sinfra_compiler::emit::build_project(&db, project, &[]).diags
}

/// Whether a diagnostic path is a stdlib module.
pub fn is_stdlib(path: &str) -> bool {
    path.starts_with("std/")
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Compares the diagnostics of a fixture with its annotations. Returns one
/// line per problem: an expected diagnostic that is missing, or a diagnostic
/// that no annotation expects (every diagnostic located in `std/…` is one).
pub fn compare(fixture: &Fixture, diags: &[Diagnostic]) -> Vec<String> {
    let mut used = vec![false; diags.len()];
    let mut problems = Vec::new();
    let at_of = |d: &Diagnostic| {
        let loc = d.location();
        if loc.path == fixture.path {
            Some(ExpectedAt::Line(line_col(&fixture.text, loc.span.start as usize).0))
        } else if is_stdlib(&loc.path) {
            None
        } else {
            Some(ExpectedAt::Elsewhere)
        }
    };
    for e in &fixture.expected {
        let found = diags.iter().enumerate().position(|(i, d)| {
            !used[i]
                && at_of(d) == Some(e.at)
                && d.code.as_str() == e.code
                && d.severity == e.severity
                && d.message.contains(&e.message)
        });
        match found {
            Some(i) => used[i] = true,
            None => {
                let where_ = match e.at {
                    ExpectedAt::Line(l) => format!("line {l}"),
                    ExpectedAt::Elsewhere => "another file".to_string(),
                };
                problems.push(format!(
                    "{}:{}: missing {}[{}] at {where_} with message containing {:?}",
                    fixture.path,
                    e.annotation_line,
                    severity_str(e.severity),
                    e.code,
                    e.message
                ));
            }
        }
    }
    for (d, used) in diags.iter().zip(used) {
        if !used {
            let loc = d.location();
            let pos = match at_of(d) {
                Some(ExpectedAt::Line(l)) => format!("{}:{l}", loc.path),
                _ => loc.path.clone(),
            };
            let why = if is_stdlib(&loc.path) { " (located in the stdlib)" } else { "" };
            problems.push(format!(
                "{}: unexpected {}[{}] at {pos}{why}: {}",
                fixture.path,
                severity_str(d.severity),
                d.code.as_str(),
                d.message
            ));
        }
    }
    problems
}

/// Renders diagnostics in a compact, stable text form (no colour, no
/// ariadne): one block per diagnostic with its code, severity, primary
/// position, message, labels (`line:col-line:col`, with the path when it is
/// not the diagnostic's file), notes, help and fix. `sources` gives the text
/// of the files positions are computed in; positions in other files (e.g.
/// `sinfra.toml`) are shown as byte spans.
pub fn render(diags: &[Diagnostic], sources: &[(&str, &str)]) -> String {
    if diags.is_empty() {
        return "no diagnostics\n".to_string();
    }
    let text_of = |path: &str| -> Option<&str> {
        if let Some((_, t)) = sources.iter().find(|(p, _)| *p == path) {
            return Some(t);
        }
        let module = sinfra_compiler::stdlib::module_of_path(path)?;
        sinfra_compiler::stdlib::MODULES.iter().find(|m| m.name == module).map(|m| m.text)
    };
    let range = |path: &str, span: sinfra_syntax::Span| -> String {
        match text_of(path) {
            Some(t) => {
                let (l1, c1) = line_col(t, span.start as usize);
                let (l2, c2) = line_col(t, span.end as usize);
                format!("{l1}:{c1}-{l2}:{c2}")
            }
            None => format!("bytes {}..{}", span.start, span.end),
        }
    };
    let mut out = String::new();
    for (n, d) in diags.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let loc = d.location();
        let _ = writeln!(out, "{}[{}]: {}", severity_str(d.severity), d.code.as_str(), d.message);
        let _ = writeln!(out, "  --> {} {}", loc.path, range(&loc.path, loc.span));
        for l in &d.labels {
            let kind = if l.primary { "label" } else { "also " };
            let place = if l.location.path == loc.path {
                range(&l.location.path, l.location.span)
            } else {
                format!("{} {}", l.location.path, range(&l.location.path, l.location.span))
            };
            let _ = writeln!(out, "  {kind} {place}: {}", l.message);
        }
        for note in &d.notes {
            let _ = writeln!(out, "  = note: {note}");
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        if let Some(fix) = &d.fix {
            let _ = writeln!(
                out,
                "  = fix: {} (replace {} with {:?})",
                fix.message,
                range(&fix.location.path, fix.location.span),
                fix.replacement
            );
        }
    }
    out
}

/// The outcome of one fixture: its snapshot text and its problems.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The fixture source followed by its rendered diagnostics.
    pub snapshot: String,
    /// Mismatches between annotations and diagnostics (empty when it passes).
    pub problems: Vec<String>,
}

/// Parses, checks and compares one fixture; `path` is the project-relative
/// path it is loaded as.
pub fn run_fixture(path: &str, text: &str) -> Outcome {
    let fixture = match Fixture::parse(path, text) {
        Ok(f) => f,
        Err(e) => return Outcome { snapshot: String::new(), problems: vec![e] },
    };
    let diags = fixture.diagnostics();
    let mut sources: Vec<(&str, &str)> = vec![(fixture.path.as_str(), fixture.text.as_str())];
    if let Some(v) = &fixture.versions {
        sources.push(("versions.toml", v.as_str()));
    }
    sources.push(("sinfra.toml", fixture.manifest.as_str()));
    let report = render(&diags, &sources);
    let snapshot = format!("{}\n// ---- diagnostics ----\n{report}", fixture.text.trim_end());
    Outcome { snapshot, problems: compare(&fixture, &diags) }
}

/// The repository root (the parent of this crate).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

/// The `sinfrac` binary of this build: `cargo build -p sinfrac` is run once with the
/// cargo, profile and target directory of the running test executable (a no-op when it
/// is up to date); `SINFRAC_BIN` overrides it.
pub fn sinfrac_bin() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("SINFRAC_BIN") {
            return std::path::PathBuf::from(bin);
        }
        // <target-dir>/[<triple>/]<profile>/deps/build-<hash>
        let exe = std::env::current_exe().expect("the test executable's path");
        let profile_dir = exe.parent().and_then(std::path::Path::parent).expect("test executable in <profile>/deps/");
        let profile = profile_dir.file_name().and_then(std::ffi::OsStr::to_str).expect("a profile directory name");
        let above = profile_dir.parent().expect("a target directory");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = std::process::Command::new(cargo);
        cmd.current_dir(repo_root()).args(["build", "--quiet", "-p", "sinfrac", "--bin", "sinfrac", "--profile"]);
        cmd.arg(if profile == "debug" { "dev" } else { profile });
        // Cargo tags the root of every target directory; below it sits `<triple>/` when
        // the tests were built with `--target`.
        if above.join("CACHEDIR.TAG").exists() {
            cmd.arg("--target-dir").arg(above);
        } else {
            let triple = above.file_name().expect("a target triple directory");
            cmd.arg("--target").arg(triple).arg("--target-dir").arg(above.parent().expect("a target directory"));
        }
        let out = cmd.output().expect("cannot run cargo to build sinfrac");
        assert!(out.status.success(), "`{cmd:?}` failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let bin = profile_dir.join(format!("sinfrac{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "cargo built sinfrac but `{}` does not exist", bin.display());
        bin
    })
}

/// What a run of the real binary printed, and its exit code.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs [`sinfrac_bin`] with `args` in `dir`, without colours.
pub fn sinfrac(args: &[&str], dir: &std::path::Path) -> Run {
    let out = std::process::Command::new(sinfrac_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs sinfrac");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_parse() {
        let text = "a\nb //~ error[E0101]: unknown name\n//~^ warning[E0302]\n//~| error[E0301]: x\n//~? error[E0403]\n//~vv error[E0001]\n";
        let got = parse_annotations("f.sinfra", text).unwrap();
        let at: Vec<_> = got.iter().map(|e| e.at).collect();
        assert_eq!(
            at,
            [ExpectedAt::Line(2), ExpectedAt::Line(2), ExpectedAt::Line(2), ExpectedAt::Elsewhere, ExpectedAt::Line(8)]
        );
        assert_eq!(got[0].message, "unknown name");
        assert_eq!(got[1].severity, Severity::Warning);
        assert_eq!(got[1].message, "");
        assert!(parse_annotations("f", "//~^ error[E0101]").is_err());
        assert!(parse_annotations("f", "x\n//~^ fatal[E0101]").is_err());
        assert!(parse_annotations("f", "x\n//~^ error[E01]").is_err());
    }

    #[test]
    fn headers_configure_the_project() {
        let f = Fixture::parse(
            "t.sinfra",
            "//# rules: cross_region = \"error\"\n//# versions: api = \"x:1\"\n//# versions: web = \"y:1\"\nlet a = 1\n",
        )
        .unwrap();
        assert_eq!(f.manifest, "[project]\nname = \"test\"\n\n[rules]\ncross_region = \"error\"\n");
        assert_eq!(f.versions.as_deref(), Some("api = \"x:1\"\nweb = \"y:1\"\n"));
        let f = Fixture::parse("t.sinfra", "//# versions: none\n//# manifest: [project]\n").unwrap();
        assert_eq!(f.versions, None);
        assert_eq!(f.manifest, "[project]\n");
        assert!(Fixture::parse("t.sinfra", "//# colour: red\n").is_err());
    }

    #[test]
    fn compare_reports_missing_unexpected_and_stdlib() {
        use sinfra_compiler::diagnostics::{Code, Location};
        let text = "let a = b\n//~^ error[E0101]: unknown name\nlet c = 1\n//~^ warning[E0302]\n";
        let fixture = Fixture::parse("t.sinfra", text).unwrap();
        let at =
            |path: &str, start: u32| Location { path: path.into(), span: sinfra_syntax::Span::new(start, start + 1) };
        let diags = vec![
            Diagnostic::new(Code::UnknownName, "unknown name `b`", at("t.sinfra", 8), "here"),
            Diagnostic::new(Code::TypeMismatch, "expected Int", at("t.sinfra", 8), "here"),
            Diagnostic::new(Code::CheckFailed, "check failed", at("std/k8s.sinfra", 0), "here"),
        ];
        let problems = compare(&fixture, &diags);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("missing warning[E0302] at line 3"), "{}", problems[0]);
        assert!(problems[1].contains("unexpected error[E0201] at t.sinfra:1"), "{}", problems[1]);
        assert!(problems[2].contains("(located in the stdlib)"), "{}", problems[2]);
        assert!(compare(&fixture, &diags[..1]).len() == 1);
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé\nx", 0), (1, 1));
        assert_eq!(line_col("ab\ncé\nx", 3), (2, 1));
        assert_eq!(line_col("ab\ncé\nx", 7), (3, 1));
        assert_eq!(line_col("ab\ncé\nx", 6), (2, 3));
    }
}
