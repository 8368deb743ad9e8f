//! sinfra's syntax: a lossless lexer, a typed AST with spans, comments kept in
//! a side table, and an error-recovering parser.
//!
//! Invariants: this crate knows nothing of salsa, YAML or LSP; parsing never
//! fails (it returns a partial tree and every error).

pub mod ast;
pub mod format;
pub mod lexer;
pub mod parser;
pub mod span;
pub mod trivia;

pub use format::{FormatError, format};
pub use parser::{MAX_NESTING, Parse, SyntaxError, SyntaxErrorKind, parse};
pub use span::{LineIndex, Position, Span};
