//! sinfra's language server. One main loop owns the databases and applies
//! edits in arrival order; requests run on snapshots (`Database` clones) on a
//! worker pool; an edit cancels the work still running on older snapshots,
//! which answers `ContentModified`. A panic in a request is caught, logged and
//! answered as an internal error: the server keeps serving.
//!
//! The features themselves are `sinfra-ide`'s, on the compiler's queries.

mod convert;
mod server;
pub mod stdio_client;
mod stdlib_files;
mod workspace;

pub use convert::{Encoding, Text};

/// Serves one client until it asks to exit.
pub fn run(connection: lsp_server::Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    server::Server::start(connection)
}
