//! Byte spans and the line index that maps them to editor positions.

use std::fmt;

/// A half-open byte range `start..end` into one source text.
///
/// Spans are `u32` to keep AST nodes small; sources over 4 GiB are refused
/// before lexing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: u32, end: u32) -> Self {
        Span { start, end: end.max(start) }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The span moved by `-base` (for item-relative spans).
    pub fn relative_to(self, base: u32) -> Span {
        Span::new(self.start.saturating_sub(base), self.end.saturating_sub(base))
    }

    /// The span moved by `+base`.
    pub fn offset_by(self, base: u32) -> Span {
        Span::new(self.start + base, self.end + base)
    }

    /// The span as a `usize` range, for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the span is empty.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies within the span (end inclusive, for cursors).
    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start as u32, r.end as u32)
    }
}

/// A 0-based line and column; the column counts UTF-16 code units, as LSP does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 0-based line.
    pub line: u32,
    /// 0-based column in UTF-16 code units.
    pub character: u32,
}

/// Maps byte offsets to lines and UTF-16 columns and back.
///
/// A byte order mark at the start of the text takes no column: editors do
/// not show it, so the first character after it is at column 0 of line 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    inner: line_index::LineIndex,
    /// Whether the text starts with a byte order mark.
    bom: bool,
}

/// The byte length of the byte order mark.
const BOM_LEN: u32 = 3;

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        LineIndex { inner: line_index::LineIndex::new(text), bom: text.starts_with('\u{FEFF}') }
    }

    /// Offsets inside the byte order mark are moved just after it.
    fn skip_bom(&self, offset: u32) -> u32 {
        if self.bom { offset.max(BOM_LEN) } else { offset }
    }

    /// The editor position of a byte offset (clamped to the text).
    pub fn position(&self, offset: u32) -> Position {
        let offset = self.skip_bom(offset.min(u32::from(self.inner.len())));
        let lc = self.inner.line_col(offset.into());
        let mut pos = match self.inner.to_wide(line_index::WideEncoding::Utf16, lc) {
            Some(w) => Position { line: w.line, character: w.col },
            None => Position { line: lc.line, character: lc.col },
        };
        if self.bom && pos.line == 0 {
            pos.character -= 1; // U+FEFF is one UTF-16 unit
        }
        pos
    }

    /// The 0-based line of a byte offset (clamped to the text), without counting columns.
    pub fn line(&self, offset: u32) -> u32 {
        self.inner.line_col(offset.min(u32::from(self.inner.len())).into()).line
    }

    /// The 1-based line and 1-based character column of a byte offset, for humans.
    pub fn line_col_1(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = self.skip_bom(offset.min(text.len() as u32));
        let lc = self.inner.line_col(offset.into());
        let line_start = if self.bom && lc.line == 0 { BOM_LEN } else { offset - lc.col };
        let col_chars =
            text.get(line_start as usize..offset as usize).map_or(offset - line_start, |s| s.chars().count() as u32);
        (lc.line + 1, col_chars + 1)
    }

    /// The editor position of a byte offset with the column in bytes (LSP's `utf-8` encoding).
    pub fn position_utf8(&self, offset: u32) -> Position {
        let lc = self.inner.line_col(offset.min(u32::from(self.inner.len())).into());
        Position { line: lc.line, character: lc.col }
    }

    /// The byte offset of a position whose column counts bytes (`None` outside the text).
    pub fn offset_utf8(&self, pos: Position) -> Option<u32> {
        let lc = line_index::LineCol { line: pos.line, col: pos.character };
        let off = u32::from(self.inner.offset(lc)?);
        (off <= u32::from(self.inner.len())).then_some(off)
    }

    /// The byte offset of an editor position (`None` when it lies outside the text).
    pub fn offset(&self, pos: Position) -> Option<u32> {
        let character = if self.bom && pos.line == 0 { pos.character + 1 } else { pos.character };
        let wide = line_index::WideLineCol { line: pos.line, col: character };
        let lc = self.inner.to_utf8(line_index::WideEncoding::Utf16, wide)?;
        self.inner.offset(lc).map(u32::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_round_trip() {
        let text = "a = \"ñ😀\"\nb = 1\n";
        let idx = LineIndex::new(text);
        let b = text.find('b').unwrap() as u32;
        assert_eq!(idx.position(b), Position { line: 1, character: 0 });
        let close = text.rfind('"').unwrap() as u32;
        // `ñ` is one UTF-16 unit, `😀` two.
        assert_eq!(idx.position(close), Position { line: 0, character: 8 });
        assert_eq!(idx.offset(Position { line: 0, character: 8 }), Some(close));
        assert_eq!(idx.line_col_1(text, close), (1, 8));
    }

    #[test]
    fn a_byte_order_mark_takes_no_column() {
        let text = "\u{FEFF}tier a\nb\n";
        let idx = LineIndex::new(text);
        let a = text.find('a').unwrap() as u32;
        assert_eq!(idx.line_col_1(text, 3), (1, 1));
        assert_eq!(idx.line_col_1(text, 0), (1, 1));
        assert_eq!(idx.line_col_1(text, a), (1, 6));
        assert_eq!(idx.position(a), Position { line: 0, character: 5 });
        assert_eq!(idx.offset(Position { line: 0, character: 5 }), Some(a));
        assert_eq!(idx.offset(Position { line: 0, character: 0 }), Some(3));
        let b = text.find('b').unwrap() as u32;
        assert_eq!(idx.position(b), Position { line: 1, character: 0 });
        assert_eq!(idx.line_col_1(text, b), (2, 1));
    }
}
