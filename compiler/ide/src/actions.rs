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
/// last arm's value, to be edited) for each member of the scrutinee's domain
/// it lacks — tiers, regions, stacks, a literal union's strings, `Bool`s —
/// as the checker decides it (`check::matches::uncovered_arms`).
fn missing_arms(a: &Analysis<'_>, file: SourceFile, range: Span) -> Option<Fix> {
    use sinfra_compiler::check::infer::infer_item;
    use sinfra_compiler::check::matches::{MatchSite, uncovered_arms};
    use sinfra_compiler::hir::{Expr, item_hir, item_source_map};
    let db = a.db;
    let loc = crate::locate::locate(a, file, range.start)?;
    let hir = item_hir(db, loc.item);
    let map = item_source_map(db, loc.item);
    let text = file.text(db);
    // The innermost `match` around the cursor.
    let (whole, scrutinee, arms) = hir
        .body
        .exprs
        .iter()
        .filter_map(|(id, e)| match e {
            Expr::Match(scrutinee, arms) => Some((id, *scrutinee, arms)),
            _ => None,
        })
        .filter(|(id, _, _)| map.expr(*id).start <= loc.offset && loc.offset <= map.expr(*id).end)
        .min_by_key(|(id, _, _)| map.expr(*id).len())?;
    let ty = infer_item(db, a.project, loc.item).type_of(scrutinee);
    let site = MatchSite { whole, scrutinee, ty, arms };
    let info = sinfra_compiler::platform::platform_info(db, a.project);
    let missing = uncovered_arms(info, &hir.body, &site)?;
    let last = arms.last()?;
    let value_span = map.expr(last.body).offset_by(loc.base);
    let value = text.get(value_span.range())?;
    let arm = map.arm_span(last.body).offset_by(loc.base);
    // Arms on their own lines get new lines at the last arm's indentation.
    let before_arm = text.get(map.expr(whole).offset_by(loc.base).start as usize..arm.start as usize)?;
    let separator = match before_arm.rfind('\n') {
        Some(nl) if before_arm[nl + 1..].chars().all(char::is_whitespace) => format!("\n{}", &before_arm[nl + 1..]),
        _ => ", ".to_string(),
    };
    let inserted: String = missing.iter().map(|m| format!("{separator}{m} => {value}")).collect();
    let end = arm.end;
    (!missing.is_empty()).then(|| Fix {
        title: format!("add the missing arms: {}", missing.join(", ")),
        code: "E0306",
        at: FileSpan { path: file.path(db).clone(), span: Span::new(end, end) },
        replacement: inserted,
    })
}

/// The fixes carried by the diagnostics that touch `range` of `file` at any
/// of their labels or where their fix applies: a cross-tier selection inside
/// a helper is reported in the helper with a label at the service's call, and
/// the fix is offered at both, whatever file the cursor is in.
fn diagnostic_fixes(a: &Analysis<'_>, file: SourceFile, range: Span) -> Vec<Fix> {
    let db = a.db;
    let path = file.path(db);
    let mut out: Vec<Fix> = Vec::new();
    let touches = |l: &sinfra_compiler::diagnostics::Location| {
        l.path == *path && l.span.start <= range.end && range.start <= l.span.end
    };
    let all = file_diagnostics(db, a.project, file).iter().chain(project_diagnostics(db, a.project).iter());
    for d in all {
        let Some(fix) = &d.fix else { continue };
        if !d.labels.iter().any(|l| touches(&l.location)) && !touches(&fix.location) {
            continue;
        }
        let candidate = Fix {
            title: fix.message.clone(),
            code: d.code.as_str(),
            at: FileSpan { path: fix.location.path.clone(), span: fix.location.span },
            replacement: fix.replacement.clone(),
        };
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}
