//! Comments kept beside the tree, for the formatter and for hover.

use std::collections::BTreeMap;

use crate::lexer::{Lexed, Token};
use crate::span::Span;

/// The kinds of comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    /// `// …`
    Line,
    /// `/// …`: documents what follows.
    Doc,
    /// `//! …`: documents the file.
    ModuleDoc,
}

/// One comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Its kind.
    pub kind: CommentKind,
    /// Its span, `//` included.
    pub span: Span,
}

/// A doc comment block and the span it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocBlock {
    /// The text, `///` and one leading space stripped from each line.
    pub text: String,
    /// From the first `///` to the end of the last line.
    pub span: Span,
}

/// Every comment of a file, plus doc blocks keyed by the token they document.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Trivia {
    /// All comments in source order.
    pub comments: Vec<Comment>,
    /// Doc blocks by the start offset of the next significant token.
    pub docs: BTreeMap<u32, DocBlock>,
    /// The `//!` text at the top of the file.
    pub module_doc: Option<String>,
}

impl Trivia {
    /// Collects the comments of a lexed file.
    pub fn collect(src: &str, lexed: &Lexed) -> Trivia {
        let mut trivia = Trivia::default();
        let mut pending: Option<DocBlock> = None;
        let mut module_lines: Vec<&str> = Vec::new();
        for &(tok, span) in &lexed.tokens {
            match tok {
                Token::Whitespace => {
                    // A blank line ends a doc block that documents nothing.
                    if src[span.range()].matches('\n').count() > 1 {
                        pending = None;
                    }
                }
                Token::Comment => {
                    let text = &src[span.range()];
                    let kind = if text.starts_with("///") && !text.starts_with("////") {
                        CommentKind::Doc
                    } else if text.starts_with("//!") {
                        CommentKind::ModuleDoc
                    } else {
                        CommentKind::Line
                    };
                    trivia.comments.push(Comment { kind, span });
                    match kind {
                        CommentKind::Doc => {
                            let line = strip_marker(&text[3..]);
                            match &mut pending {
                                Some(block) => {
                                    block.text.push('\n');
                                    block.text.push_str(line);
                                    block.span = block.span.cover(span);
                                }
                                None => pending = Some(DocBlock { text: line.to_string(), span }),
                            }
                        }
                        CommentKind::ModuleDoc => module_lines.push(strip_marker(&text[3..])),
                        CommentKind::Line => {}
                    }
                }
                Token::Error | Token::Bom => {}
                _ => {
                    if let Some(block) = pending.take() {
                        trivia.docs.insert(span.start, block);
                    }
                }
            }
        }
        if !module_lines.is_empty() {
            trivia.module_doc = Some(module_lines.join("\n"));
        }
        trivia
    }

    /// The doc block documenting the token that starts at `offset`.
    pub fn doc_at(&self, offset: u32) -> Option<&DocBlock> {
        self.docs.get(&offset)
    }
}

fn strip_marker(rest: &str) -> &str {
    rest.strip_prefix(' ').unwrap_or(rest).trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    #[test]
    fn keeps_every_comment_and_attaches_docs() {
        let src = "//! The module.\n// a note\n/// Doc of x,\n/// two lines.\nlet x = 1 // trailing\n\n/// Orphan doc.\n\nlet y = 2\n";
        let trivia = Trivia::collect(src, &lex(src));
        let kinds: Vec<CommentKind> = trivia.comments.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                CommentKind::ModuleDoc,
                CommentKind::Line,
                CommentKind::Doc,
                CommentKind::Doc,
                CommentKind::Line,
                CommentKind::Doc
            ]
        );
        assert_eq!(trivia.module_doc.as_deref(), Some("The module."));
        let x = src.find("let x").unwrap() as u32;
        assert_eq!(trivia.doc_at(x).map(|d| d.text.as_str()), Some("Doc of x,\ntwo lines."));
        let y = src.find("let y").unwrap() as u32;
        assert!(trivia.doc_at(y).is_none(), "a blank line detaches a doc comment");
        for c in &trivia.comments {
            assert!(src[c.span.range()].starts_with("//"));
        }
    }
}
