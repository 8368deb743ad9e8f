//! One `check` fuzz input: arbitrary bytes as the single file of a project,
//! through `project_diagnostics` (and the emitter when it checks clean).
//!
//! The database lives across inputs: the stdlib is parsed, indexed and
//! checked once, and each input is a new revision that replaces the text of
//! `main.sinfra`, so salsa re-runs only what depends on that file (the stdlib
//! is an input of high durability: what derives from it alone is not even
//! re-validated).

use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::db::{Database, Project, SourceFile};

/// The manifest of the fuzzed project.
pub const MANIFEST: &str = "[project]\nname = \"fuzz\"\n";
/// The example's versions file, so that `image("api")` and friends resolve.
pub const VERSIONS: &str = include_str!("../../examples/acme/versions.toml");
/// The path of the fuzzed file.
pub const PATH: &str = "main.sinfra";

/// Inputs after which the database is replaced by a fresh one, so that what
/// salsa interns for the items of past inputs cannot grow without bound.
const FRESH_EVERY: u64 = 20_000;

/// The fuzz target's state: one database, the project and its one file.
pub struct CheckTarget {
    db: Database,
    project: Project,
    file: SourceFile,
    runs: u64,
}

impl Default for CheckTarget {
    fn default() -> Self {
        CheckTarget::new()
    }
}

impl CheckTarget {
    /// A database holding the stdlib and an empty `main.sinfra`, already checked once.
    pub fn new() -> CheckTarget {
        let mut db = Database::default();
        let project =
            db.load_project(vec![(PATH.to_string(), String::new())], MANIFEST.to_string(), Some(VERSIONS.to_string()));
        let file = *project.files(&db).iter().find(|f| f.path(&db) == PATH).expect("the fuzzed file");
        project_diagnostics(&db, project);
        CheckTarget { db, project, file, runs: 0 }
    }

    /// Checks `data` (lossily decoded as UTF-8) as the text of `main.sinfra`;
    /// a project that checks clean is also built. Panics are the findings.
    /// Returns the codes reported, sorted and deduplicated.
    pub fn run(&mut self, data: &[u8]) -> Vec<String> {
        self.runs += 1;
        if self.runs.is_multiple_of(FRESH_EVERY) {
            *self = CheckTarget { runs: self.runs, ..CheckTarget::new() };
        }
        let text = String::from_utf8_lossy(data).into_owned();
        self.db.set_file_text(self.file, text);
        let diags = project_diagnostics(&self.db, self.project);
        if diags.iter().all(|d| !d.is_error()) {
            let _ = sinfra_compiler::emit::build(&self.db, self.project, &[]);
        }
        let mut codes: Vec<String> = diags.iter().map(|d| d.code.as_str().to_string()).collect();
        codes.sort();
        codes.dedup();
        codes
    }
}
