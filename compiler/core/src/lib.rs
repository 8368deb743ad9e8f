//! sinfra's compiler core: the salsa database and every semantic query —
//! name resolution, types, per-stack evaluation, tier labels and emitters.
//!
//! Invariant: the core does no IO. Front ends (the CLI, the language server)
//! load files into the database and render what the queries return.

pub mod check;
pub mod db;
pub mod diagnostics;
pub mod doc;
pub mod emit;
pub mod encoding;
pub mod eval;
pub mod graph;
pub mod hir;
pub mod index;
pub mod items;
pub mod loc;
pub mod parallel;
pub mod platform;
pub mod project;
pub mod resolve;
pub mod signatures;
pub mod stdlib;
pub mod super_field;
pub mod ty;
