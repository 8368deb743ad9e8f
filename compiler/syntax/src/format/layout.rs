//! Laying out sequences — bodies, records, lists, arguments, match arms —
//! with their comments, blank lines and aligned `=`.

use pretty::{Arena, DocAllocator, DocBuilder};

use super::source::Source;
use crate::span::Span;

/// A document built in the formatter's arena.
pub(super) type Doc<'a> = DocBuilder<'a, Arena<'a>>;

/// The maximum line width.
pub(super) const WIDTH: usize = 100;

/// Renders a document at `width`.
pub(super) fn render(doc: &Doc<'_>, width: usize) -> String {
    let mut out = Vec::new();
    // Writing to a `Vec` cannot fail.
    let _ = doc.1.render(width, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The width of a document laid out on one line; `None` when it must break.
pub(super) fn flat_width(doc: &Doc<'_>) -> Option<usize> {
    let text = render(doc, usize::MAX / 4);
    if text.contains('\n') { None } else { Some(text.chars().count()) }
}

/// `head op value`: on one line when it fits, else the value on the next
/// line when it fits there, else the value breaks inside.
pub(super) fn assign<'a>(
    a: &'a Arena<'a>,
    head: Doc<'a>,
    head_len: usize,
    op: &'static str,
    value: Doc<'a>,
    hug: bool,
    indent: usize,
) -> Doc<'a> {
    let same_line = |head: Doc<'a>, value: Doc<'a>| head.append(a.text(format!(" {op} "))).append(value);
    match flat_width(&value) {
        Some(w) if indent + head_len + op.len() + 2 + w <= WIDTH => same_line(head, value),
        None => same_line(head, value),
        Some(_) if hug => same_line(head, value),
        Some(w) if indent + 2 + w <= WIDTH => {
            head.append(a.text(format!(" {op}"))).append(a.hardline().append(value).nest(2))
        }
        Some(_) => same_line(head, value),
    }
}

/// One element of a sequence.
pub(super) struct Elem<'a> {
    /// Its span in the source (comments around it are found from it).
    pub span: Span,
    /// What it is.
    pub kind: ElemKind<'a>,
}

/// The shapes of elements.
pub(super) enum ElemKind<'a> {
    /// Printed as it is: the broken and the one-line form.
    Plain(Doc<'a>, Doc<'a>),
    /// `key op value`, aligned with its neighbours when the author aligned them.
    KeyValue {
        /// The key as printed.
        key: String,
        /// `=` or `=>`.
        op: &'static str,
        /// The value.
        value: Doc<'a>,
        /// Whether the value is a bracketed construct that breaks inside.
        hug: bool,
        /// Whether the source put more than one space before `op`.
        padded: bool,
    },
}

/// How a sequence is delimited and separated.
pub(super) struct Shape {
    /// `{`, `[` or `(`.
    pub open: &'static str,
    /// `}`, `]` or `)`.
    pub close: &'static str,
    /// Spaces inside the delimiters on one line: `{ a }` versus `[a]`.
    pub spaced: bool,
    /// A comma after every element when broken (lists, arguments); records,
    /// bodies and arms are one per line without.
    pub commas_when_broken: bool,
    /// Broken whatever the width (the author broke it, or it holds comments).
    pub forced: bool,
}

/// Lays out `elems`, found between `lo` (after the opening delimiter) and
/// `hi` (the closing one), indented `indent` outside.
pub(super) fn sequence<'a>(
    a: &'a Arena<'a>,
    src: &Source<'_>,
    elems: Vec<Elem<'a>>,
    lo: u32,
    hi: u32,
    shape: &Shape,
    indent: usize,
) -> Doc<'a> {
    let has_comments = !src.comments_in(lo, hi).is_empty();
    if elems.is_empty() && !has_comments {
        return a.text(shape.open).append(a.text(shape.close));
    }
    let has_blank = elems.iter().skip(1).any(|e| src.blank_before(e.span.start));
    if shape.forced || has_comments || has_blank {
        broken(a, src, elems, lo, hi, shape, indent)
    } else {
        one_line_or_broken(a, elems, shape, indent)
    }
}

fn one_line_or_broken<'a>(a: &'a Arena<'a>, elems: Vec<Elem<'a>>, shape: &Shape, indent: usize) -> Doc<'a> {
    let n = elems.len();
    let inner = indent + 2;
    let mut body = a.nil();
    for (i, e) in elems.into_iter().enumerate() {
        let (brk, flat) = match e.kind {
            ElemKind::Plain(b, f) => (b, f),
            ElemKind::KeyValue { key, op, value, hug, .. } => {
                let flat = a.text(format!("{key} {op} ")).append(value.clone());
                let len = key.chars().count();
                (assign(a, a.text(key), len, op, value, hug, inner), flat)
            }
        };
        let sep = if i + 1 < n {
            if shape.commas_when_broken { a.text(",") } else { a.nil().flat_alt(a.text(",")) }
        } else if shape.commas_when_broken {
            a.text(",").flat_alt(a.nil())
        } else {
            a.nil()
        };
        let line = if shape.spaced || i > 0 { a.line() } else { a.line_() };
        let line = if i == 0 && !shape.spaced { a.line_() } else { line };
        body = body.append(line).append(brk.flat_alt(flat)).append(sep);
    }
    let end = if shape.spaced { a.line() } else { a.line_() };
    a.text(shape.open).append(body.nest(2)).append(end).append(a.text(shape.close)).group()
}

fn broken<'a>(
    a: &'a Arena<'a>,
    src: &Source<'_>,
    elems: Vec<Elem<'a>>,
    lo: u32,
    hi: u32,
    shape: &Shape,
    indent: usize,
) -> Doc<'a> {
    let inner = indent + 2;
    let aligned = alignment(a, src, &elems, lo, inner);
    let mut body = a.nil();
    let mut prev_end = lo;
    let mut first = true;
    let line_start = |body: Doc<'a>, at: u32, first: &mut bool| {
        let blank = !*first && src.blank_before(at);
        *first = false;
        let body = body.append(a.hardline());
        if blank { body.append(a.hardline()) } else { body }
    };
    for (e, pad) in elems.into_iter().zip(aligned) {
        let (trailing, leading) = split_gap(src, prev_end, e.span.start);
        if let Some(c) = trailing {
            body = body.append(a.text(" ")).append(a.text(src.comment_text(c).to_string()));
        }
        for c in leading {
            body = line_start(body, c.start, &mut first);
            body = body.append(a.text(src.comment_text(c).to_string()));
        }
        body = line_start(body, e.span.start, &mut first);
        let doc = match e.kind {
            ElemKind::Plain(b, _) => b,
            ElemKind::KeyValue { key, op, value, hug, .. } => {
                let len = pad.unwrap_or(key.chars().count());
                let key_text = format!("{key:<len$}");
                assign(a, a.text(key_text), len, op, value, hug, inner)
            }
        };
        body = body.append(doc);
        if shape.commas_when_broken {
            body = body.append(a.text(","));
        }
        prev_end = e.span.end;
    }
    let (trailing, leading) = split_gap(src, prev_end, hi);
    if let Some(c) = trailing {
        body = body.append(a.text(" ")).append(a.text(src.comment_text(c).to_string()));
    }
    for c in leading {
        body = line_start(body, c.start, &mut first);
        body = body.append(a.text(src.comment_text(c).to_string()));
    }
    a.text(shape.open).append(body.nest(2)).append(a.hardline()).append(a.text(shape.close))
}

/// The comments between `lo` and `hi`: the one on the line `lo` ends (a
/// trailing comment of what precedes), and the ones on lines of their own.
fn split_gap(src: &Source<'_>, lo: u32, hi: u32) -> (Option<Span>, Vec<Span>) {
    let comments = src.comments_in(lo, hi);
    match comments.split_first() {
        Some((first, rest)) if !src.has_newline(lo, first.start) => (Some(*first), rest.to_vec()),
        _ => (None, comments.to_vec()),
    }
}

/// The padded key width of each element: runs of one-line `key = value`
/// elements (no blank line or comment line between them) are aligned when
/// the author aligned any of them.
fn alignment<'a>(a: &'a Arena<'a>, src: &Source<'_>, elems: &[Elem<'a>], lo: u32, inner: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; elems.len()];
    // (index, key length, width after the key, padded)
    let mut run: Vec<(usize, usize, usize, bool)> = Vec::new();
    let mut prev_end = lo;
    let close = |run: &mut Vec<(usize, usize, usize, bool)>, out: &mut Vec<Option<usize>>| {
        if run.len() >= 2 && run.iter().any(|r| r.3) {
            let width = run.iter().map(|r| r.1).max().unwrap_or(0);
            if run.iter().all(|r| inner + width + r.2 <= WIDTH) {
                for r in run.iter() {
                    out[r.0] = Some(width);
                }
            }
        }
        run.clear();
    };
    for (i, e) in elems.iter().enumerate() {
        let (_, leading) = split_gap(src, prev_end, e.span.start);
        if !leading.is_empty() || src.blank_before(e.span.start) {
            close(&mut run, &mut out);
        }
        prev_end = e.span.end;
        match &e.kind {
            ElemKind::KeyValue { key, op, value, padded, .. } => {
                let klen = key.chars().count();
                match flat_width(value) {
                    Some(w) if inner + klen + op.len() + 2 + w <= WIDTH => {
                        run.push((i, klen, w + op.len() + 2, *padded))
                    }
                    _ => close(&mut run, &mut out),
                }
            }
            ElemKind::Plain(..) => close(&mut run, &mut out),
        }
    }
    close(&mut run, &mut out);
    let _ = a;
    out
}
