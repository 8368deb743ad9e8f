//! The formatter: one canonical layout for sinfra source, comments and the
//! author's blank-line groups kept.
//!
//! [`format`] is a pure function of the text (no IO), for the CLI's `fmt`
//! and for the language server. It works from the lossless tokens and the
//! tree: documents are built with the [`pretty`] crate (Wadler's algorithm,
//! line width [`WIDTH`](layout::WIDTH)) and every item is checked after
//! formatting — same tree modulo spans, same comments in the same order —
//! or kept exactly as written.
//!
//! The style: 2-space indentation; one space around binary operators, `=`
//! and `=>`; lists and arguments on one line when they fit, else one per
//! line with a trailing comma; records, bodies and `match` arms on one line
//! (comma-separated) when they fit and the author wrote them so, else one
//! per line without commas; runs of one-line `key = value` (and `pattern =>
//! value`) aligned when the author aligned any of them; at most one blank
//! line, none after `{` or before `}`; a blank line around every item that
//! spans several lines; no trailing whitespace; a final newline.

mod error;
mod expr;
mod items;
mod layout;
mod source;
pub mod verify;

use pretty::Arena;

pub use error::FormatError;

use crate::ast::Item;
use crate::lexer::lex;
use crate::parser::parse;
use crate::span::Span;
use crate::trivia::Trivia;
use expr::Printer;
use layout::render;
use source::Source;

/// Formats a whole source text. A text with syntax errors is refused with
/// its first error: nothing of it is formatted.
pub fn format(src: &str) -> Result<String, FormatError> {
    let parsed = parse(src);
    if let Some(first) = parsed.errors.first() {
        return Err(FormatError::syntax(src, first));
    }
    let lexed = lex(src);
    let trivia = Trivia::collect(src, &lexed);
    let source = Source::new(src, &lexed, &trivia);
    let arena = Arena::new();
    let printer = Printer { a: &arena, src: &source };
    let mut out = String::with_capacity(src.len() + src.len() / 8);
    if src.starts_with(crate::lexer::BOM) {
        out.push(crate::lexer::BOM);
    }
    let body_start = if src.starts_with(crate::lexer::BOM) { crate::lexer::BOM.len_utf8() as u32 } else { 0 };
    let mut prev_end = body_start;
    let mut prev_multiline = false;
    let mut first = true;
    for item in &parsed.file.items {
        let text = item_text(&printer, &source, item);
        let multiline = text.contains('\n');
        let (trailing, leading) = gap(&source, prev_end, item.span.start, first);
        if let Some(c) = trailing {
            out.push(' ');
            out.push_str(source.comment_text(c));
        }
        let mut first_line = true;
        for c in leading {
            line_break(&mut out, &source, c.start, first, first_line && (prev_multiline || multiline));
            first = false;
            first_line = false;
            out.push_str(source.comment_text(c));
        }
        line_break(&mut out, &source, item.span.start, first, first_line && (prev_multiline || multiline));
        first = false;
        out.push_str(&text);
        prev_end = item.span.end;
        prev_multiline = multiline;
    }
    let (trailing, leading) = gap(&source, prev_end, src.len() as u32, first);
    if let Some(c) = trailing {
        out.push(' ');
        out.push_str(source.comment_text(c));
    }
    for c in leading {
        line_break(&mut out, &source, c.start, first, false);
        first = false;
        out.push_str(source.comment_text(c));
    }
    let mut out: String = out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    if !out.trim_start_matches(crate::lexer::BOM).is_empty() {
        out.push('\n');
    }
    // The promise, checked once more on the whole file.
    let again = parse(&out);
    if !again.errors.is_empty()
        || !verify::same_file(src, &parsed.file, &out, &again.file)
        || verify::comment_texts(src) != verify::comment_texts(&out)
    {
        return Err(FormatError::Internal);
    }
    Ok(out)
}

/// Starts a new line before `at`: none at the start of the file, a blank
/// line where the author left one or where `blank` asks for it.
fn line_break(out: &mut String, src: &Source<'_>, at: u32, first: bool, blank: bool) {
    if first {
        return;
    }
    out.push('\n');
    if blank || src.blank_before(at) {
        out.push('\n');
    }
}

/// The comments between two items: a trailing one on the line `lo` ends, and
/// the ones on lines of their own.
fn gap(src: &Source<'_>, lo: u32, hi: u32, first: bool) -> (Option<Span>, Vec<Span>) {
    let comments = src.comments_in(lo, hi);
    match comments.split_first() {
        Some((c, rest)) if !first && !src.has_newline(lo, c.start) => (Some(*c), rest.to_vec()),
        _ => (None, comments.to_vec()),
    }
}

/// An item formatted, or as written when formatting would change its tree
/// or lose a comment (or it nests too deep to check).
fn item_text(printer: &Printer<'_>, src: &Source<'_>, item: &Item) -> String {
    let original = src.slice(item.span);
    let verbatim = || original.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    if !verify::shallow(item) {
        return verbatim();
    }
    let text = render(&printer.item(item), layout::WIDTH);
    let text: String = text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    let again = parse(&text);
    let same = again.errors.is_empty()
        && again.file.items.len() == 1
        && verify::erase_spans(&format!("{:?}", again.file.items[0].kind))
            == verify::erase_spans(&format!("{:?}", item.kind))
        && verify::comment_texts(original) == verify::comment_texts(&text);
    if same { text } else { verbatim() }
}
