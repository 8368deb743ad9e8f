//! Diagnostics as a stable JSON document (`sinfrac check --format json`).
//!
//! ```json
//! { "version": 1,
//!   "diagnostics": [ {
//!     "code": "E0104", "severity": "error", "title": "unknown field", "message": "…",
//!     "file": "services/api.sinfra",
//!     "start": { "line": 3, "column": 3 }, "end": { "line": 3, "column": 10 },
//!     "span": { "start": 52, "end": 59 },
//!     "labels": [ { "file", "start", "end", "span", "message", "primary" } ],
//!     "notes": [ "…" ], "help": "…" | null,
//!     "fix": { "message", "file", "start", "end", "span", "replacement" } | null,
//!     "stacks": [ "prod_us", … ], "reached_by": [ "service `api`", … ] } ],
//!   "summary": { "errors": 1, "warnings": 0 } }
//! ```
//!
//! Lines and columns are 1-based, columns count characters, and `end` is the
//! position just after the last character (exclusive, like `span.end`).
//! `start`/`end` are `null` when the file's text was not available;
//! `file`/`span` are `null` for a diagnostic without a location. The top-level
//! location is the primary label's. `stacks` lists the stacks a problem arises
//! in (empty when it does not depend on a stack) and `reached_by` the instances
//! whose evaluation reached it in shared code. Fields are only ever added, never
//! renamed or removed, within a `version`.

use serde::Serialize;
use sinfra_compiler::diagnostics::{Diagnostic, Location, Severity};

use super::{Files, LineCol, Sources, Summary};

/// The JSON document format version.
pub const VERSION: u32 = 1;

/// The document, pretty-printed (no trailing newline).
pub fn render(diags: &[Diagnostic], sources: &dyn Sources) -> String {
    let files = Files::load(diags, sources);
    serde_json::to_string_pretty(&Document::new(diags, &files)).expect("diagnostics serialize to JSON")
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

impl<'a> Document<'a> {
    fn new(diags: &'a [Diagnostic], files: &Files) -> Document<'a> {
        Document {
            version: VERSION,
            diagnostics: diags.iter().map(|d| JsonDiagnostic::new(d, files)).collect(),
            summary: Summary::of(diags),
        }
    }
}

#[derive(Serialize)]
struct Span {
    start: u32,
    end: u32,
}

/// A location in all its forms: file, positions and bytes.
#[derive(Serialize)]
struct Place<'a> {
    file: Option<&'a str>,
    start: Option<LineCol>,
    end: Option<LineCol>,
    span: Option<Span>,
}

impl<'a> Place<'a> {
    fn new(loc: Option<&'a Location>, files: &Files) -> Place<'a> {
        let range = loc.and_then(|l| files.range(l));
        Place {
            file: loc.map(|l| l.path.as_str()),
            start: range.map(|r| r.0),
            end: range.map(|r| r.1),
            span: loc.map(|l| Span { start: l.span.start, end: l.span.end }),
        }
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: Severity,
    title: &'static str,
    message: &'a str,
    #[serde(flatten)]
    place: Place<'a>,
    labels: Vec<JsonLabel<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
    stacks: &'a [String],
    reached_by: &'a [String],
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    #[serde(flatten)]
    place: Place<'a>,
    message: &'a str,
    primary: bool,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    #[serde(flatten)]
    place: Place<'a>,
    replacement: &'a str,
}

impl<'a> JsonDiagnostic<'a> {
    fn new(d: &'a Diagnostic, files: &Files) -> JsonDiagnostic<'a> {
        let primary = d.labels.iter().find(|l| l.primary).or(d.labels.first());
        JsonDiagnostic {
            code: d.code.as_str(),
            severity: d.severity,
            title: d.code.title(),
            message: &d.message,
            place: Place::new(primary.map(|l| &l.location), files),
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel {
                    place: Place::new(Some(&l.location), files),
                    message: &l.message,
                    primary: l.primary,
                })
                .collect(),
            notes: &d.notes,
            help: d.help.as_deref(),
            fix: d.fix.as_ref().map(|f| JsonFix {
                message: &f.message,
                place: Place::new(Some(&f.location), files),
                replacement: &f.replacement,
            }),
            stacks: &d.stacks,
            reached_by: &d.reached_by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture;

    #[test]
    fn document() {
        let diags = [fixture::tier_mismatch(), fixture::cross_region()];
        insta::assert_snapshot!(render(&diags, &fixture::sources()));
    }

    #[test]
    fn columns_count_characters() {
        let v: serde_json::Value =
            serde_json::from_str(&render(&[fixture::cross_region()], &fixture::sources())).unwrap();
        let d = &v["diagnostics"][0];
        // `    EXPORT    = "café ${` is 24 characters (25 bytes) before `config_db`.
        assert_eq!(d["start"], serde_json::json!({ "line": 8, "column": 25 }));
        assert_eq!(d["end"], serde_json::json!({ "line": 8, "column": 42 }));
        assert_eq!(v["summary"], serde_json::json!({ "errors": 0, "warnings": 1 }));
    }
}
