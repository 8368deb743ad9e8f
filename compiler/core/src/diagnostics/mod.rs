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
        }
    }
}

/// Sorts diagnostics by file, position and code, and removes exact duplicates.
pub fn normalize(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| (a.location(), a.code, &a.message).cmp(&(b.location(), b.code, &b.message)));
    diags.dedup();
}
