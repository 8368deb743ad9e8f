//! `sinfrac check`: every diagnostic of the project; writes nothing.

use std::path::Path;
use std::process::ExitCode;

use miette::Result;
use sinfra_compiler::check::project_diagnostics;

use super::{exit_for, rejected, report};
use crate::Format;
use crate::loader::load;

/// Runs the check.
pub fn run(path: &Path, format: Format) -> Result<ExitCode> {
    let loaded = load(path)?;
    if let Some(code) = rejected(&loaded, format) {
        return Ok(code);
    }
    let diags = {
        sinfra_compiler::check::warm(&loaded.db, loaded.project, &[], true);
        project_diagnostics(&loaded.db, loaded.project)
    };
    let code = exit_for(report(&loaded, diags, format));
    // The process ends here: freeing every memoized value one by one would only cost time.
    std::mem::forget(loaded);
    Ok(code)
}
