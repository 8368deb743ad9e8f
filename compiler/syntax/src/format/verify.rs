//! What formatting must preserve, checked: the tree modulo spans, and the
//! comments in order.

use crate::ast::{Expr, ExprKind, File, Item};
use crate::lexer::lex;
use crate::trivia::Trivia;

/// Expressions nested deeper than this are left as written: checking them
/// would recurse too deep.
pub const MAX_DEPTH: usize = 400;

/// The `Debug` text of a tree with every span (`12..34`) erased.
pub fn erase_spans(debug: &str) -> String {
    let bytes = debug.as_bytes();
    let mut out = String::with_capacity(debug.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if bytes[j..].starts_with(b"..") && bytes.get(j + 2).is_some_and(u8::is_ascii_digit) {
                let mut k = j + 2;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                out.push('_');
                i = k;
                continue;
            }
            out.push_str(&debug[start..j]);
            i = j;
            continue;
        }
        let c = debug[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Whether two files have the same tree, spans aside (doc comments included).
/// Recurses as deep as the trees: see [`same_file`] for any input.
pub fn same_tree(a: &File, b: &File) -> bool {
    erase_spans(&format!("{a:?}")) == erase_spans(&format!("{b:?}"))
}

/// [`same_tree`] for any input: items nested deeper than the formatter
/// formats (it keeps them as written) are compared by their text, lines
/// stripped of trailing whitespace, instead of by a deep recursion.
pub fn same_file(a_src: &str, a: &File, b_src: &str, b: &File) -> bool {
    let text = |src: &str, item: &Item| -> String {
        src.get(item.span.range()).unwrap_or("").lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
    };
    a.doc == b.doc
        && a.items.len() == b.items.len()
        && a.items.iter().zip(&b.items).all(|(x, y)| {
            x.doc == y.doc
                && if shallow(x) && shallow(y) {
                    erase_spans(&format!("{:?}", x.kind)) == erase_spans(&format!("{:?}", y.kind))
                } else {
                    text(a_src, x) == text(b_src, y)
                }
        })
}

/// The texts of every comment of a source, in order, trailing whitespace removed.
pub fn comment_texts(src: &str) -> Vec<String> {
    let lexed = lex(src);
    Trivia::collect(src, &lexed).comments.iter().map(|c| src[c.span.range()].trim_end().to_string()).collect()
}

/// Whether an item's expressions nest at most [`MAX_DEPTH`] deep (deeper
/// items are kept as written).
pub fn shallow<'i>(item: &'i Item) -> bool {
    let mut roots: Vec<&'i Expr> = Vec::new();
    // Collecting the roots is cheap; the walk below is iterative.
    collect_roots(item, &mut roots);
    let mut stack: Vec<(&'i Expr, usize)> = roots.into_iter().map(|e| (e, 1)).collect();
    while let Some((e, d)) = stack.pop() {
        if d > MAX_DEPTH {
            return false;
        }
        let mut push = |x: &'i Expr| stack.push((x, d + 1));
        match &e.kind {
            ExprKind::Field(x, _) | ExprKind::At(x, _) | ExprKind::Unary(_, x) => push(x),
            ExprKind::Index(x, y) | ExprKind::Binary(_, x, y) => {
                push(x);
                push(y);
            }
            ExprKind::Call(x, args) => {
                push(x);
                args.iter().for_each(&mut push);
            }
            ExprKind::List(xs) => xs.iter().for_each(&mut push),
            ExprKind::Record(es) => es.iter().for_each(|en| push(&en.value)),
            ExprKind::ListComp(c) => {
                push(&c.element);
                push(&c.iter);
                c.cond.iter().for_each(&mut push);
            }
            ExprKind::MapComp(k, c) => {
                push(k);
                push(&c.element);
                push(&c.iter);
                c.cond.iter().for_each(&mut push);
            }
            ExprKind::If(a, b, c) => {
                push(a);
                push(b);
                push(c);
            }
            ExprKind::Match(s, arms) => {
                push(s);
                arms.iter().for_each(|a| push(&a.body));
            }
            ExprKind::Let(decl, body) => {
                push(&decl.value);
                push(body);
            }
            ExprKind::Str(parts) => parts.iter().for_each(|p| {
                if let crate::ast::StrPart::Interp(x) = p {
                    push(x)
                }
            }),
            _ => {}
        }
    }
    true
}

fn collect_roots<'i>(item: &'i Item, out: &mut Vec<&'i Expr>) {
    use crate::ast::{ItemKind, Member};
    let body = match &item.kind {
        ItemKind::Region(r) => {
            out.push(&r.value);
            return;
        }
        ItemKind::Let(d) => {
            out.push(&d.value);
            return;
        }
        ItemKind::Fn(f) => {
            out.push(&f.body);
            return;
        }
        ItemKind::TypeAlias(t) => {
            if let Some(r) = &t.refinement {
                out.push(&r.cond);
                out.extend(r.message.iter());
            }
            return;
        }
        ItemKind::Platform(b) => b,
        ItemKind::Stack(s) => &s.body,
        ItemKind::Schema(s) => &s.body,
        ItemKind::Resource(d) | ItemKind::Service(d) => &d.body,
        ItemKind::Policy(p) => &p.body,
        ItemKind::Import(_) | ItemKind::Tier(_) | ItemKind::Error => return,
    };
    for m in &body.members {
        match m {
            Member::FieldDecl(f) => out.extend(f.default.iter()),
            Member::Assign(a) => out.push(&a.value),
            Member::Let(d, _) => out.push(&d.value),
            Member::Check(c) => {
                out.push(&c.cond);
                out.extend(c.message.iter());
            }
            Member::Error(_) => {}
        }
    }
}
