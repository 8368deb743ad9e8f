//! `sinfrac build` proper: stages every file that differs from the disk while
//! the stacks render, judges the deletions, and commits (`crate::outdir`).

use std::collections::HashSet;
use std::process::ExitCode;

use miette::Result;

use super::stream::stream;
use super::{Request, in_selection, selection_prefixes};
use crate::Format;
use crate::commands::{exit_for, report};
use crate::outdir::{Access, OutDir};
use crate::output::protect;

/// Writes the build into the output directory.
pub fn run(req: Request<'_>) -> Result<ExitCode> {
    let dir = OutDir::open(req.out_dir, Access::Write { list: true })?;
    let txn = dir.transaction();
    let (diags, streamed) = stream(&req, &dir, &|file, _| txn.stage(&file.path, file.content.as_bytes()));
    if report(req.loaded, &diags, req.format) {
        if req.format == Format::Human {
            eprintln!("nothing written: fix the errors above");
        }
        return Ok(exit_for(true));
    }
    let pass = streamed?;
    let prefixes = selection_prefixes(req.info, req.selected, pass.generated.iter().map(String::as_str));
    let generated: HashSet<&str> = pass.generated.iter().map(String::as_str).collect();
    let vanished: Vec<&str> =
        dir.files().filter(|p| in_selection(p, prefixes.as_deref()) && !generated.contains(p)).collect();
    let mut gathered = pass.gathered;
    for path in &vanished {
        if let Some(bytes) = dir.read(path)? {
            gathered.file(path, Some(&bytes), None)?;
        }
    }
    let db = &req.loaded.db;
    let judged = gathered.judge(db, req.loaded.project, req.info, req.selected, req.cli_allows);
    let refused: Vec<_> = judged.removals.iter().filter(|r| r.refused()).collect();
    if !refused.is_empty() {
        eprint!("{}", protect::refusal(&refused, "; nothing was written"));
        return Ok(ExitCode::from(protect::REFUSED));
    }
    if req.format == Format::Human {
        for allow in protect::unused(&judged.allows, &judged.removals) {
            eprintln!(
                "warning: `{}` ({}) names no object this build deletes; remove it once its deletion is built",
                allow.object, allow.from
            );
        }
    }
    for path in &vanished {
        txn.delete(path);
    }
    let done = txn.commit()?;
    if req.format == Format::Human {
        let stacks = if req.selected.is_empty() { req.info.stacks.len() } else { req.selected.len() };
        eprintln!(
            "built {} files for {stacks} stacks in {}: {} written, {} removed, {} unchanged",
            generated.len(),
            dir.root().display(),
            done.written,
            done.removed,
            generated.len() - done.written
        );
    }
    Ok(ExitCode::SUCCESS)
}
