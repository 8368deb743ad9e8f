//! The whole checker never panics: arbitrary bytes as the single file of a
//! project, through `project_diagnostics` and the emitter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::db::Database;

const MANIFEST: &str = "[project]\nname = \"fuzz\"\n";
/// The example's version datastore, so that `image("api")` and friends resolve.
const VERSIONS: &str = include_str!("../../examples/acme/versions.toml");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut db = Database::default();
    let project =
        db.load_project(vec![("main.sinfra".to_string(), text)], MANIFEST.to_string(), Some(VERSIONS.to_string()));
    let diags = project_diagnostics(&db, project);
    // A project that checks clean must also build.
    if diags.iter().all(|d| !d.is_error()) {
        let _ = sinfra_compiler::emit::build(&db, project, &[]);
    }
});
