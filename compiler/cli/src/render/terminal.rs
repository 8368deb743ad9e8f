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
use sinfra_compiler::diagnostics::{Diagnostic, Severity};

use super::{Files, Sources, Summary};

/// How to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TerminalOptions {
    /// ANSI colours. The CLI turns them off for `NO_COLOR` and when stderr is not a TTY.
    pub color: bool,
}

/// Every diagnostic as an ariadne report, each followed by a blank line;
/// empty when `diags` is empty. The summary line is not included.
pub fn render(diags: &[Diagnostic], sources: &dyn Sources, options: TerminalOptions) -> String {
    let files = Files::load(diags, sources);
    let mut cache = AriadneCache::new(&files);
    let mut out = String::new();
    for d in diags {
        out.push_str(&report_with(d, &files, &mut cache, options));
        out.push('\n');
    }
    out
}

/// One diagnostic as an ariadne report, with its note, help and fix lines
/// (ending with a newline).
pub fn report(diag: &Diagnostic, sources: &dyn Sources, options: TerminalOptions) -> String {
    let diags = std::slice::from_ref(diag);
    let files = Files::load(diags, sources);
    let mut cache = AriadneCache::new(&files);
    report_with(diag, &files, &mut cache, options)
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

fn report_with(diag: &Diagnostic, files: &Files, cache: &mut AriadneCache, options: TerminalOptions) -> String {
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
            missing.push(format!("{}: {} (bytes {}..{})", loc.path, label.message, loc.span.start, loc.span.end));
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

    let mut out = Vec::new();
    match anchor {
        None => {
            // Nothing to draw: the header line is all ariadne would add.
            let kind = paint(&header, if diag.is_error() { RED } else { YELLOW }, options.color);
            out.extend_from_slice(format!("{kind}: {}\n", diag.message).as_bytes());
        }
        Some(anchor) => {
            let report = Report::<AriadneSpan>::build(ReportKind::Custom(&header, color), anchor)
                .with_config(config)
                .with_message(&diag.message)
                .with_labels(labels)
                .finish();
            if let Err(e) = report.write(&mut *cache, &mut out) {
                let msg = format!("{header}: {} (could not draw the source: {e})\n", diag.message);
                out.extend_from_slice(msg.as_bytes());
            }
        }
    }
    let mut text = String::from_utf8_lossy(&out).into_owned();

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
