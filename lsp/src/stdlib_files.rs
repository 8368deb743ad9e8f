//! The standard library as files an editor can open: go to definition into
//! `std.k8s` lands in a read-only copy written once per version.

use std::path::{Path, PathBuf};

use sinfra_compiler::stdlib;

/// Where the stdlib copies live, written if missing (`None` if the directory cannot be written).
pub fn materialize() -> Option<PathBuf> {
    let version = env!("CARGO_PKG_VERSION");
    let digest = stdlib::MODULES
        .iter()
        .fold(0u64, |h, m| m.text.bytes().fold(h, |h, b| h.wrapping_mul(1_099_511_628_211).wrapping_add(u64::from(b))));
    let dir = std::env::temp_dir().join(format!("sinfra-std-{version}-{digest:016x}"));
    for m in stdlib::MODULES.iter() {
        let path = dir.join(format!("{}.sinfra", m.name));
        if std::fs::read_to_string(&path).ok().as_deref() == Some(m.text) {
            continue;
        }
        std::fs::create_dir_all(&dir).ok()?;
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, m.text).ok()?;
        if let Ok(meta) = std::fs::metadata(&path) {
            let mut perms = meta.permissions();
            perms.set_readonly(true);
            let _ = std::fs::set_permissions(&path, perms);
        }
    }
    Some(dir)
}

/// The project path (`std/k8s.sinfra`) of a stdlib copy under `dir`.
pub fn project_path(dir: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(dir).ok()?;
    let name = rel.to_str()?;
    Some(format!("std/{name}"))
}

/// The copy of stdlib module path `std/k8s.sinfra` under `dir`.
pub fn file_path(dir: &Path, project_path: &str) -> Option<PathBuf> {
    Some(dir.join(project_path.strip_prefix("std/")?))
}
