//! The standard library, written in sinfra and embedded in the binary.
//! Its modules are read-only virtual files named `std/<module>.sinfra`.

/// One embedded stdlib module.
pub struct Module {
    /// The module name: `import std.<name>`.
    pub name: &'static str,
    /// Its source.
    pub text: &'static str,
}

impl Module {
    /// The virtual path of the module's file.
    pub fn path(&self) -> String {
        format!("std/{}.sinfra", self.name)
    }
}

/// The name of the module whose items are visible everywhere without an import.
pub const PRELUDE: &str = "prelude";

/// Every stdlib module.
pub const MODULES: &[Module] = &[
    Module { name: "prelude", text: include_str!("../../../stdlib/prelude.sinfra") },
    Module { name: "k8s", text: include_str!("../../../stdlib/k8s.sinfra") },
    Module { name: "gcp", text: include_str!("../../../stdlib/gcp.sinfra") },
    Module { name: "argocd", text: include_str!("../../../stdlib/argocd.sinfra") },
];

/// The module of a stdlib path (`std/k8s.sinfra` → `k8s`).
pub fn module_of_path(path: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|m| path.strip_prefix("std/").and_then(|p| p.strip_suffix(".sinfra")) == Some(m.name))
        .map(|m| m.name)
}
