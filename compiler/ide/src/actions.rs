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

/// The fixes of the diagnostics of `file` that touch `range`, and the arms a
/// `match` on tiers, regions or stacks there lacks.
pub fn fixes(a: &Analysis<'_>, file: SourceFile, range: Span) -> Vec<Fix> {
    let mut out = diagnostic_fixes(a, file, range);
    out.extend(missing_arms(a, file, range));
    out
}

/// `match tier { prod => 6 }` without `latest`: insert `latest => 6` (the
/// last arm's value, to be edited) for each tier, region or stack it lacks.
fn missing_arms(a: &Analysis<'_>, file: SourceFile, range: Span) -> Option<Fix> {
    use sinfra_compiler::hir::{Expr, Pat, item_hir, item_source_map};
    let db = a.db;
    let loc = crate::locate::locate(a, file, range.start)?;
    let hir = item_hir(db, loc.item);
    let map = item_source_map(db, loc.item);
    let info = sinfra_compiler::platform::platform_info(db, a.project);
    let text = file.text(db);
    // The innermost `match` around the cursor.
    let (_, arms) = hir
        .body
        .exprs
        .iter()
        .filter_map(|(id, e)| match e {
            Expr::Match(_, arms) => Some((map.expr(id), arms)),
            _ => None,
        })
        .filter(|(s, _)| s.start <= loc.offset && loc.offset <= s.end)
        .min_by_key(|(s, _)| s.len())?;
    let named: Vec<&str> = arms
        .iter()
        .flat_map(|arm| arm.pats.iter())
        .filter_map(|&p| match hir.body.pat(p) {
            Some(Pat::Name(n)) => Some(n.as_str()),
            Some(Pat::Wildcard) => Some("_"),
            _ => None,
        })
        .collect();
    if named.contains(&"_") {
        return None;
    }
    let domains: [Vec<&str>; 3] = [
        info.tiers.iter().map(|t| t.name.as_str()).collect(),
        info.regions.iter().map(|r| r.name.as_str()).collect(),
        info.stacks.iter().map(|s| s.name.as_str()).collect(),
    ];
    let domain = domains.iter().find(|d| !named.is_empty() && named.iter().all(|n| d.contains(n)))?;
    let missing: Vec<&str> = domain.iter().copied().filter(|d| !named.contains(d)).collect();
    let last = arms.last()?;
    let value_span = map.expr(last.body).offset_by(loc.base);
    let value = text.get(value_span.range())?;
    let end = map.arm_span(last.body).offset_by(loc.base).end;
    let inserted: String = missing.iter().map(|m| format!(", {m} => {value}")).collect();
    (!missing.is_empty()).then(|| Fix {
        title: format!("add the missing arms: {}", missing.join(", ")),
        code: "E0306",
        at: FileSpan { path: file.path(db).clone(), span: Span::new(end, end) },
        replacement: inserted,
    })
}

/// The fixes the diagnostics of `file` that touch `range` carry.
fn diagnostic_fixes(a: &Analysis<'_>, file: SourceFile, range: Span) -> Vec<Fix> {
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
