//! A build streamed past the output directory: each stack's files are
//! compared with the disk as soon as they are rendered, what differs is handed
//! on, and the text is dropped.

use std::sync::{Mutex, PoisonError};

use miette::Result;
use sinfra_compiler::diagnostics::Diagnostic;
use sinfra_compiler::emit::{self, OutputFile};

use super::Request;
use crate::outdir::{Compared, OutDir};
use crate::output::Gathered;

/// What streaming a build past the output directory found.
pub struct Pass {
    /// Every path the build generates, sorted.
    pub generated: Vec<String>,
    /// The objects of the files that differ from the disk, both sides (for deletion protection).
    pub gathered: Gathered,
}

/// What to do with a file that differs from the disk, given the bytes there (`None`: no file).
pub type Differs<'a> = dyn Fn(&OutputFile, Option<&[u8]>) -> Result<()> + Sync + 'a;

/// Renders the selected stacks and compares each file with `dir`; `differs`
/// gets each file that is not on disk byte for byte, with the bytes there
/// (`None`: no file). Returns the build's diagnostics and, unless the
/// comparison or `differs` failed, the pass.
pub fn stream(req: &Request<'_>, dir: &OutDir, differs: &Differs<'_>) -> (Vec<Diagnostic>, Result<Pass>) {
    // Without previous objects nothing is removed or moved: a first build parses nothing back.
    let gather_new = !dir.is_empty();
    let found = Mutex::new(Pass { generated: Vec::new(), gathered: Gathered::new(false) });
    let sink = |files: Vec<OutputFile>| -> Result<()> {
        let mut generated = Vec::with_capacity(files.len());
        let mut gathered = Gathered::new(false);
        for file in files {
            if let Compared::Differs(old) = dir.compare(&file.path, file.content.as_bytes())? {
                gathered.file(&file.path, old.as_deref(), gather_new.then_some(&*file.content))?;
                differs(&file, old.as_deref())?;
            }
            generated.push(file.path);
        }
        let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
        found.generated.extend(generated);
        found.gathered.merge(gathered);
        Ok(())
    };
    let (diags, streamed) = emit::build_project_streaming(&req.loaded.db, req.loaded.project, req.selected, &sink);
    let pass = streamed.map(|()| {
        let mut pass = found.into_inner().unwrap_or_else(PoisonError::into_inner);
        pass.generated.sort();
        pass
    });
    (diags, pass)
}
