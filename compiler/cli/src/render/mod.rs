//! Renderers for diagnostics: human (`terminal`), machine (`json`) and code
//! scanning (`sarif`).
//!
//! Every renderer takes the diagnostics as the core returns them plus a
//! [`Sources`] lookup from a project-relative path (`services/api.sinfra`,
//! `std/k8s.sinfra`) to the file's text. Positions are computed here, from
//! byte spans, with [`sinfra_syntax::LineIndex`]: lines and columns are
//! 1-based and columns count characters. When a file's text is not available
//! the renderers still report the diagnostic, with byte offsets only.
//!
//! All three renderers return a `String` and do no IO; the caller decides
//! where it goes (stdout for `--format json|sarif`, stderr for the terminal).

pub mod json;
pub mod sarif;
mod snippet;
pub mod terminal;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use serde::Serialize;
use sinfra_compiler::diagnostics::{Diagnostic, Location};
use sinfra_syntax::LineIndex;

/// Where renderers get file texts from: project-relative path → text.
///
/// Implemented for closures `Fn(&str) -> Option<String>` and for maps from
/// path to text, so a caller can pass `&|p: &str| db.text_of(p)` or a map of
/// the project's files and the embedded stdlib.
pub trait Sources {
    /// The text of the file at `path`, or `None` when it is unknown.
    fn text(&self, path: &str) -> Option<Cow<'_, str>>;
}

impl<F: Fn(&str) -> Option<String>> Sources for F {
    fn text(&self, path: &str) -> Option<Cow<'_, str>> {
        self(path).map(Cow::Owned)
    }
}

impl<S: BuildHasher> Sources for HashMap<String, String, S> {
    fn text(&self, path: &str) -> Option<Cow<'_, str>> {
        self.get(path).map(|t| Cow::Borrowed(t.as_str()))
    }
}

impl Sources for BTreeMap<String, String> {
    fn text(&self, path: &str) -> Option<Cow<'_, str>> {
        self.get(path).map(|t| Cow::Borrowed(t.as_str()))
    }
}

/// How many errors and warnings a set of diagnostics holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
}

impl Summary {
    /// Counts `diags` by severity.
    pub fn of(diags: &[Diagnostic]) -> Summary {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        Summary { errors, warnings: diags.len() - errors }
    }

    /// Whether there is nothing to report.
    pub fn is_clean(&self) -> bool {
        self.errors == 0 && self.warnings == 0
    }
}

impl fmt::Display for Summary {
    /// `3 errors, 1 warning`, `1 error`, `2 warnings`, or `no problems`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn plural(n: usize, word: &str) -> String {
            format!("{n} {word}{}", if n == 1 { "" } else { "s" })
        }
        match (self.errors, self.warnings) {
            (0, 0) => f.write_str("no problems"),
            (e, 0) => f.write_str(&plural(e, "error")),
            (0, w) => f.write_str(&plural(w, "warning")),
            (e, w) => write!(f, "{}, {}", plural(e, "error"), plural(w, "warning")),
        }
    }
}

/// A 1-based line and 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// A loaded file: its text and line index.
pub(crate) struct File {
    pub text: String,
    pub index: LineIndex,
}

/// The files the diagnostics refer to, each loaded once.
pub(crate) struct Files {
    files: BTreeMap<String, Option<File>>,
}

impl Files {
    /// Loads every file named by a label or a fix of `diags`.
    pub fn load(diags: &[Diagnostic], sources: &dyn Sources) -> Files {
        let mut files = BTreeMap::new();
        let paths = diags
            .iter()
            .flat_map(|d| d.labels.iter().map(|l| &l.location.path).chain(d.fix.iter().map(|f| &f.location.path)));
        for path in paths {
            if !files.contains_key(path) {
                let file = sources.text(path).map(|t| {
                    let text = t.into_owned();
                    File { index: LineIndex::new(&text), text }
                });
                files.insert(path.clone(), file);
            }
        }
        Files { files }
    }

    /// The loaded file at `path`, if its text was available.
    pub fn get(&self, path: &str) -> Option<&File> {
        self.files.get(path).and_then(Option::as_ref)
    }

    /// Start and end (exclusive) positions of a location, when its file is loaded.
    pub fn range(&self, loc: &Location) -> Option<(LineCol, LineCol)> {
        let file = self.get(&loc.path)?;
        let pos = |offset: u32| {
            let (line, column) = file.index.line_col_1(&file.text, offset);
            LineCol { line, column }
        };
        Some((pos(loc.span.start), pos(loc.span.end)))
    }
}

/// Diagnostics and sources shared by the renderers' tests.
#[cfg(test)]
pub(crate) mod fixture {
    use std::collections::BTreeMap;

    use sinfra_compiler::diagnostics::{Code, Diagnostic, Location};
    use sinfra_syntax::Span;

    /// `services/api.sinfra`.
    pub const API: &str = r#"import std.k8s

/// The SDK API — feature gates for client SDKs.
service api: k8s.WebService {
  image = image("api")
  env = {
    REDIS_URL = "redis://${cache@latest.host}:6379"
    EXPORT    = "café ${config_db@prod_eu.url}"
  }
}
"#;

    /// `resources.sinfra`.
    pub const RESOURCES: &str = r#"import std.gcp

/// Flag-config and session cache, one per stack.
resource cache: gcp.Redis {
  memory_gb = match tier { latest => 1, staging => 2, prod => 16 }
}
"#;

    /// Both files by path.
    pub fn sources() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("services/api.sinfra".to_string(), API.to_string()),
            ("resources.sinfra".to_string(), RESOURCES.to_string()),
        ])
    }

    /// The location of the first `needle` in `text`, a file at `path`.
    pub fn at(path: &str, text: &str, needle: &str) -> Location {
        let start = text.find(needle).expect("needle in text");
        Location { path: path.to_string(), span: Span::from(start..start + needle.len()) }
    }

    /// The seed's incident: two labels in two files, a note, help and a fix.
    pub fn tier_mismatch() -> Diagnostic {
        Diagnostic::new(
            Code::TierMismatch,
            "`api` in stack `prod_us` (tier `prod`) uses `cache` of tier `latest`",
            at("services/api.sinfra", API, "cache@latest"),
            "this is the `latest` instance of `cache`",
        )
        .with_label(at("resources.sinfra", RESOURCES, "resource cache"), "`cache` has one instance per stack")
        .with_note("`api` is deployed to prod_us, prod_eu (tier `prod`)")
        .with_help("use the instance of the service's own stack")
        .with_fix("replace `cache@latest` with `cache`", at("services/api.sinfra", API, "cache@latest"), "cache")
        .in_context(Some("prod_us"), None)
    }

    /// A warning after a non-ASCII character, without help or fix.
    pub fn cross_region() -> Diagnostic {
        Diagnostic::new(
            Code::CrossRegion,
            "`api` in stack `prod_us` uses `config_db` of stack `prod_eu`",
            at("services/api.sinfra", API, "config_db@prod_eu"),
            "region `europe_west1`",
        )
    }
}
