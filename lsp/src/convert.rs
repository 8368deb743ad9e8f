//! Between LSP's positions, ranges and URIs and the compiler's byte offsets
//! and project paths.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};
use sinfra_syntax::{LineIndex, Span};

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units (LSP's default).
    Utf16,
    /// Bytes.
    Utf8,
}

/// A document's text with its line index.
#[derive(Clone, Debug)]
pub struct Text {
    /// The text.
    pub text: String,
    index: LineIndex,
}

impl Text {
    /// Indexes `text`.
    pub fn new(text: String) -> Text {
        let index = LineIndex::new(&text);
        Text { text, index }
    }

    /// The byte offset of `pos`, clamped to the text (`None` past its last line).
    pub fn offset(&self, enc: Encoding, pos: Position) -> Option<u32> {
        let at = |line: u32, character: u32| {
            let p = sinfra_syntax::Position { line, character };
            match enc {
                Encoding::Utf16 => self.index.offset(p),
                Encoding::Utf8 => self.index.offset_utf8(p),
            }
        };
        let line_start = at(pos.line, 0)?;
        let rest = self.text.get(line_start as usize..)?;
        // A column past the end of its line means the end of the line.
        let line_end = line_start + rest.find('\n').unwrap_or(rest.len()) as u32;
        Some(at(pos.line, pos.character).map_or(line_end, |o| o.min(line_end)))
    }

    /// The position of a byte offset.
    pub fn position(&self, enc: Encoding, offset: u32) -> Position {
        let p = match enc {
            Encoding::Utf16 => self.index.position(offset),
            Encoding::Utf8 => self.index.position_utf8(offset),
        };
        Position { line: p.line, character: p.character }
    }

    /// The range of a span.
    pub fn range(&self, enc: Encoding, span: Span) -> Range {
        Range { start: self.position(enc, span.start), end: self.position(enc, span.end) }
    }

    /// Applies an edit: the range replaced by `new` (the whole text when `range` is `None`).
    pub fn edit(&mut self, enc: Encoding, range: Option<Range>, new: &str) {
        match range {
            None => *self = Text::new(new.to_string()),
            Some(r) => {
                let len = self.text.len() as u32;
                let start = self.offset(enc, r.start).unwrap_or(len) as usize;
                let end = (self.offset(enc, r.end).unwrap_or(len) as usize).max(start);
                let (start, end) = (floor_char(&self.text, start), floor_char(&self.text, end));
                let mut text = String::with_capacity(self.text.len() + new.len());
                text.push_str(&self.text[..start]);
                text.push_str(new);
                text.push_str(&self.text[end..]);
                *self = Text::new(text);
            }
        }
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The file path of a `file:` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of a path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_utf16_and_clamp() {
        let mut t = Text::new("a = \"😀\"\nb = 1\n".to_string());
        // Replace `1` (line 1, col 4) with `22`.
        let r = Range { start: Position { line: 1, character: 4 }, end: Position { line: 1, character: 5 } };
        t.edit(Encoding::Utf16, Some(r), "22");
        assert_eq!(t.text, "a = \"😀\"\nb = 22\n");
        // A position past the end of a line is the end of that line.
        assert_eq!(t.offset(Encoding::Utf16, Position { line: 0, character: 99 }), Some(10));
        // Past the last line: nothing.
        assert_eq!(t.offset(Encoding::Utf16, Position { line: 9, character: 0 }), None);
    }
}
