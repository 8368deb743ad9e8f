//! What the terminal renderer shows of a file: a synthetic text per report,
//! safe to print and small whatever the source.
//!
//! ariadne draws a snippet from the text it is given. Given the real file, it
//! would print raw control characters (an ESC in a string literal would drive
//! the reader's terminal) and whole lines (a one-line 1 MB file would print
//! 1 MB per report). So each report gets, per file, a text made of the lines
//! holding a label's start or end, escaped ([`escape`]) and cut to a window
//! around those points (`…` where text is left out), every other line left
//! empty so that line numbers stay right. Label offsets are moved into that
//! text with [`Snippet::map`]; the caller prints real `file:line:col`
//! positions itself.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sinfra_syntax::lexer::BOM;

use super::File;

/// Lines of at most this many characters are shown whole.
pub const MAX_LINE: usize = 160;
/// On a longer line, the characters kept on each side of a label's start or end.
pub const WINDOW: usize = 60;
/// Shown in place of left-out text.
pub const ELLIPSIS: char = '…';

/// One file's text as one report shows it.
pub struct Snippet {
    /// The synthetic text given to ariadne.
    pub text: String,
    /// Shown lines by 0-based line number.
    lines: BTreeMap<u32, Shown>,
    /// Where each line starts in `text`, for the lines up to the last shown one.
    line_starts: Vec<u32>,
}

/// A shown line: how offsets of the real line move into the synthetic one.
struct Shown {
    /// Byte offset in the file where the line's text starts.
    start: u32,
    /// (byte offset in the file, byte offset in the snippet): every kept
    /// character, every cut (`…`) and the end of the line, in order.
    marks: Vec<(u32, u32)>,
}

impl Snippet {
    /// The snippet of `file` showing the lines of `offsets` (byte offsets in the file).
    pub fn new(file: &File, offsets: &[u32]) -> Snippet {
        let len = file.text.len() as u32;
        let mut wanted: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &offset in offsets {
            let offset = offset.min(len);
            wanted.entry(file.index.line(offset)).or_default().push(offset);
        }
        let last = wanted.keys().next_back().copied().unwrap_or(0);
        let mut text = String::new();
        let mut lines = BTreeMap::new();
        let mut line_starts = Vec::with_capacity(last as usize + 1);
        let mut line_start = 0usize;
        for line in 0..=last {
            let end = file.text[line_start..].find('\n').map_or(file.text.len(), |i| line_start + i);
            line_starts.push(text.len() as u32);
            if let Some(points) = wanted.get(&line) {
                let mut start = line_start;
                if line == 0 && file.text.starts_with(BOM) {
                    start += BOM.len_utf8();
                }
                let content_end = if end > start && file.text.as_bytes()[end - 1] == b'\r' { end - 1 } else { end };
                let content = &file.text[start..content_end];
                let points: Vec<usize> =
                    points.iter().map(|&p| (p as usize).clamp(start, content_end) - start).collect();
                let marks = show_line(content, start as u32, &points, &mut text);
                lines.insert(line, Shown { start: start as u32, marks });
            }
            text.push('\n');
            line_start = (end + 1).min(file.text.len());
        }
        Snippet { text, lines, line_starts }
    }

    /// Where the file's byte `offset` is in [`Snippet::text`]: the same
    /// character when it is shown, the `…` that replaces it when it is cut, the
    /// start of its line when the line is not shown.
    pub fn map(&self, file: &File, offset: u32) -> usize {
        let offset = offset.min(file.text.len() as u32);
        let line = file.index.line(offset);
        let Some(shown) = self.lines.get(&line) else {
            return self.line_starts.get(line as usize).map_or(self.text.len(), |&s| s as usize);
        };
        let offset = offset.max(shown.start);
        let i = shown.marks.partition_point(|&(orig, _)| orig <= offset);
        shown.marks[i.saturating_sub(1)].1 as usize
    }
}

/// Appends `content` (one line, without its line break) to `out`, escaped and,
/// when long, cut around `points` (byte offsets in `content`). Returns the
/// marks of [`Shown`].
fn show_line(content: &str, base: u32, points: &[usize], out: &mut String) -> Vec<(u32, u32)> {
    // Character indices of the points, and the line's length in characters.
    let mut point_chars = vec![0usize; points.len()];
    let mut count = 0usize;
    for (ci, (bi, _)) in content.char_indices().enumerate() {
        for (p, pc) in points.iter().zip(point_chars.iter_mut()) {
            if *p >= bi {
                *pc = ci;
            }
        }
        count = ci + 1;
    }
    for (p, pc) in points.iter().zip(point_chars.iter_mut()) {
        if *p >= content.len() {
            *pc = count;
        }
    }
    // The kept ranges of characters, merged.
    let mut keep: Vec<(usize, usize)> = if count <= MAX_LINE {
        vec![(0, count)]
    } else {
        let mut ranges: Vec<(usize, usize)> =
            point_chars.iter().map(|&c| (c.saturating_sub(WINDOW), (c + WINDOW).min(count))).collect();
        ranges.sort_unstable();
        ranges
    };
    keep.dedup();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in keep {
        match merged.last_mut() {
            Some(last) if a <= last.1 + 2 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut marks = Vec::new();
    let mut ranges = merged.into_iter().peekable();
    let mut cut_open = false;
    for (ci, (bi, c)) in content.char_indices().enumerate() {
        while ranges.peek().is_some_and(|&(_, end)| ci >= end) {
            ranges.next();
        }
        let kept = ranges.peek().is_some_and(|&(start, _)| ci >= start);
        if kept {
            cut_open = false;
            marks.push((base + bi as u32, out.len() as u32));
            push_escaped(c, out);
        } else if !cut_open {
            cut_open = true;
            marks.push((base + bi as u32, out.len() as u32));
            out.push(ELLIPSIS);
        }
    }
    marks.push((base + content.len() as u32, out.len() as u32));
    marks
}

/// Whether a character is shown escaped: control characters (C0 but tab,
/// DEL, C1), the characters that break or reorder lines on a terminal (line
/// and paragraph separators, bidirectional overrides and isolates), and a
/// byte order mark that is not the file's first character.
pub fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || c == BOM
}

fn push_escaped(c: char, out: &mut String) {
    match c {
        '\0' => out.push_str("\\0"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        c if needs_escape(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// `text` made safe to print on one line and at most `max` characters long:
/// line breaks become spaces, other control characters are escaped, and
/// what is too long is cut with `…`.
pub fn escape(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut chars = text.chars().peekable();
    let mut n = 0;
    while let Some(c) = chars.next() {
        if n == max {
            out.push(ELLIPSIS);
            break;
        }
        n += 1;
        match c {
            '\n' => out.push(' '),
            '\r' if chars.peek() == Some(&'\n') => n -= 1,
            c => push_escaped(c, &mut out),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use sinfra_syntax::LineIndex;

    use super::*;

    fn file(text: &str) -> File {
        File { index: LineIndex::new(text), text: text.to_string() }
    }

    #[test]
    fn control_characters_are_escaped_and_offsets_follow() {
        let f = file("let a = \"x\0y\u{1b}[31mz\"\nlet b = 1\n");
        let at = f.text.find('z').unwrap() as u32;
        let s = Snippet::new(&f, &[at]);
        assert_eq!(s.text, "let a = \"x\\0y\\u{1b}[31mz\"\n");
        assert_eq!(&s.text[s.map(&f, at)..s.map(&f, at) + 1], "z");
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = format!("let a = \"{}\" + oops + \"{}\"", "x".repeat(500_000), "y".repeat(500_000));
        let f = file(&format!("// one\n{line}\n"));
        let start = f.text.find("oops").unwrap() as u32;
        let s = Snippet::new(&f, &[start, start + 4]);
        assert!(s.text.len() < 4 * (2 * WINDOW + 10), "{}", s.text.len());
        assert!(s.text.starts_with("\n…x"), "{}", &s.text[..20]);
        assert!(s.text.ends_with("y…\n"));
        let (a, b) = (s.map(&f, start), s.map(&f, start + 4));
        assert_eq!(&s.text[a..b], "oops");
        // A point that was cut lands on the `…`.
        assert_eq!(&s.text[s.map(&f, 20)..s.map(&f, 20) + 3], "…");
    }

    #[test]
    fn bom_and_crlf_are_not_drawn() {
        let f = file("\u{FEFF}tier x\r\nlet y = 1\r\n");
        let s = Snippet::new(&f, &[3, f.text.find("let").unwrap() as u32]);
        assert_eq!(s.text, "tier x\nlet y = 1\n");
        assert_eq!(s.map(&f, 3), 0);
        assert_eq!(s.map(&f, 0), 0);
    }

    #[test]
    fn messages_are_escaped_and_cut() {
        assert_eq!(escape("a\nb\u{1b}c", 100), "a b\\u{1b}c");
        assert_eq!(escape("abcdef", 3), "abc…");
        assert_eq!(escape("\u{202e}x", 100), "\\u{202e}x");
        assert_eq!(escape("a\r\nb\rc", 100), "a b\\rc");
    }
}
