//! `sinfrac build --check`: compares what the sources produce with the output
//! directory, file by file as the stacks render, and writes nothing (but for
//! finishing a build that was interrupted there).

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

use miette::Result;

use super::stream::stream;
use super::{Request, drift_line, in_selection, selection_prefixes};
use crate::Format;
use crate::commands::{exit_for, report};
use crate::outdir::{Access, OutDir};
use crate::output::protect;

/// Compares the build with the output directory: exit 0 up to date, 1 drift,
/// 4 a protected object the sources no longer produce.
pub fn run(req: Request<'_>) -> Result<ExitCode> {
    let dir = OutDir::open(req.out_dir, Access::Read)?;
    // (path, what to print), for the files that differ.
    let drift: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let (diags, streamed) = stream(&req, &dir, &|file, old| {
        let text = match old {
            Some(old) => {
                let old = String::from_utf8_lossy(old);
                let path = &file.path;
                let diff = similar::TextDiff::from_lines(old.as_ref(), &*file.content);
                format!(
                    "{}\n{}",
                    drift_line(path, &old, &file.content),
                    diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}"))
                )
            }
            None => format!("missing: {} (not built yet)\n", file.path),
        };
        drift.lock().unwrap_or_else(PoisonError::into_inner).push((file.path.clone(), text));
        Ok(())
    });
    if report(req.loaded, &diags, req.format) {
        if req.format == Format::Human {
            eprintln!("nothing written: fix the errors above");
        }
        return Ok(exit_for(true));
    }
    let pass = streamed?;
    let mut drift = drift.into_inner().unwrap_or_else(PoisonError::into_inner);
    drift.sort();
    for (_, text) in &drift {
        out!("{text}");
    }
    let prefixes = selection_prefixes(req.info, req.selected, pass.generated.iter().map(String::as_str));
    let generated: HashSet<&str> = pass.generated.iter().map(String::as_str).collect();
    let stale: Vec<&str> =
        dir.files().filter(|p| in_selection(p, prefixes.as_deref()) && !generated.contains(p)).collect();
    let mut gathered = pass.gathered;
    for path in &stale {
        outln!("stale: {path} (no source produces it any more)");
        if let Some(bytes) = dir.read(path)? {
            gathered.file(path, Some(&bytes), None)?;
        }
    }
    let code = if drift.is_empty() && stale.is_empty() {
        eprintln!("{} is up to date ({} files)", req.out_dir.display(), generated.len());
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: `{}` is not what the sources produce: run `sinfrac build` and commit the result",
            req.out_dir.display()
        );
        ExitCode::from(1)
    };
    let judged = gathered.judge(&req.loaded.db, req.loaded.project, req.info, req.selected, req.cli_allows);
    let refused: Vec<_> = judged.removals.iter().filter(|r| r.refused()).collect();
    if !refused.is_empty() {
        eprint!("{}", protect::refusal(&refused, "; nothing was written"));
        return Ok(ExitCode::from(protect::REFUSED));
    }
    Ok(code)
}
