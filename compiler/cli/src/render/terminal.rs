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
use sinfra_compiler::diagnostics::{Code, Diagnostic, Label as DiagLabel, Location, Severity};
use sinfra_syntax::Span;

use super::snippet::{Snippet, escape};
use super::{File, Files, Sources, Summary};

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
        out.push_str(&report(d, &files, options));
        out.push('\n');
    }
    for (code, path, n) in elided {
        let _ = writeln!(out, "… and {} more {} in {}\n", thousands(n), code.as_str(), escape(path, MAX_LABEL));
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

/// The longest message, note, help or fix text drawn (JSON and SARIF carry them whole).
pub const MAX_MESSAGE: usize = 400;
/// The longest label text drawn.
pub const MAX_LABEL: usize = 160;

/// Labels name their source by its index among the report's files: the
/// header ariadne writes for it (`[ id:line:col ]`) is then found and
/// replaced by the real position.
type AriadneSpan = (usize, Range<usize>);

/// What ariadne writes in place of a path: a marker no escaped text contains.
fn marker(source: usize) -> String {
    format!("\u{1}{source}\u{1}")
}

fn report(diag: &Diagnostic, files: &Files, options: TerminalOptions) -> String {
    let (word, color) = match diag.severity {
        Severity::Error => ("error", Color::Red),
        Severity::Warning => ("warning", Color::Yellow),
    };
    let header = format!("{word}[{}]", diag.code.as_str());
    let config = Config::default().with_index_type(IndexType::Byte).with_color(options.color);

    // Labels whose file is unavailable cannot be drawn: say where they are in a note instead.
    let mut missing = Vec::new();
    let primary_drawable = diag.labels.iter().any(|l| l.primary && files.get(&l.location.path).is_some());
    // The files drawn, in order of first label, with the offsets their snippets must show.
    let mut drawn: Vec<(&str, &File, Vec<u32>)> = Vec::new();
    let mut spans: Vec<(usize, &DiagLabel, u32, u32)> = Vec::new();
    let mut anchor: Option<usize> = None;
    for label in &diag.labels {
        let loc = &label.location;
        let Some(file) = files.get(&loc.path) else {
            let path = escape(&loc.path, MAX_LABEL);
            let message = escape(&label.message, MAX_LABEL);
            missing.push(if loc.span.is_empty() && loc.span.start == 0 {
                format!("{path}: {message}") // the whole file
            } else {
                format!("{path}: {message} (bytes {}..{})", loc.span.start, loc.span.end)
            });
            continue;
        };
        let start = loc.span.start.min(file.text.len() as u32);
        let end = loc.span.end.clamp(start, file.text.len() as u32);
        let source = match drawn.iter().position(|(p, _, _)| *p == loc.path) {
            Some(i) => i,
            None => {
                drawn.push((&loc.path, file, Vec::new()));
                drawn.len() - 1
            }
        };
        drawn[source].2.extend([start, end]);
        // The report is anchored at the primary label, or at the first drawable one.
        if anchor.is_none() && (label.primary || !primary_drawable) {
            anchor = Some(spans.len());
        }
        spans.push((source, label, start, end));
    }

    // ariadne paints a custom report kind even with colour off, so the header
    // line is written here and ariadne's own (the first line) is dropped.
    let kind = paint(&header, if diag.is_error() { RED } else { YELLOW }, options.color);
    let mut text = format!("{kind}: {}\n", escape(&diag.message, MAX_MESSAGE));
    if let Some(anchor) = anchor {
        let snippets: Vec<Snippet> = drawn.iter().map(|(_, file, offsets)| Snippet::new(file, offsets)).collect();
        let labels = spans.iter().enumerate().map(|(order, &(source, label, start, end))| {
            let (file, snippet) = (drawn[source].1, &snippets[source]);
            let span = (source, snippet.map(file, start)..snippet.map(file, end));
            let label_color = if label.primary { color } else { Color::Blue };
            Label::new(span)
                .with_message(escape(&label.message, MAX_LABEL))
                .with_color(label_color)
                .with_order(order as i32)
        });
        let (source, _, start, _) = spans[anchor];
        let anchor_span =
            (source, snippets[source].map(drawn[source].1, start)..snippets[source].map(drawn[source].1, start));
        let report = Report::<AriadneSpan>::build(ReportKind::Custom(&header, color), anchor_span)
            .with_config(config)
            .with_message(escape(&diag.message, MAX_MESSAGE))
            .with_labels(labels)
            .finish();
        let mut cache = SnippetCache(snippets.into_iter().map(|s| Source::from(s.text)).collect());
        let mut out = Vec::new();
        match report.write(&mut cache, &mut out) {
            Ok(()) => {
                let mut drawn_text = String::from_utf8_lossy(&out).into_owned();
                // ariadne names each file at the anchor (its own file) or at the
                // file's first label: the same places, in real positions.
                for (i, (path, _, _)) in drawn.iter().enumerate() {
                    let at = if spans[anchor].0 == i {
                        anchor
                    } else {
                        spans.iter().position(|s| s.0 == i).unwrap_or(anchor)
                    };
                    let (_, label, start, _) = spans[at];
                    let position = files
                        .range(&Location { path: label.location.path.clone(), span: Span::new(start, start) })
                        .map_or_else(|| "?:?".to_string(), |(s, _)| format!("{}:{}", s.line, s.column));
                    drawn_text =
                        replace_position(&drawn_text, &marker(i), &format!("{}:{position}", escape(path, MAX_LABEL)));
                }
                text.push_str(drawn_text.split_once('\n').map_or("", |(_, rest)| rest));
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
        let _ = writeln!(text, "{} {}", eq("note"), escape(note, MAX_MESSAGE));
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(text, "{} {}", eq("help"), escape(help, MAX_MESSAGE));
    }
    if let Some(fix) = &diag.fix {
        let _ = writeln!(text, "{} {}", eq("fix"), escape(&fix.message, MAX_MESSAGE));
    }
    text
}

/// Replaces `marker:LINE:COL` (what ariadne wrote for a file) with `real`.
fn replace_position(text: &str, marker: &str, real: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i]);
        out.push_str(real);
        let after = &rest[i + marker.len()..];
        // `:line:col`, digits or `?`.
        let mut skip = 0;
        for _ in 0..2 {
            if after[skip..].starts_with(':') {
                skip += 1;
                skip += after[skip..].find(|c: char| !(c.is_ascii_digit() || c == '?')).unwrap_or(after.len() - skip);
            }
        }
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// ariadne's view of one report's snippets, by index.
struct SnippetCache(Vec<Source<String>>);

impl Cache<usize> for SnippetCache {
    type Storage = String;

    fn fetch(&mut self, id: &usize) -> Result<&Source<String>, impl std::fmt::Debug> {
        self.0.get(*id).ok_or_else(|| format!("no source #{id}"))
    }

    fn display<'a>(&self, id: &'a usize) -> Option<impl std::fmt::Display + 'a> {
        Some(marker(*id))
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
    fn long_and_unprintable_texts_are_cut_and_escaped() {
        let long = format!("\u{1b}[2J{}", "v".repeat(10_000));
        let mut diag = fixture::cross_region();
        diag.message = long.clone();
        diag.labels[0].message = long.clone();
        diag = diag.with_note(long.clone()).with_help(long.clone());
        let text = render(std::slice::from_ref(&diag), &fixture::sources(), PLAIN);
        assert!(text.len() < 4 * (MAX_MESSAGE + MAX_LABEL) * 3, "{} bytes", text.len());
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.contains(&format!("\\u{{1b}}[2J{}…", "v".repeat(MAX_LABEL - 4))), "{text}");
        // JSON carries the whole text.
        let json = crate::render::json::render(std::slice::from_ref(&diag), &fixture::sources());
        assert!(json.contains(&"v".repeat(10_000)));
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
