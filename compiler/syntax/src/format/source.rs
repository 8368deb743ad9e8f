//! The source seen by the formatter: significant tokens with their matching
//! parentheses, comments by offset, and blank lines.

use std::collections::HashMap;

use crate::lexer::{Lexed, Token};
use crate::span::Span;
use crate::trivia::Trivia;

/// The text, its significant tokens and its comments.
pub(super) struct Source<'s> {
    /// The whole source text.
    pub text: &'s str,
    tokens: Vec<(Token, Span)>,
    by_start: HashMap<u32, usize>,
    /// For each `(` (by token index), the index of its `)`.
    closing: HashMap<usize, usize>,
    comments: Vec<Span>,
}

impl<'s> Source<'s> {
    pub fn new(text: &'s str, lexed: &Lexed, trivia: &Trivia) -> Self {
        let tokens = lexed.significant();
        let by_start = tokens.iter().enumerate().map(|(i, (_, s))| (s.start, i)).collect();
        let mut closing = HashMap::new();
        let mut open = Vec::new();
        for (i, (tok, _)) in tokens.iter().enumerate() {
            match tok {
                Token::LParen => open.push(i),
                Token::RParen => {
                    if let Some(o) = open.pop() {
                        closing.insert(o, i);
                    }
                }
                _ => {}
            }
        }
        let comments = trivia.comments.iter().map(|c| c.span).collect();
        Source { text, tokens, by_start, closing, comments }
    }

    /// The text of a span.
    pub fn slice(&self, span: Span) -> &'s str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The span inside the parentheses wrapping all of `span`, if any (every
    /// pair of them removed), and whether there were any.
    pub fn unwrap(&self, mut span: Span) -> (Span, bool) {
        let mut wrapped = false;
        while let Some(&open) = self.by_start.get(&span.start) {
            let Some(&close) = self.closing.get(&open) else { break };
            if self.tokens[close].1.end != span.end || close <= open + 1 {
                break;
            }
            span = Span::new(self.tokens[open + 1].1.start, self.tokens[close - 1].1.end);
            wrapped = true;
        }
        (span, wrapped)
    }

    /// Whether the expression at `span` is written inside parentheses.
    pub fn is_wrapped(&self, span: Span) -> bool {
        self.unwrap(span).1
    }

    /// The first significant token starting at or after `offset`.
    pub fn token_from(&self, offset: u32) -> Option<(Token, Span)> {
        let i = self.tokens.partition_point(|(_, s)| s.start < offset);
        self.tokens.get(i).copied()
    }

    /// The comments lying within `lo..hi`.
    pub fn comments_in(&self, lo: u32, hi: u32) -> &[Span] {
        let a = self.comments.partition_point(|c| c.start < lo);
        let b = self.comments.partition_point(|c| c.start < hi);
        &self.comments[a..b.max(a)]
    }

    /// The text of a comment, without trailing whitespace.
    pub fn comment_text(&self, span: Span) -> &'s str {
        self.slice(span).trim_end()
    }

    /// Whether a blank line precedes `offset` (only whitespace between).
    pub fn blank_before(&self, offset: u32) -> bool {
        let before = &self.text.as_bytes()[..(offset as usize).min(self.text.len())];
        let mut newlines = 0;
        for &b in before.iter().rev() {
            match b {
                b'\n' => newlines += 1,
                b' ' | b'\t' | b'\r' | b'\x0c' => {}
                _ => break,
            }
        }
        newlines >= 2
    }

    /// Whether `lo..hi` holds a line break.
    pub fn has_newline(&self, lo: u32, hi: u32) -> bool {
        self.slice(Span::new(lo, hi)).contains('\n')
    }
}
