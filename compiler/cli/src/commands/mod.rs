//! One module per subcommand.

pub mod build;
pub mod check;
pub mod doc;
pub mod eval;
pub mod explain;
pub mod explain_output;
pub mod fmt;
pub mod graph;
pub mod plan;
pub mod watch;

use std::process::ExitCode;

use sinfra_compiler::diagnostics::Diagnostic;

use crate::Format;
use crate::loader::Loaded;
use crate::render;

/// Prints diagnostics in `format` (human to stderr, machine formats to stdout); returns whether any is an error.
pub fn report(loaded: &Loaded, diags: &[Diagnostic], format: Format) -> bool {
    match format {
        Format::Human => {
            let options = render::terminal::TerminalOptions { color: crate::use_color() };
            let text = render::terminal::render(diags, &loaded.sources, options);
            eprint!("{text}");
            if let Some(line) = render::terminal::summary_line(diags, options) {
                eprintln!("{line}");
            }
        }
        Format::Json => outln!("{}", render::json::render(diags, &loaded.sources)),
        Format::Sarif => {
            outln!("{}", render::sarif::render(diags, &loaded.sources, render::sarif::SarifOptions::default()))
        }
    }
    diags.iter().any(Diagnostic::is_error)
}

/// Reports the files the loader could not take in; the exit code when there were any.
/// The project is not checked then: what it would report about misread files is noise.
pub fn rejected(loaded: &Loaded, format: Format) -> Option<ExitCode> {
    if loaded.problems.is_empty() {
        return None;
    }
    report(loaded, &loaded.problems, format);
    Some(ExitCode::from(1))
}

/// Exit code 1 when there were errors, 0 otherwise.
pub fn exit_for(errors: bool) -> ExitCode {
    if errors { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
