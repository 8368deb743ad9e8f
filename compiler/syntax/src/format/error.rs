//! Why a text cannot be formatted.

use std::fmt;

use crate::lexer::LexErrorKind;
use crate::parser::{SyntaxError, SyntaxErrorKind};
use crate::span::LineIndex;

/// Why [`format`](super::format) refused a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The text has a syntax error: the first one, with its 1-based line and column.
    Syntax {
        /// The error.
        error: SyntaxError,
        /// 1-based line.
        line: u32,
        /// 1-based column, in characters.
        column: u32,
    },
    /// The formatter would have changed the meaning or lost a comment (a bug);
    /// nothing is changed.
    Internal,
}

impl FormatError {
    pub(super) fn syntax(src: &str, error: &SyntaxError) -> FormatError {
        let index = LineIndex::new(src);
        let start = (error.span.start as usize).min(src.len());
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = src[..start].matches('\n').count() as u32 + 1;
        let column = src.get(line_start..start).map_or(0, |s| s.chars().count()) as u32 + 1;
        let _ = index;
        FormatError::Syntax { error: error.clone(), line, column }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax { error, line, column } => {
                write!(f, "{line}:{column}: syntax error: ")?;
                match &error.kind {
                    SyntaxErrorKind::Unexpected { found, expected } => {
                        write!(f, "unexpected {}", found.as_deref().unwrap_or("end of file"))?;
                        if !expected.is_empty() {
                            let shown: Vec<&str> = expected.iter().map(String::as_str).take(8).collect();
                            write!(f, " (expected {})", shown.join(", "))?;
                        }
                        Ok(())
                    }
                    SyntaxErrorKind::Lex(LexErrorKind::InvalidCharacter(c)) => {
                        write!(f, "invalid character `{}`", c.escape_default())
                    }
                    SyntaxErrorKind::Lex(LexErrorKind::UnterminatedString) => write!(f, "unterminated string"),
                    SyntaxErrorKind::Lex(LexErrorKind::UnterminatedInterpolation) => {
                        write!(f, "unterminated `${{` interpolation")
                    }
                    SyntaxErrorKind::InvalidEscape => write!(f, "invalid escape sequence"),
                    SyntaxErrorKind::NumberTooLarge => write!(f, "integer too large"),
                    SyntaxErrorKind::TooDeep => write!(f, "nested too deep"),
                }
            }
            FormatError::Internal => write!(f, "the formatter could not keep the meaning of this file; left unchanged"),
        }
    }
}

impl std::error::Error for FormatError {}
