//! Human-readable diagnostics, drawn with ariadne.
//!
//! One report per diagnostic:
//!
//! ```text
//! error[E0104]: unknown field `replica` in `k8s.WebService`
//!    ╭─[ services/api.sinfra:3:3 ]
//!    │ …snippet with the primary label, then secondary labels (any file)…
//! ───╯
//!   = note: …
//!   = help: …
//!   = fix: replace `replica` with `replicas`
//! ```
//!
//! [`render`] returns the reports only (an empty string when there is nothing
//! to report); the caller prints [`summary_line`] (`error: 3 errors, 1
//! warning`) after them, so it can put other output (e.g. "wrote 36 files")
//! in between or leave the summary out.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;

use ariadne::{Cache, Color, Config, IndexType, Label, Report, ReportKind, Source};
use sinfra_compiler::diagnostics::{Code, Diagnostic, Severity};

use super::{Files, Sources, Summary};

/// How to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TerminalOptions {
    /// ANSI colours. The CLI turns them off for `NO_COLOR` and when stderr is not a TTY.
    pub color: bool,
}

/// Reports drawn per code and file; the others are counted in one line, so that
/// one mistake repeated thousands of times does not bury everything else.
/// (JSON and SARIF always carry every diagnostic.)
pub const MAX_PER_CODE_AND_FILE: usize = 50;

/// Every diagnostic as an ariadne report, each followed by a blank line, at
/// most [`MAX_PER_CODE_AND_FILE`] per code and file, then one line per group
/// with more (`… and 1,200 more E0401 in versions.toml`); empty when `diags`
/// is empty. The summary line is not included.
pub fn render(diags: &[Diagnostic], sources: &dyn Sources, options: TerminalOptions) -> String {
    let files = Files::load(diags, sources);
    let mut cache = AriadneCache::new(&files);
    let mut out = String::new();
    let mut drawn: HashMap<(Code, &str), usize> = HashMap::new();
    let mut elided: Vec<(Code, &str, usize)> = Vec::new();
    for d in diags {
        let key = (d.code, d.location().path.as_str());
        let count = drawn.entry(key).or_default();
        *count += 1;
        if *count > MAX_PER_CODE_AND_FILE {
            match elided.iter_mut().find(|(c, p, _)| (*c, *p) == key) {
                Some(group) => group.2 += 1,
                None => elided.push((key.0, key.1, 1)),
            }
            continue;
        }
        out.push_str(&report(d, &files, &mut cache, options));
        out.push('\n');
    }
    for (code, path, n) in elided {
        let _ = writeln!(out, "… and {} more {} in {path}\n", thousands(n), code.as_str());
    }
    out
}

/// `1200` → `1,200`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `error: 3 errors, 1 warning`, `warning: 2 warnings`, or `None` when clean.
pub fn summary_line(diags: &[Diagnostic], options: TerminalOptions) -> Option<String> {
    let summary = Summary::of(diags);
    if summary.is_clean() {
        return None;
    }
    let (word, color) = if summary.errors > 0 { ("error", RED) } else { ("warning", YELLOW) };
    Some(format!("{}: {summary}", paint(word, color, options.color)))
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[1;36m";

fn paint(text: &str, ansi: &str, color: bool) -> String {
    if color { format!("{ansi}{text}\x1b[0m") } else { text.to_string() }
}

type AriadneSpan = (String, Range<usize>);

fn report(diag: &Diagnostic, files: &Files, cache: &mut AriadneCache, options: TerminalOptions) -> String {
    let (word, color) = match diag.severity {
        Severity::Error => ("error", Color::Red),
        Severity::Warning => ("warning", Color::Yellow),
    };
    let header = format!("{word}[{}]", diag.code.as_str());
    let config = Config::default().with_index_type(IndexType::Byte).with_color(options.color);

    // Labels whose file is unavailable cannot be drawn: say where they are in a note instead.
    let mut missing = Vec::new();
    let mut anchor: Option<AriadneSpan> = None;
    let primary_drawable = diag.labels.iter().any(|l| l.primary && files.get(&l.location.path).is_some());
    let mut labels = Vec::new();
    for (order, label) in diag.labels.iter().enumerate() {
        let loc = &label.location;
        let Some(file) = files.get(&loc.path) else {
            missing.push(if loc.span.is_empty() && loc.span.start == 0 {
                format!("{}: {}", loc.path, label.message) // the whole file
            } else {
                format!("{}: {} (bytes {}..{})", loc.path, label.message, loc.span.start, loc.span.end)
            });
            continue;
        };
        let start = (loc.span.start as usize).min(file.text.len());
        let end = (loc.span.end as usize).clamp(start, file.text.len());
        let span = (loc.path.clone(), start..end);
        // The report is anchored at the primary label, or at the first drawable one.
        if anchor.is_none() && (label.primary || !primary_drawable) {
            anchor = Some(span.clone());
        }
        let label_color = if label.primary { color } else { Color::Blue };
        labels.push(Label::new(span).with_message(&label.message).with_color(label_color).with_order(order as i32));
    }

    // ariadne paints a custom report kind even with colour off, so the header
    // line is written here and ariadne's own (the first line) is dropped.
    let kind = paint(&header, if diag.is_error() { RED } else { YELLOW }, options.color);
    let mut text = format!("{kind}: {}\n", diag.message);
    if let Some(anchor) = anchor {
        let one_line = diag.message.replace(['\r', '\n'], " ");
        let report = Report::<AriadneSpan>::build(ReportKind::Custom(&header, color), anchor)
            .with_config(config)
            .with_message(one_line)
            .with_labels(labels)
            .finish();
        let mut out = Vec::new();
        match report.write(&mut *cache, &mut out) {
            Ok(()) => {
                let drawn = String::from_utf8_lossy(&out);
                text.push_str(drawn.split_once('\n').map_or("", |(_, rest)| rest));
            }
            Err(e) => {
                let _ = writeln!(text, "  (could not draw the source: {e})");
            }
        }
    }

    let eq = |kind: &str| format!("  {} {kind}:", paint("=", CYAN, options.color));
    for m in missing {
        let _ = writeln!(text, "{} {m}", eq("note"));
    }
    for note in &diag.notes {
        let _ = writeln!(text, "{} {note}", eq("note"));
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(text, "{} {help}", eq("help"));
    }
    if let Some(fix) = &diag.fix {
        let _ = writeln!(text, "{} {}", eq("fix"), fix.message);
    }
    text
}

/// ariadne's view of the loaded files.
struct AriadneCache {
    sources: HashMap<String, Source<String>>,
}

impl AriadneCache {
    fn new(files: &Files) -> AriadneCache {
        AriadneCache { sources: files.iter().map(|(p, f)| (p.clone(), Source::from(f.text.clone()))).collect() }
    }
}

impl Cache<String> for AriadneCache {
    type Storage = String;

    fn fetch(&mut self, id: &String) -> Result<&Source<String>, impl std::fmt::Debug> {
        self.sources.get(id).ok_or_else(|| format!("no source for `{id}`"))
    }

    fn display<'a>(&self, id: &'a String) -> Option<impl std::fmt::Display + 'a> {
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture;

    const PLAIN: TerminalOptions = TerminalOptions { color: false };

    #[test]
    fn two_files_note_help_fix() {
        let text = render(&[fixture::tier_mismatch()], &fixture::sources(), PLAIN);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn summary() {
        let diags = [fixture::tier_mismatch(), fixture::cross_region(), fixture::tier_mismatch()];
        assert_eq!(summary_line(&diags, PLAIN).as_deref(), Some("error: 2 errors, 1 warning"));
        assert_eq!(summary_line(&diags[1..2], PLAIN).as_deref(), Some("warning: 1 warning"));
        assert_eq!(summary_line(&[], PLAIN), None);
        assert!(render(&[], &fixture::sources(), PLAIN).is_empty());
    }

    #[test]
    fn repeated_diagnostics_are_capped_per_code_and_file() {
        let many: Vec<_> = (0..MAX_PER_CODE_AND_FILE + 1_200).map(|_| fixture::tier_mismatch()).collect();
        let text = render(&many, &fixture::sources(), PLAIN);
        assert_eq!(text.matches("error[E0301]").count(), MAX_PER_CODE_AND_FILE);
        assert!(text.ends_with("… and 1,200 more E0301 in services/api.sinfra\n\n"), "{}", &text[text.len() - 200..]);
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn missing_source_is_reported_without_a_snippet() {
        let diag = fixture::tier_mismatch();
        let only_api = |p: &str| (p == "services/api.sinfra").then(|| fixture::API.to_string());
        let text = render(std::slice::from_ref(&diag), &only_api, PLAIN);
        assert!(text.starts_with("error[E0301]: "), "{text}");
        assert!(text.contains("= note: resources.sinfra: `cache` has one instance per stack (bytes"), "{text}");
        let none = |_: &str| None;
        let text = render(std::slice::from_ref(&diag), &none, PLAIN);
        assert!(text.starts_with("error[E0301]: `api`"), "{text}");
        assert!(text.contains("= fix: replace `cache@latest` with `cache`"), "{text}");
    }
}
