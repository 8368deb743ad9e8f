//! `sinfrac explain CODE`: the Markdown page of a diagnostic code.

use std::process::ExitCode;

use miette::{Result, miette};
use sinfra_compiler::diagnostics::{Code, explain};

/// Prints the explanation of `code`, or the list of codes.
pub fn run(code: Option<&str>) -> Result<ExitCode> {
    match code {
        None => {
            for c in Code::ALL {
                outln!("{}  {:<8} {}", c.as_str(), format!("{:?}", c.default_severity()).to_lowercase(), c.title());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(text) => match explain(text) {
            Some((_, page)) => {
                out!("{page}");
                Ok(ExitCode::SUCCESS)
            }
            None => Err(miette!(
                help = "`sinfrac explain` without a code lists them all",
                "unknown diagnostic code `{text}`"
            )),
        },
    }
}
