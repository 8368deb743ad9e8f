//! `sinfrac build`: writes every stack's manifests, changing only the files
//! whose bytes changed, atomically (the protocol is [`crate::outdir`]'s); or,
//! with `--check`, compares them with what is on disk. Both render one stack at
//! a time and compare its files with the disk as they come ([`stream`]), so
//! the text of the whole output is never held at once.

mod check;
mod stream;
mod write;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use miette::{Result, miette};
use sinfra_compiler::emit;
use sinfra_compiler::items::ItemId;
use sinfra_compiler::platform::{PlatformInfo, platform_info};

use super::rejected;
use crate::Format;
use crate::loader::{Loaded, load};
use crate::outdir::{Access, OutDir};
use crate::output::protect::{self, Allow};

pub use crate::outdir::MARKER;

/// What a build covers and may delete.
pub struct Selection<'a> {
    /// The stacks to build (all when empty).
    pub stacks: &'a [String],
    /// `--allow-delete` arguments, `STACK/KIND/NAME`.
    pub allow_delete: &'a [String],
}

/// One build, as the command line asked for it.
struct Request<'a> {
    loaded: &'a Loaded,
    info: &'a PlatformInfo,
    /// The selected stacks (all when empty).
    selected: &'a [ItemId],
    out_dir: &'a Path,
    cli_allows: Vec<Allow>,
    format: Format,
}

/// Runs the build.
pub fn run(
    path: &Path,
    out: Option<&Path>,
    selection: &Selection<'_>,
    check: bool,
    format: Format,
) -> Result<ExitCode> {
    let cli_allows = selection.allow_delete.iter().map(|a| protect::cli_allow(a)).collect::<Result<Vec<_>>>()?;
    let loaded = load(path)?;
    if let Some(code) = rejected(&loaded, format) {
        if format == Format::Human {
            eprintln!("nothing written: fix the errors above");
        }
        return Ok(code);
    }
    let info = platform_info(&loaded.db, loaded.project);
    let selected = resolve_stacks(info, selection.stacks)?;
    let out_dir = match out {
        Some(o) => o.to_path_buf(),
        None => loaded.root.join(&info.manifest.out),
    };
    let request = Request { loaded: &loaded, info, selected: &selected, out_dir: &out_dir, cli_allows, format };
    if check { check::run(request) } else { write::run(request) }
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
/// other file is kept. `generated` is every path the build produces.
pub fn selection_prefixes<'a>(
    info: &PlatformInfo,
    selected: &[ItemId],
    generated: impl IntoIterator<Item = &'a str>,
) -> Option<Vec<String>> {
    (!selected.is_empty()).then(|| {
        let dirs: Vec<String> = selected
            .iter()
            .filter_map(|item| info.stacks.iter().find(|s| s.item == *item))
            .map(|s| format!("{}/", s.dns))
            .collect();
        let exact: Vec<String> = generated
            .into_iter()
            .filter(|p| !dirs.iter().any(|d| p.starts_with(d.as_str())))
            .map(str::to_string)
            .collect();
        dirs.into_iter().chain(exact).collect()
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

/// The output on disk (relative path → bytes), after finishing a build that was
/// interrupted there; a directory that does not exist is an empty output.
pub fn previous_output(out_dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let dir = OutDir::open(out_dir, Access::Read)?;
    let mut out = BTreeMap::new();
    for path in dir.files() {
        if let Some(bytes) = dir.read(path)? {
            out.insert(path.to_string(), bytes);
        }
    }
    Ok(out)
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
