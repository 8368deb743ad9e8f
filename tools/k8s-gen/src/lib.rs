//! `sinfra-k8s-gen`: turns the Kubernetes OpenAPI/JSON schemas into typed
//! sinfra schemas, one stdlib module per API group and version
//! (`k8s_apps_v1`, `k8s_core_v1`, `k8s_meta_v1`, …).
//!
//! The pipeline: [`source`] finds and reads the definitions (the JSON
//! schemas the `kubernetes-validate` package bundles, or an upstream
//! `swagger.json`/OpenAPI document), [`select`] keeps the definitions
//! reachable from the chosen kinds and assigns each to its module, [`types`]
//! maps a JSON schema to a sinfra type, and [`render`] writes the modules.

pub mod render;
pub mod select;
pub mod source;
pub mod types;

use std::fmt;

/// A problem with the input, located by a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Where: a file, or a JSON pointer such as `/$defs/io.k8s.api.apps.v1.Deployment/properties/spec`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// An error at `at`.
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Error {
        Error { at: at.into(), message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl std::error::Error for Error {}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The kinds whose definitions (and everything they reference) are generated,
    /// as `group/version/Kind` (`apps/v1/Deployment`; the core group is empty: `/v1/Service`).
    /// Empty: every definition.
    pub kinds: Vec<String>,
    /// The prefix of module names: `k8s` gives `k8s_apps_v1`.
    pub prefix: String,
    /// Where the definitions came from, for the modules' header
    /// (`Kubernetes v1.37.0, kubernetes-validate`).
    pub origin: String,
    /// The command that regenerates the modules, for their header.
    pub command: String,
}

/// Generates the modules for `defs`: `(module name, sinfra source)`, sorted by name.
pub fn generate(defs: &source::Definitions, options: &Options) -> Result<Vec<(String, String)>, Error> {
    let selection = select::select(defs, options)?;
    render::render(defs, &selection, options)
}
