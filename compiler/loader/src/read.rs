//! Reading one project file: the only place the CLI reads a file of the project.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use sinfra_compiler::diagnostics::Diagnostic;
use sinfra_compiler::encoding::decode;

use super::confine::{Confined, confine, outside, whole_file};

/// What reading a project file gave.
pub enum Read {
    /// Its text.
    Text(String),
    /// There is no such file.
    Missing,
    /// It cannot be taken in: a diagnostic, and the text to draw it on when some is known.
    Rejected(Box<Diagnostic>, Option<String>),
}

/// Reads the file `rel` (project-relative, `/`-separated) below the canonical
/// `root`, unless it leads out of the project (then it is not even opened).
/// I/O failures other than "not found" are returned as errors.
pub fn read(root: &Path, rel: &str) -> std::io::Result<Read> {
    let path = match confine(root, rel) {
        Confined::Inside(path) => path,
        Confined::Missing => return Ok(Read::Missing),
        Confined::Outside(target) => {
            return Ok(Read::Rejected(Box::new(outside(rel, &target, whole_file(rel), "not read")), None));
        }
    };
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Read::Missing),
        Err(e) => return Err(e),
    };
    Ok(match decode(rel, bytes) {
        Ok(text) => Read::Text(text),
        Err(bad) => Read::Rejected(Box::new(bad.diagnostic), Some(bad.valid_prefix)),
    })
}
