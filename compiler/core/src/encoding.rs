//! A file's bytes as text: every file sinfra reads must be UTF-8.
//!
//! The core does no IO, but it decides what an undecodable file is reported
//! as, so that every front end says the same thing.

use sinfra_syntax::{LineIndex, Span};

use crate::diagnostics::{Code, Diagnostic, Location};

/// A file that is not valid UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotUtf8 {
    /// E0004, located at the first invalid byte.
    pub diagnostic: Diagnostic,
    /// The text before the first invalid byte: enough to draw the diagnostic.
    pub valid_prefix: String,
}

/// Decodes `bytes`, the content of the project file `path` (project-relative).
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<String, Box<NotUtf8>> {
    let err = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let offset = err.utf8_error().valid_up_to();
    let bad_len = err.utf8_error().error_len().unwrap_or(err.as_bytes().len() - offset);
    let bytes = err.into_bytes();
    let valid_prefix = String::from_utf8_lossy(&bytes[..offset]).into_owned();
    let (line, column) = LineIndex::new(&valid_prefix).line_col_1(&valid_prefix, offset as u32);
    let shown: Vec<String> = bytes[offset..offset + bad_len].iter().map(|b| format!("0x{b:02X}")).collect();
    let diagnostic = Diagnostic::new(
        Code::InvalidEncoding,
        format!(
            "`{path}` is not valid UTF-8: invalid byte {} at byte offset {offset} (line {line}, column {column})",
            shown.join(" ")
        ),
        Location { path: path.to_string(), span: Span::new(offset as u32, (offset + bad_len) as u32) },
        "invalid UTF-8 starts here",
    )
    .with_note("the file is not checked any further; nothing is built until it is fixed")
    .with_help("save the file as UTF-8 (editors call it \"UTF-8\" or \"Unicode\"; a byte order mark is allowed)");
    Err(Box::new(NotUtf8 { diagnostic, valid_prefix }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_and_the_first_invalid_byte_is_located() {
        assert_eq!(decode("a.sinfra", b"let a = 1\n".to_vec()).unwrap(), "let a = 1\n");
        let bad = decode("dir/a.sinfra", b"let a = 1\nlet b = \"\xffx\"\n".to_vec()).unwrap_err();
        assert_eq!(bad.diagnostic.code, Code::InvalidEncoding);
        assert_eq!(bad.diagnostic.location().path, "dir/a.sinfra");
        assert_eq!(bad.diagnostic.location().span, Span::new(19, 20));
        assert!(bad.diagnostic.message.contains("byte 0xFF at byte offset 19 (line 2, column 10)"));
        assert_eq!(bad.valid_prefix, "let a = 1\nlet b = \"");
        // A truncated multi-byte sequence at the end of the file.
        let bad = decode("a.sinfra", b"x\xe2\x82".to_vec()).unwrap_err();
        assert_eq!(bad.diagnostic.location().span, Span::new(1, 3));
    }
}
