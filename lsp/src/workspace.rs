//! One project the server serves: the nearest `sinfra.toml` above a file the
//! editor opened, loaded through the same confined loader as `sinfrac`, and
//! the editor's unsaved texts laid over it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sinfra_compiler::db::{Database, Project, SourceFile};
use sinfra_compiler::project::MANIFEST;
use sinfra_loader::Loaded;

use crate::convert::Text;

/// A loaded project.
pub struct Workspace {
    /// The project's files, database and root.
    pub loaded: Loaded,
    /// Documents open in the editor, by project path, with their version.
    pub open: BTreeMap<String, (i32, Text)>,
}

impl Workspace {
    /// Loads the project whose root is `root`.
    pub fn load(root: &Path) -> Result<Workspace, String> {
        let loaded = sinfra_loader::load(root).map_err(|e| format!("{e:?}"))?;
        Ok(Workspace { loaded, open: BTreeMap::new() })
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        &self.loaded.root
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.loaded.db
    }

    /// The project input.
    pub fn project(&self) -> Project {
        self.loaded.project
    }

    /// The project path of `path` (canonical, as the root is), if it lies in this project.
    pub fn relative(&self, path: &Path) -> Option<String> {
        sinfra_loader::relative(self.root(), path)
    }

    /// The file input of project path `rel`.
    pub fn file(&self, rel: &str) -> Option<SourceFile> {
        let db = self.db();
        self.project().files(db).iter().copied().find(|f| f.path(db) == rel)
    }

    /// The current text of project path `rel`: the editor's, else the loaded one.
    pub fn text(&self, rel: &str) -> Option<Text> {
        if let Some((_, t)) = self.open.get(rel) {
            return Some(t.clone());
        }
        if let Some(f) = self.file(rel) {
            return Some(Text::new(f.text(self.db()).clone()));
        }
        self.loaded.sources.get(rel).map(|t| Text::new(t.clone()))
    }

    /// Sets the text of a `.sinfra` file (or removes it with `None`), as the editor or the disk says.
    pub fn set_source(&mut self, rel: &str, text: Option<String>) {
        if rel == MANIFEST {
            return; // handled by a reload
        }
        let project = self.project();
        if rel.ends_with(".sinfra") {
            self.loaded.db.update_files(project, vec![(rel.to_string(), text)]);
        } else {
            let versions = sinfra_compiler::project::parse_manifest(project.manifest_text(self.db())).0.versions;
            if rel == versions {
                self.loaded.db.set_versions_text(project, text);
            }
        }
    }

    /// Re-reads project path `rel` from disk, unless the editor holds it open.
    pub fn reload_from_disk(&mut self, rel: &str) {
        if self.open.contains_key(rel) {
            return;
        }
        let text = self.loaded.read(rel).ok().flatten();
        self.set_source(rel, text);
    }

    /// Whether `rel` is the manifest: its change reloads the whole project.
    pub fn is_manifest(rel: &str) -> bool {
        rel == MANIFEST
    }
}

/// The root of the project `path` belongs to.
pub fn root_of(path: &Path) -> Option<PathBuf> {
    sinfra_loader::find_root(path).ok()
}
