//! The language reaches nothing outside (docs/language.md, "Guarantees"): the
//! core — parser, checker, evaluator, builtins, emitters — names no API that
//! reads the environment, the clock, files, the network or processes. Files
//! reach it as texts, read by the CLI's loader inside the project root.
//! (`compiler/core/clippy.toml` also forbids the calls at compile time; this
//! test reads the sources, so it may do IO.)

#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::Path;

/// What the core's sources may not mention.
const FORBIDDEN: &[&str] = &[
    "std::env",
    "env::var",
    "std::fs",
    "fs::",
    "File::open",
    "std::net",
    "TcpStream",
    "UdpSocket",
    "std::process",
    "Command::new",
    "SystemTime",
    "Instant::now",
];

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), fs::read_to_string(&path).expect("UTF-8 source")));
        }
    }
}

#[test]
fn the_core_names_no_api_that_reaches_outside() {
    let mut files = Vec::new();
    for krate in ["src", "../syntax/src"] {
        sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join(krate), &mut files);
    }
    assert!(files.len() > 20, "the sources were found");
    for (path, text) in &files {
        for word in FORBIDDEN {
            assert!(!text.contains(word), "{path} mentions `{word}`: the core does no IO (ARCHITECTURE.md)");
        }
    }
}

/// Every builtin says what it reads (an exhaustive `match`: a new builtin
/// does not compile without it); only `image` reads an input, the versions file.
#[test]
fn builtins_are_classified() {
    use sinfra_compiler::eval::builtins::{Builtin, Reads};
    let reading: Vec<&str> = Builtin::ALL.iter().filter(|b| b.reads() != Reads::Nothing).map(|b| b.name()).collect();
    assert_eq!(reading, ["image"]);
}
