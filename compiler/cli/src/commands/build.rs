//! `sinfrac build`: write every stack's manifests atomically, or with
//! `--check` compare them with what is on disk.
//!
//! Atomicity: the new tree is written beside the output directory
//! (`<out>.sinfrac-new`), then swapped in with two renames; the old tree
//! is kept as `<out>.sinfrac-old` until the swap is done. A build killed at
//! any point leaves either the old or the new tree complete, and the next
//! build finishes or undoes an interrupted swap before it starts.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{IntoDiagnostic, Result, WrapErr, miette};
use sinfra_compiler::emit::{self, OutputFile};
use sinfra_compiler::items::ItemId;
use sinfra_compiler::platform::{PlatformInfo, platform_info};

use super::{exit_for, rejected, report};
use crate::Format;
use crate::loader::load;
use crate::output::{self, protect};

/// The file that marks a directory as sinfrac's output (and so safe to replace).
pub const MARKER: &str = ".sinfrac-output";

/// What a build covers and may delete.
pub struct Selection<'a> {
    /// The stacks to build (all when empty).
    pub stacks: &'a [String],
    /// `--allow-delete` arguments, `STACK/KIND/NAME`.
    pub allow_delete: &'a [String],
}

/// Runs the build.
pub fn run(
    path: &Path,
    out: Option<&Path>,
    selection: &Selection<'_>,
    check: bool,
    format: Format,
) -> Result<ExitCode> {
    let stacks = selection.stacks;
    let cli_allows = selection.allow_delete.iter().map(|a| protect::cli_allow(a)).collect::<Result<Vec<_>>>()?;
    let loaded = load(path)?;
    if let Some(code) = rejected(&loaded, format) {
        if format == Format::Human {
            eprintln!("nothing written: fix the errors above");
        }
        return Ok(code);
    }
    let db = &loaded.db;
    let info = platform_info(db, loaded.project);
    let selected = resolve_stacks(info, stacks)?;
    let out_dir = match out {
        Some(o) => o.to_path_buf(),
        None => loaded.root.join(&info.manifest.out),
    };
    let built = emit::build_project(db, loaded.project, &selected);
    let errors = report(&loaded, &built.diags, format);
    if errors {
        if format == Format::Human {
            eprintln!("nothing written: fix the errors above");
        }
        return Ok(exit_for(true));
    }
    let files = built.files;
    let keep_prefixes = selection_prefixes(info, &selected, &files);
    let previous = previous_output(&out_dir)?;
    let scope = output::Scope { stacks: &selected, prefixes: keep_prefixes.as_deref(), added: false };
    let judged = output::judge(db, loaded.project, info, (&previous, &files), scope, cli_allows)?;
    let (allows, removals) = (judged.allows, judged.removals);
    let refused: Vec<_> = removals.iter().filter(|r| r.refused()).collect();
    if check {
        let code = check_output(&out_dir, &previous, &files, keep_prefixes.as_deref());
        if !refused.is_empty() {
            eprint!("{}", protect::refusal(&refused, "; nothing was written"));
            return Ok(ExitCode::from(protect::REFUSED));
        }
        return Ok(code);
    }
    if !refused.is_empty() {
        eprint!("{}", protect::refusal(&refused, "; nothing was written"));
        return Ok(ExitCode::from(protect::REFUSED));
    }
    for allow in protect::unused(&allows, &removals) {
        if format == Format::Human {
            eprintln!(
                "warning: `{}` ({}) names no object this build deletes; remove it once its deletion is built",
                allow.object, allow.from
            );
        }
    }
    write_atomically(&out_dir, &files, keep_prefixes.as_deref())?;
    if format == Format::Human {
        eprintln!(
            "wrote {} files for {} stacks to {}",
            files.len(),
            if selected.is_empty() { info.stacks.len() } else { selected.len() },
            out_dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The stacks named by `--stack` (by identifier or directory); empty: all.
pub fn resolve_stacks(info: &PlatformInfo, names: &[String]) -> Result<Vec<ItemId>> {
    let mut selected = Vec::new();
    for name in names {
        match info.stacks.iter().find(|s| &s.name == name || &s.dns == name) {
            Some(s) => selected.push(s.item),
            None => {
                let known: Vec<&str> = info.stacks.iter().map(|s| s.name.as_str()).collect();
                return Err(miette!(help = format!("the stacks are: {}", known.join(", ")), "unknown stack `{name}`"));
            }
        }
    }
    Ok(selected)
}

/// What a partial build owns (`None`: everything): the selected stacks' directories
/// and the exact files it generates outside them (their Argo CD Applications); every
/// other file is kept.
pub fn selection_prefixes(info: &PlatformInfo, selected: &[ItemId], files: &[OutputFile]) -> Option<Vec<String>> {
    (!selected.is_empty()).then(|| {
        let dirs: Vec<String> = selected
            .iter()
            .filter_map(|item| info.stacks.iter().find(|s| s.item == *item))
            .map(|s| format!("{}/", s.dns))
            .collect();
        let exact =
            files.iter().filter(|f| !dirs.iter().any(|d| f.path.starts_with(d.as_str()))).map(|f| f.path.clone());
        dirs.iter().cloned().chain(exact).collect()
    })
}

/// Whether a generated path belongs to the selected stacks (`None`: all of them).
pub fn in_selection(path: &str, selection: Option<&[String]>) -> bool {
    match selection {
        None => true,
        Some(prefixes) => prefixes.iter().any(|p| {
            if p.starts_with('/') {
                path.ends_with(p.as_str()) && path.matches('/').count() == 1
            } else {
                path.starts_with(p.as_str())
            }
        }),
    }
}

/// The generated files currently in `dir` (relative path → bytes).
fn read_tree(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_diagnostic().wrap_err_with(|| format!("cannot list `{}`", d.display()))? {
            let entry = entry.into_diagnostic()?;
            let p = entry.path();
            if entry.file_type().into_diagnostic()?.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != MARKER) {
                let rel = p.strip_prefix(dir).unwrap_or(&p);
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, fs::read(&p).into_diagnostic()?);
            }
        }
    }
    Ok(out)
}

/// The output on disk: `out_dir`, or the tree a build interrupted between its
/// two renames left aside.
pub fn previous_output(out_dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let aside = sibling(out_dir, "sinfrac-old");
    if !out_dir.exists() && aside.exists() { read_tree(&aside) } else { read_tree(out_dir) }
}

fn check_output(
    out_dir: &Path,
    existing: &BTreeMap<String, Vec<u8>>,
    files: &[OutputFile],
    selection: Option<&[String]>,
) -> ExitCode {
    let wanted: BTreeMap<&str, &str> = files.iter().map(|f| (f.path.as_str(), &*f.content)).collect();
    let mut differs = false;
    for (path, content) in &wanted {
        match existing.get(*path) {
            Some(bytes) if bytes.as_slice() == content.as_bytes() => {}
            Some(bytes) => {
                differs = true;
                let old = String::from_utf8_lossy(bytes);
                outln!("{}", drift_line(path, &old, content));
                let diff = similar::TextDiff::from_lines(old.as_ref(), *content);
                out!("{}", diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}")));
            }
            None => {
                differs = true;
                outln!("missing: {path} (not built yet)");
            }
        }
    }
    for path in existing.keys() {
        if in_selection(path, selection) && !wanted.contains_key(path.as_str()) {
            differs = true;
            outln!("stale: {path} (no source produces it any more)");
        }
    }
    if differs {
        eprintln!(
            "error: `{}` is not what the sources produce: run `sinfrac build` and commit the result",
            out_dir.display()
        );
        ExitCode::from(1)
    } else {
        eprintln!("{} is up to date ({} files)", out_dir.display(), wanted.len());
        ExitCode::SUCCESS
    }
}

/// Why a file on disk differs from what the sources produce: edited by hand (its
/// body no longer has the hash its header records) or stale (the sources changed).
pub fn drift_line(path: &str, on_disk: &str, wanted: &str) -> String {
    let sources_changed = emit::recorded_hash(on_disk) != emit::recorded_hash(wanted);
    match (emit::hand_edited(on_disk), sources_changed) {
        (Some(true), false) => {
            format!("hand-edited: {path} (edited after sinfrac wrote it; the sources did not change)")
        }
        (Some(true), true) => format!("hand-edited: {path} (edited after sinfrac wrote it, and the sources changed)"),
        _ => format!("stale: {path} (the sources changed since it was built)"),
    }
}

fn sibling(out_dir: &Path, suffix: &str) -> PathBuf {
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    out_dir.with_file_name(format!("{name}.{suffix}"))
}

/// Finishes or undoes a swap that an earlier, interrupted build left behind.
fn recover(out_dir: &Path) -> Result<()> {
    let old = sibling(out_dir, "sinfrac-old");
    let new = sibling(out_dir, "sinfrac-new");
    if old.exists() {
        if out_dir.exists() {
            fs::remove_dir_all(&old).into_diagnostic()?;
        } else {
            fs::rename(&old, out_dir).into_diagnostic().wrap_err("cannot restore the previous output")?;
        }
    }
    if new.exists() {
        fs::remove_dir_all(&new).into_diagnostic()?;
    }
    Ok(())
}

/// Replaces `out_dir` with `files` (see the module docs); `selection` keeps other stacks' files.
pub fn write_atomically(out_dir: &Path, files: &[OutputFile], selection: Option<&[String]>) -> Result<()> {
    if out_dir.exists() {
        let is_ours = out_dir.join(MARKER).is_file();
        let is_empty = fs::read_dir(out_dir).into_diagnostic()?.next().is_none();
        if !is_ours && !is_empty {
            return Err(miette!(
                help = format!(
                    "choose an empty directory, or delete `{}` if it only holds generated files",
                    out_dir.display()
                ),
                "refusing to replace `{}`: it exists and was not written by sinfrac (no `{MARKER}`)",
                out_dir.display()
            ));
        }
    }
    if let Some(parent) = out_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot create `{}`", parent.display()))?;
    }
    recover(out_dir)?;
    let new = sibling(out_dir, "sinfrac-new");
    let old = sibling(out_dir, "sinfrac-old");
    fs::create_dir_all(&new).into_diagnostic().wrap_err_with(|| format!("cannot create `{}`", new.display()))?;
    // A partial build keeps the other stacks' files.
    if selection.is_some() {
        for (path, bytes) in read_tree(out_dir)? {
            if !in_selection(&path, selection) {
                write_file(&new, &path, &bytes)?;
            }
        }
    }
    for f in files {
        write_file(&new, &f.path, f.content.as_bytes())?;
    }
    write_file(
        &new,
        MARKER,
        b"This directory is generated by `sinfrac build`; its contents are replaced on every build.\n",
    )?;
    if out_dir.exists() {
        fs::rename(out_dir, &old).into_diagnostic().wrap_err("cannot move the previous output aside")?;
    }
    fs::rename(&new, out_dir).into_diagnostic().wrap_err("cannot move the new output into place")?;
    if old.exists() {
        fs::remove_dir_all(&old).into_diagnostic().wrap_err("cannot remove the previous output")?;
    }
    Ok(())
}

fn write_file(root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    // Paths come from validated DNS names; refuse anything else outright.
    if !sinfra_compiler::project::is_safe_relative_path(rel) {
        return Err(miette!("refusing to write outside the output directory: `{rel}`"));
    }
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).into_diagnostic()?;
    }
    fs::write(&path, bytes).into_diagnostic().wrap_err_with(|| format!("cannot write `{}`", path.display()))
}
