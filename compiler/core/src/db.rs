//! The salsa database: inputs, the database type, and the item identities
//! every other query is keyed by.

use std::sync::{Arc, Mutex};

use salsa::Setter as _;

use crate::stdlib;

/// Where a source file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A file of the project, editable.
    Project,
    /// A module of the embedded standard library, read-only.
    Stdlib,
}

pub use inputs::{Project, SourceFile};

/// The salsa inputs. A module of their own: salsa generates undocumented
/// constructors and setters for them.
#[allow(missing_docs)]
mod inputs {
    use super::Origin;

    /// One source file: its project-relative path (`/`-separated) and its text.
    #[salsa::input(debug)]
    pub struct SourceFile {
        /// Project-relative path, or `std/<module>.sinfra`.
        #[returns(ref)]
        pub path: String,
        /// The file's text.
        #[returns(ref)]
        pub text: String,
        /// Project file or stdlib module.
        #[returns(copy)]
        pub origin: Origin,
    }

    /// The project: its files and the two configuration texts.
    #[salsa::input(debug)]
    pub struct Project {
        /// Project files and stdlib modules, sorted by path.
        #[returns(ref)]
        pub files: Vec<SourceFile>,
        /// The text of `sinfra.toml`.
        #[returns(ref)]
        pub manifest_text: String,
        /// The text of the versions file, when it exists.
        #[returns(ref)]
        pub versions_text: Option<String>,
    }
}

/// The database trait every query takes.
#[salsa::db]
pub trait Db: salsa::Database {}

/// A query that ran, as recorded by [`Database::with_log`].
pub type QueryLog = Arc<Mutex<Vec<String>>>;

/// The one database of the compiler. Cheap to clone: clones share storage
/// (the language server hands clones to worker threads).
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {}

impl Database {
    /// A database that records the name of every query that executes.
    pub fn with_log() -> (Self, QueryLog) {
        let log: QueryLog = Arc::default();
        let sink = log.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut l) = sink.lock()
            {
                l.push(format!("{database_key:?}"));
            }
        })));
        (Database { storage }, log)
    }

    /// Creates the project input from project files (path, text), the manifest
    /// text and the versions text. The stdlib modules are added here, as inputs
    /// of high durability: they never change, so after an edit salsa skips
    /// re-validating what is derived from them alone.
    pub fn load_project(
        &mut self,
        files: Vec<(String, String)>,
        manifest_text: String,
        versions_text: Option<String>,
    ) -> Project {
        let mut inputs: Vec<SourceFile> = stdlib::MODULES
            .iter()
            .map(|m| {
                SourceFile::builder(m.path(), m.text.to_string(), Origin::Stdlib)
                    .durability(salsa::Durability::HIGH)
                    .new(self)
            })
            .collect();
        inputs.extend(files.into_iter().map(|(p, t)| SourceFile::new(self, p, t, Origin::Project)));
        inputs.sort_by(|a, b| a.path(self).cmp(b.path(self)));
        Project::new(self, inputs, manifest_text, versions_text)
    }

    /// Replaces the text of a file.
    pub fn set_file_text(&mut self, file: SourceFile, text: String) {
        file.set_text(self).to(text);
    }

    /// Adds, replaces or removes project files by path (`None` removes).
    pub fn update_files(&mut self, project: Project, changes: Vec<(String, Option<String>)>) {
        let mut files = project.files(self).clone();
        for (path, text) in changes {
            let existing = files.iter().position(|f| f.path(self) == &path);
            match (existing, text) {
                (Some(i), Some(t)) => {
                    if files[i].text(self) != &t {
                        files[i].set_text(self).to(t);
                    }
                }
                (Some(i), None) => {
                    files.remove(i);
                }
                (None, Some(t)) => files.push(SourceFile::new(self, path, t, Origin::Project)),
                (None, None) => {}
            }
        }
        files.sort_by(|a, b| a.path(self).cmp(b.path(self)));
        if &files != project.files(self) {
            project.set_files(self).to(files);
        }
    }

    /// Replaces the versions text.
    pub fn set_versions_text(&mut self, project: Project, text: Option<String>) {
        if project.versions_text(self) != &text {
            project.set_versions_text(self).to(text);
        }
    }

    /// Replaces the manifest text.
    pub fn set_manifest_text(&mut self, project: Project, text: String) {
        if project.manifest_text(self) != &text {
            project.set_manifest_text(self).to(text);
        }
    }
}
