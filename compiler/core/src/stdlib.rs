//! The standard library, written in sinfra and embedded in the binary.
//! Its modules are read-only virtual files named `std/<module>.sinfra`.
//!
//! A module is loaded into a project only when a loaded file imports it
//! (`index::loaded_files`; the prelude always is), so the generated
//! Kubernetes modules cost nothing to a project that does not use them.

/// One embedded stdlib module.
pub struct Module {
    /// The module name: `import std.<name>`.
    pub name: &'static str,
    /// Its source.
    pub text: &'static str,
    /// Generated from the Kubernetes OpenAPI schemas by `sinfra-k8s-gen`
    /// (`stdlib/kubernetes/`), not written by hand.
    pub generated: bool,
}

impl Module {
    /// The virtual path of the module's file.
    pub fn path(&self) -> String {
        format!("std/{}.sinfra", self.name)
    }
}

/// The name of the module whose items are visible everywhere without an import.
pub const PRELUDE: &str = "prelude";

macro_rules! written {
    ($name:literal) => {
        Module { name: $name, text: include_str!(concat!("../../../stdlib/", $name, ".sinfra")), generated: false }
    };
}

macro_rules! generated {
    ($name:literal) => {
        Module {
            name: $name,
            text: include_str!(concat!("../../../stdlib/kubernetes/", $name, ".sinfra")),
            generated: true,
        }
    };
}

/// Every stdlib module. The generated ones are the files of
/// `stdlib/kubernetes/` (a test keeps this list and the directory equal).
pub const MODULES: &[Module] = &[
    written!("prelude"),
    written!("k8s"),
    written!("gcp"),
    written!("argocd"),
    generated!("k8s_apps_v1"),
    generated!("k8s_autoscaling_v2"),
    generated!("k8s_batch_v1"),
    generated!("k8s_core_v1"),
    generated!("k8s_meta_v1"),
    generated!("k8s_networking_v1"),
    generated!("k8s_policy_v1"),
    generated!("k8s_rbac_v1"),
    generated!("k8s_scheduling_v1alpha3"),
];

/// The module of a stdlib path (`std/k8s.sinfra` → `k8s`).
pub fn module_of_path(path: &str) -> Option<&'static str> {
    let name = path.strip_prefix("std/").and_then(|p| p.strip_suffix(".sinfra"))?;
    MODULES.iter().find(|m| m.name == name).map(|m| m.name)
}

/// Whether `name` is a stdlib module one can import (`k8s`; not the prelude).
pub fn is_importable(name: &str) -> bool {
    name != PRELUDE && MODULES.iter().any(|m| m.name == name)
}
