//! Code actions: the machine-applicable fixes the diagnostics carry
//! (a did-you-mean, a unit suffix), offered where they apply.

use sinfra_compiler::check::{file_diagnostics, project_diagnostics};
use sinfra_compiler::db::SourceFile;
use sinfra_syntax::Span;

use crate::{Analysis, FileSpan};

/// A fix: replace `at` by `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does, e.g. "replace `replica` with `replicas`".
    pub title: String,
    /// The diagnostic code it fixes.
    pub code: &'static str,
    /// The text replaced.
    pub at: FileSpan,
    /// The new text.
    pub replacement: String,
}

/// The fixes of the diagnostics of `file` that touch `range`.
pub fn fixes(a: &Analysis<'_>, file: SourceFile, range: Span) -> Vec<Fix> {
    let db = a.db;
    let path = file.path(db);
    let mut out: Vec<Fix> = Vec::new();
    let touches = |s: Span| s.start <= range.end && range.start <= s.end;
    let all = file_diagnostics(db, a.project, file).iter().chain(project_diagnostics(db, a.project).iter());
    for d in all {
        let Some(fix) = &d.fix else { continue };
        if d.location().path != *path || !touches(d.location().span) || fix.location.path != *path {
            continue;
        }
        let candidate = Fix {
            title: fix.message.clone(),
            code: d.code.as_str(),
            at: FileSpan { path: path.clone(), span: fix.location.span },
            replacement: fix.replacement.clone(),
        };
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}
