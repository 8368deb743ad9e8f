//! The one diagnostic type every phase reports, and the registry of codes.
//!
//! Diagnostics are plain values: queries return them, front ends render them
//! (terminal, JSON, SARIF, LSP). Spans here are absolute byte ranges in a file
//! identified by its project-relative path (`std/k8s.sinfra` for the stdlib).

mod codes;

pub use codes::{Code, explain};

use serde::Serialize;
use sinfra_syntax::Span;

/// How bad it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `check` and `build`.
    Error,
    /// Reported; does not fail.
    Warning,
}

/// A location: a file path (project-relative, `/`-separated) and a byte span.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Project-relative path, or `std/<module>.sinfra`.
    pub path: String,
    /// Byte range in that file.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
}

fn serialize_span<S: serde::Serializer>(span: &Span, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("Span", 2)?;
    st.serialize_field("start", &span.start)?;
    st.serialize_field("end", &span.end)?;
    st.end()
}

/// A labelled span: the primary one says what is wrong, secondary ones where the other side came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Label<L = Location> {
    /// Where.
    pub location: L,
    /// What to say there.
    pub message: String,
    /// The primary label of the diagnostic (exactly one is).
    pub primary: bool,
}

/// A suggested edit: replace `location` by `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Fix<L = Location> {
    /// What the fix does, e.g. "replace `replica` with `replicas`".
    pub message: String,
    /// The text to replace.
    pub location: L,
    /// The new text.
    pub replacement: String,
}

/// One reported problem.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic<L = Location> {
    /// The stable code, e.g. `E0301`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// The primary label first, then secondary labels.
    pub labels: Vec<Label<L>>,
    /// Facts that help understand it (`= note:`).
    pub notes: Vec<String>,
    /// What to do about it (`= help:`).
    pub help: Option<String>,
    /// A machine-applicable fix, when one is known.
    pub fix: Option<Fix<L>>,
    /// The stacks in which the problem arises (empty: it does not depend on a stack).
    pub stacks: Vec<String>,
    /// The instances whose evaluation reached it (`service `api``), when it lies
    /// in code they share (a helper, a schema, a library `let`).
    pub reached_by: Vec<String>,
}

impl<L> Diagnostic<L> {
    /// A diagnostic of `code` at its default severity, with a primary label.
    pub fn new(code: Code, message: impl Into<String>, at: L, label: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            labels: vec![Label { location: at, message: label.into(), primary: true }],
            notes: Vec::new(),
            help: None,
            fix: None,
            stacks: Vec::new(),
            reached_by: Vec::new(),
        }
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, at: L, message: impl Into<String>) -> Self {
        self.labels.push(Label { location: at, message: message.into(), primary: false });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets a fix.
    pub fn with_fix(mut self, message: impl Into<String>, at: L, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix { message: message.into(), location: at, replacement: replacement.into() });
        self
    }

    /// Records the stack the problem arises in and the instance being evaluated.
    pub fn in_context(mut self, stack: Option<&str>, instance: Option<String>) -> Self {
        if self.stacks.is_empty()
            && let Some(s) = stack
        {
            self.stacks.push(s.to_string());
        }
        if self.reached_by.is_empty()
            && let Some(i) = instance
        {
            self.reached_by.push(i);
        }
        self
    }

    /// Overrides the severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The primary location.
    pub fn location(&self) -> &L {
        &self.labels[0].location
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The same diagnostic with every location mapped by `f`.
    pub fn map_locations<M>(self, mut f: impl FnMut(L) -> M) -> Diagnostic<M> {
        Diagnostic {
            code: self.code,
            severity: self.severity,
            message: self.message,
            labels: self
                .labels
                .into_iter()
                .map(|l| Label { location: f(l.location), message: l.message, primary: l.primary })
                .collect(),
            notes: self.notes,
            help: self.help,
            fix: self.fix.map(|x| Fix { message: x.message, location: f(x.location), replacement: x.replacement }),
            stacks: self.stacks,
            reached_by: self.reached_by,
        }
    }
}

/// Sorts diagnostics by file, position and code, and removes exact duplicates.
pub fn normalize(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| (a.location(), a.code, &a.message).cmp(&(b.location(), b.code, &b.message)));
    diags.dedup();
}

/// The message of the secondary label at each call site that led into a helper.
pub const CALLED_FROM: &str = "called from here";

/// One diagnostic per root cause: diagnostics of one code at the same
/// locations (the same mistake, reported once per stack, or once per service
/// that calls the helper holding it) become the first of them, with notes
/// listing every stack and instance affected. The first keeps its message, so
/// a static diagnostic (reported before evaluation) absorbs the evaluator's
/// copies of the same problem.
pub fn merge_root_causes(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    type Key = (Code, Vec<Location>);
    const MAX_CALL_SITES: usize = 5;
    let mut groups: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    for d in diags {
        let key: Key =
            (d.code, d.labels.iter().filter(|l| l.message != CALLED_FROM).map(|l| l.location.clone()).collect());
        match index.get(&key) {
            Some(&i) => {
                let mut d = d;
                if !groups[i].stacks.is_empty() && d.stacks.is_empty() {
                    // The static diagnostic (no stack) is the root cause; the evaluator's are copies.
                    std::mem::swap(&mut groups[i], &mut d);
                }
                let first = &mut groups[i];
                if first.stacks.is_empty() {
                    continue;
                }
                for l in d.labels.into_iter().filter(|l| l.message == CALLED_FROM) {
                    let sites = first.labels.iter().filter(|x| x.message == CALLED_FROM).count();
                    if sites < MAX_CALL_SITES && !first.labels.iter().any(|x| x.location == l.location) {
                        first.labels.push(l);
                    }
                }
                for s in d.stacks {
                    if !first.stacks.contains(&s) {
                        first.stacks.push(s);
                    }
                }
                for r in d.reached_by {
                    if !first.reached_by.contains(&r) {
                        first.reached_by.push(r);
                    }
                }
            }
            None => {
                index.insert(key, groups.len());
                groups.push(d);
            }
        }
    }
    for d in &mut groups {
        match d.stacks.as_slice() {
            [] => {}
            [one] if d.message.contains(&format!("`{one}`")) => {}
            [one] => d.notes.push(format!("in stack `{one}`")),
            many => d.notes.push(format!("in stacks {}", list_capped(many))),
        }
        match d.reached_by.as_slice() {
            [] => {}
            [one] if d.message.contains(one.as_str()) => {}
            many => d.notes.push(format!("reached by {}", list_capped(many))),
        }
    }
    groups
}

/// `a, b, c` — at most ten, then `and N more`.
fn list_capped(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut out = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        out.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    out
}

/// `text` cut to at most `max` characters, with `…` when cut: values quoted in messages stay short.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
