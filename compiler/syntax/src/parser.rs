//! The error-recovering chumsky parser. Parsing never fails: it returns a
//! (possibly partial) tree together with every error it met.

use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;

use crate::ast::{
    Assign, BinaryOp, Body, CheckDecl, Comprehension, Expr, ExprKind, FieldDecl, File, FnDecl, Ident, Import,
    InstanceDecl, Item, ItemKind, LetDecl, MatchArm, Member, Param, Path, Pattern, PolicyDecl, RecordEntry, RecordKey,
    Refinement, RegionDecl, SchemaDecl, Selector, StackDecl, StrPart, TierDecl, TypeAlias, TypeExpr, TypeExprKind,
    UnaryOp,
};
use crate::lexer::{LexErrorKind, Lexed, Token, lex, unescape};
use crate::span::Span;
use crate::trivia::Trivia;

/// The deepest nesting the parser accepts — brackets, and `if`, `let … in`,
/// `match` and comprehensions inside one another — deeper input is reported,
/// not parsed. Chains (`a + b + …`, `a.b.c`, `else if`, `let … in let …`) are
/// not nesting.
pub const MAX_NESTING: usize = 256;

/// What a syntax error is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// A token the grammar does not allow here.
    Unexpected {
        /// What was found (`None`: the end of the file).
        found: Option<String>,
        /// What would have been accepted.
        expected: Vec<String>,
    },
    /// A lexing problem.
    Lex(LexErrorKind),
    /// An escape sequence that does not exist.
    InvalidEscape,
    /// A number that does not fit.
    NumberTooLarge,
    /// Brackets or expressions nested deeper than [`MAX_NESTING`].
    TooDeep,
}

/// A syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What went wrong.
    pub kind: SyntaxErrorKind,
    /// Where.
    pub span: Span,
}

/// The result of parsing one source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Parse {
    /// The tree, partial where there were errors.
    pub file: File,
    /// Every lexing and parsing error, in source order.
    pub errors: Vec<SyntaxError>,
    /// Comments and doc comments.
    pub trivia: Trivia,
}

impl Parse {
    /// Where the text of item `index` starts, its doc comment included.
    pub fn item_start_with_doc(&self, index: usize) -> Option<u32> {
        let item = self.file.items.get(index)?;
        Some(self.trivia.doc_at(item.span.start).map_or(item.span.start, |d| d.span.start))
    }
}

/// Parses a whole source text.
pub fn parse(src: &str) -> Parse {
    let lexed = lex(src);
    let trivia = Trivia::collect(src, &lexed);
    let mut errors: Vec<SyntaxError> =
        lexed.errors.iter().map(|e| SyntaxError { kind: SyntaxErrorKind::Lex(e.kind.clone()), span: e.span }).collect();
    let tokens = significant_within_depth(&lexed, &mut errors);
    // Input cut at a too-deep nesting ends abruptly: errors past the cut are noise.
    let cut = errors.iter().find(|e| e.kind == SyntaxErrorKind::TooDeep).map(|e| e.span.start);
    let eoi: SimpleSpan = (src.len()..src.len()).into();
    let input = tokens.as_slice().split_token_span(eoi);
    let (file, parse_errors) = file_parser(src).parse(input).into_output_errors();
    let mut file = file.unwrap_or_default();
    for e in parse_errors {
        let e = convert_error(&e);
        if cut.is_none_or(|c| e.span.start < c) {
            errors.push(e);
        }
    }
    file.doc = trivia.module_doc.clone();
    attach_docs(&mut file, &trivia);
    check_escapes_and_numbers(src, &tokens, &mut errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    Parse { file, errors, trivia }
}

/// What opens a level of nesting, for [`significant_within_depth`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    /// `{`, `[`, `(` or an interpolated string, until its closing token.
    Bracket(Token),
    /// `if`, until its `else` (the `else` branch is a chain, not nesting).
    If,
    /// `let` in an expression, until its `in`.
    Let,
    /// `for` of a comprehension, until its `in`.
    For,
    /// `match`, until the `{` of its arms.
    Match,
}

/// The significant tokens, cut where nesting goes deeper than [`MAX_NESTING`].
///
/// Nesting is what makes the parser (and every later walk of the tree)
/// recurse: brackets, and the parts of `if`, `let … in` and `match` that
/// hold an expression before the construct goes on. Chains do not nest: a
/// sum of 10,000 terms, `a.b.c…`, `else if …` and `let … in let … in` are
/// parsed in loops.
fn significant_within_depth(lexed: &Lexed, errors: &mut Vec<SyntaxError>) -> Vec<(Token, SimpleSpan)> {
    let mut open: Vec<Open> = Vec::new();
    let mut out: Vec<(Token, SimpleSpan)> = Vec::with_capacity(lexed.tokens.len());
    for (tok, span) in lexed.significant() {
        let prev = out.last().map(|(t, _)| *t);
        match tok {
            Token::LBrace | Token::LBracket | Token::LParen | Token::StrHead => {
                if tok == Token::LBrace && open.last() == Some(&Open::Match) {
                    open.pop();
                }
                open.push(Open::Bracket(tok));
            }
            // A closing token also closes every keyword left open inside its bracket.
            Token::RBrace | Token::RBracket | Token::RParen | Token::StrTail => {
                if let Some(i) = open.iter().rposition(|o| matches!(o, Open::Bracket(_))) {
                    open.truncate(i);
                }
            }
            Token::If => open.push(Open::If),
            Token::Else if open.last() == Some(&Open::If) => {
                open.pop();
            }
            Token::Let if prev.is_some_and(|p| expects_expression(p, &open)) => open.push(Open::Let),
            Token::For => open.push(Open::For),
            Token::In if matches!(open.last(), Some(Open::Let | Open::For)) => {
                open.pop();
            }
            Token::Match => open.push(Open::Match),
            _ => {}
        }
        if open.len() > MAX_NESTING {
            errors.push(SyntaxError { kind: SyntaxErrorKind::TooDeep, span });
            break;
        }
        out.push((tok, SimpleSpan::from(span.range())));
    }
    out
}

/// Whether an expression follows `prev`, so that a `let` after it is a
/// `let … in` expression and not a declaration (whose `let` follows the end
/// of an item or member, or a `{`, `,` or `;` of a body).
fn expects_expression(prev: Token, open: &[Open]) -> bool {
    match prev {
        Token::Comma => matches!(open.last(), Some(Open::Bracket(Token::LParen | Token::LBracket))),
        Token::Eq
        | Token::In
        | Token::If
        | Token::Then
        | Token::Else
        | Token::Match
        | Token::FatArrow
        | Token::LParen
        | Token::LBracket
        | Token::StrHead
        | Token::StrMid => true,
        t => t.is_operator(),
    }
}

fn convert_error(e: &Rich<'_, Token>) -> SyntaxError {
    let span = Span::from(e.span().into_range());
    let found = e.found().map(|t| t.describe().to_string());
    let mut expected: Vec<String> = e
        .expected()
        .filter_map(|p| match p {
            chumsky::error::RichPattern::Token(t) => Some(t.describe().to_string()),
            chumsky::error::RichPattern::Label(l) => Some(l.to_string()),
            chumsky::error::RichPattern::EndOfInput => Some("end of file".to_string()),
            _ => None,
        })
        .collect();
    expected.sort();
    expected.dedup();
    // Prefix operators start expressions: saying "expression" covers them.
    if expected.iter().any(|e| e == "expression") {
        expected.retain(|e| e != "`!`" && e != "`-`");
    }
    SyntaxError { kind: SyntaxErrorKind::Unexpected { found, expected }, span }
}

/// Reports invalid escapes and integers that overflow (the tree keeps a placeholder).
fn check_escapes_and_numbers(src: &str, tokens: &[(Token, SimpleSpan)], errors: &mut Vec<SyntaxError>) {
    for (tok, span) in tokens {
        let text = &src[span.into_range()];
        match tok {
            Token::Str | Token::StrHead | Token::StrMid | Token::StrTail => {
                let (start, inner) = string_inner(*tok, text);
                for bad in unescape(inner).1 {
                    let at = (span.start + start + bad) as u32;
                    // The backslash and the whole character after it (if any): never split a character.
                    let end = at + 1 + inner[bad + 1..].chars().next().map_or(0, char::len_utf8) as u32;
                    errors.push(SyntaxError { kind: SyntaxErrorKind::InvalidEscape, span: Span::new(at, end) });
                }
            }
            Token::Int if text.replace('_', "").parse::<i64>().is_err() => {
                errors.push(SyntaxError { kind: SyntaxErrorKind::NumberTooLarge, span: Span::from(span.into_range()) });
            }
            _ => {}
        }
    }
}

/// The text between a string token's delimiters, and its offset in the token.
fn string_inner(tok: Token, text: &str) -> (usize, &str) {
    let start = 1;
    let end_trim = match tok {
        Token::Str | Token::StrTail => usize::from(text.len() > 1 && text.ends_with('"')),
        _ => 2,
    };
    let end = text.len().saturating_sub(end_trim).max(start.min(text.len()));
    (start.min(text.len()), text.get(start.min(text.len())..end).unwrap_or(""))
}

fn attach_docs(file: &mut File, trivia: &Trivia) {
    for item in &mut file.items {
        item.doc = trivia.doc_at(item.span.start).map(|d| d.text.clone());
        let body = match &mut item.kind {
            ItemKind::Schema(s) => &mut s.body,
            ItemKind::Resource(d) | ItemKind::Service(d) => &mut d.body,
            ItemKind::Platform(b) => b,
            ItemKind::Stack(s) => &mut s.body,
            _ => continue,
        };
        for member in &mut body.members {
            match member {
                Member::FieldDecl(f) => f.doc = trivia.doc_at(f.span.start).map(|d| d.text.clone()),
                Member::Assign(a) => a.doc = trivia.doc_at(a.span.start).map(|d| d.text.clone()),
                _ => {}
            }
        }
    }
}

type Extra<'t> = extra::Err<Rich<'t, Token>>;

/// What follows the first element of a list literal.
enum ListTail {
    Comp(Vec<Ident>, Expr, Option<Expr>),
    Items(Vec<Expr>),
}

fn sp(s: SimpleSpan) -> Span {
    Span::from(s.into_range())
}

fn ident<'t, 's: 't, I>(src: &'s str) -> impl Parser<'t, I, Ident, Extra<'t>> + Clone
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
{
    just(Token::Ident)
        .map_with(move |_, e| {
            let span = sp(e.span());
            Ident { name: src[span.range()].to_string(), span }
        })
        .labelled("identifier")
}

/// A contextual keyword: an identifier with this exact text.
fn kw<'t, 's: 't, I>(src: &'s str, word: &'static str) -> impl Parser<'t, I, Span, Extra<'t>> + Clone
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
{
    just(Token::Ident)
        .map_with(|_, e| sp(e.span()))
        .filter(move |span: &Span| &src[span.range()] == word)
        .labelled(word)
}

fn path<'t, 's: 't, I>(src: &'s str) -> impl Parser<'t, I, Path, Extra<'t>> + Clone
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
{
    ident(src)
        .separated_by(just(Token::Dot))
        .at_least(1)
        .collect::<Vec<_>>()
        .map_with(|segments, e| Path { segments, span: sp(e.span()) })
}

fn type_expr<'t, 's: 't, I>(src: &'s str) -> impl Parser<'t, I, TypeExpr, Extra<'t>> + Clone
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
{
    recursive(|ty| {
        let named = path(src).map(TypeExprKind::Path);
        let list = ty
            .clone()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map(|t| TypeExprKind::List(Box::new(t)));
        let map = ty
            .clone()
            .then_ignore(just(Token::Colon))
            .then(ty.clone())
            .delimited_by(just(Token::LBrace), just(Token::RBrace))
            .map(|(k, v)| TypeExprKind::Map(Box::new(k), Box::new(v)));
        let lit = just(Token::Str).map_with(move |_, e| {
            let span: SimpleSpan = e.span();
            let text = &src[span.into_range()];
            TypeExprKind::StrLit(unescape(string_inner(Token::Str, text).1).0)
        });
        let paren = ty.clone().delimited_by(just(Token::LParen), just(Token::RParen)).map(|t: TypeExpr| t.kind);
        let atom = choice((named, list, map, lit, paren))
            .map_with(|kind, e| TypeExpr { kind, span: sp(e.span()) })
            .labelled("type");
        // `T? ?` is `T?`: one level however many `?`, so the tree stays shallow.
        let optional = atom.foldl_with(just(Token::Question).repeated(), |t, _, e| match t.kind {
            TypeExprKind::Optional(_) => TypeExpr { span: sp(e.span()), ..t },
            _ => TypeExpr { kind: TypeExprKind::Optional(Box::new(t)), span: sp(e.span()) },
        });
        optional.separated_by(just(Token::Pipe)).at_least(1).collect::<Vec<_>>().map_with(|mut types, e| {
            if types.len() == 1 {
                types.pop().unwrap_or(TypeExpr { kind: TypeExprKind::Error, span: sp(e.span()) })
            } else {
                TypeExpr { kind: TypeExprKind::Union(types), span: sp(e.span()) }
            }
        })
    })
}

fn expr<'t, 's: 't, I>(src: &'s str) -> impl Parser<'t, I, Expr, Extra<'t>> + Clone
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
{
    recursive(move |expr| {
        let text = move |s: SimpleSpan| &src[s.into_range()];

        let int = just(Token::Int)
            .map_with(move |_, e| ExprKind::Int(text(e.span()).replace('_', "").parse::<i64>().unwrap_or(i64::MAX)));
        let float = just(Token::Float)
            .map_with(move |_, e| ExprKind::Float(text(e.span()).replace('_', "").parse::<f64>().unwrap_or(0.0)));
        let unit = just(Token::Unit).map_with(move |_, e| {
            let t = text(e.span()).replace('_', "");
            let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
            ExprKind::Unit { number: t[..split].to_string(), unit: t[split..].to_string() }
        });
        let fragment = move |tok: Token, s: SimpleSpan| StrPart::Text(unescape(string_inner(tok, text(s)).1).0);
        let plain_str = just(Token::Str).map_with(move |_, e| ExprKind::Str(vec![fragment(Token::Str, e.span())]));
        // The lexer guarantees that a `StrHead` is closed by exactly one `StrTail`.
        let interp_str = just(Token::StrHead)
            .map_with(move |_, e| fragment(Token::StrHead, e.span()))
            .then(
                expr.clone()
                    .then(choice((
                        just(Token::StrMid).map_with(move |_, e| fragment(Token::StrMid, e.span())),
                        just(Token::StrTail).map_with(move |_, e| fragment(Token::StrTail, e.span())),
                    )))
                    .repeated()
                    .at_least(1)
                    .collect::<Vec<_>>(),
            )
            .map(|(head, rest)| {
                let mut parts = vec![head];
                for (e, text) in rest {
                    parts.push(StrPart::Interp(e));
                    parts.push(text);
                }
                parts.retain(|p| !matches!(p, StrPart::Text(t) if t.is_empty()));
                ExprKind::Str(parts)
            });
        let literal = choice((
            just(Token::True).to(ExprKind::Bool(true)),
            just(Token::False).to(ExprKind::Bool(false)),
            just(Token::None).to(ExprKind::None),
            just(Token::SelfKw).to(ExprKind::SelfRef),
        ));
        // `super.field`: one atom, since `super` alone is no value.
        let super_field = just(Token::Super)
            .ignore_then(just(Token::Dot).labelled("`.` after `super`"))
            .ignore_then(ident(src))
            .map(ExprKind::Super);

        let string_key = just(Token::Str)
            .map_with(move |_, e| RecordKey::Str(unescape(string_inner(Token::Str, text(e.span())).1).0, sp(e.span())));
        let record_key = choice((ident(src).map(RecordKey::Ident), string_key));

        // `[e for …]` and `[e, …]` share their first element: parse it once, so
        // that nested lists stay linear instead of exponential.
        let comp_tail = just(Token::For)
            .ignore_then(ident(src).separated_by(just(Token::Comma)).at_least(1).at_most(2).collect::<Vec<_>>())
            .then_ignore(just(Token::In))
            .then(expr.clone())
            .then(just(Token::If).ignore_then(expr.clone()).or_not())
            .map(|((vars, iter), cond)| ListTail::Comp(vars, iter, cond));
        let items_tail = just(Token::Comma)
            .ignore_then(expr.clone().separated_by(just(Token::Comma)).allow_trailing().collect::<Vec<_>>())
            .or_not()
            .map(|rest| ListTail::Items(rest.unwrap_or_default()));
        let list_body = expr.clone().then(choice((comp_tail, items_tail))).or_not().map(|body| match body {
            None => ExprKind::List(Vec::new()),
            Some((element, ListTail::Comp(vars, iter, cond))) => {
                ExprKind::ListComp(Box::new(Comprehension { element, vars, iter, cond }))
            }
            Some((first, ListTail::Items(rest))) => {
                let mut items = vec![first];
                items.extend(rest);
                ExprKind::List(items)
            }
        });
        let list_like = list_body.delimited_by(just(Token::LBracket), just(Token::RBracket)).recover_with(via_parser(
            nested_delimiters(
                Token::LBracket,
                Token::RBracket,
                [(Token::LBrace, Token::RBrace), (Token::LParen, Token::RParen)],
                |_| ExprKind::Error,
            ),
        ));

        let map_comp = expr
            .clone()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .then_ignore(just(Token::Eq))
            .then(expr.clone())
            .then_ignore(just(Token::For))
            .then(ident(src).separated_by(just(Token::Comma)).at_least(1).at_most(2).collect::<Vec<_>>())
            .then_ignore(just(Token::In))
            .then(expr.clone())
            .then(just(Token::If).ignore_then(expr.clone()).or_not())
            .map(|((((key, element), vars), iter), cond)| {
                ExprKind::MapComp(Box::new(key), Box::new(Comprehension { element, vars, iter, cond }))
            });
        let entry = record_key
            .then_ignore(just(Token::Eq))
            .then(expr.clone())
            .map_with(|(key, value), e| RecordEntry { key, value, span: sp(e.span()) });
        let record =
            entry.separated_by(just(Token::Comma).or_not()).allow_trailing().collect::<Vec<_>>().map(ExprKind::Record);
        let record_like = choice((map_comp, record))
            .delimited_by(just(Token::LBrace), just(Token::RBrace))
            .recover_with(via_parser(nested_delimiters(
                Token::LBrace,
                Token::RBrace,
                [(Token::LBracket, Token::RBracket), (Token::LParen, Token::RParen)],
                |_| ExprKind::Error,
            )));

        let paren =
            expr.clone().delimited_by(just(Token::LParen), just(Token::RParen)).map(Expr::into_kind).recover_with(
                via_parser(nested_delimiters(
                    Token::LParen,
                    Token::RParen,
                    [(Token::LBrace, Token::RBrace), (Token::LBracket, Token::RBracket)],
                    |_| ExprKind::Error,
                )),
            );

        // `if a then x else if b then y else z`: the heads are parsed in a loop
        // and folded, so a long `else if` chain does not nest the parser.
        let if_head = just(Token::If)
            .ignore_then(expr.clone())
            .then_ignore(just(Token::Then))
            .then(expr.clone())
            .then_ignore(just(Token::Else))
            .map_with(|(c, a), e| (c, a, sp(e.span())));
        let if_expr = if_head.repeated().at_least(1).foldr(expr.clone(), |(c, a, head), b: Expr| Expr {
            span: head.cover(b.span),
            kind: ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
        });
        let if_expr = if_expr.map(Expr::into_kind);

        let pattern = choice((
            just(Token::Ident).map_with(move |_, e| {
                let span = sp(e.span());
                let name = text(e.span());
                if name == "_" {
                    Pattern::Wildcard(span)
                } else {
                    Pattern::Name(Ident { name: name.to_string(), span })
                }
            }),
            just(Token::Str).map_with(move |_, e| {
                Pattern::Str(unescape(string_inner(Token::Str, text(e.span())).1).0, sp(e.span()))
            }),
            just(Token::Int).map_with(move |_, e| {
                Pattern::Int(text(e.span()).replace('_', "").parse().unwrap_or(i64::MAX), sp(e.span()))
            }),
            just(Token::True).map_with(|_, e| Pattern::Bool(true, sp(e.span()))),
            just(Token::False).map_with(|_, e| Pattern::Bool(false, sp(e.span()))),
        ))
        .labelled("pattern");
        let arm = pattern
            .separated_by(just(Token::Pipe))
            .at_least(1)
            .collect::<Vec<_>>()
            .then_ignore(just(Token::FatArrow))
            .then(expr.clone())
            .map_with(|(patterns, body), e| MatchArm { patterns, body, span: sp(e.span()) });
        let match_expr = just(Token::Match)
            .ignore_then(expr.clone())
            .then(
                arm.separated_by(just(Token::Comma).or_not())
                    .allow_trailing()
                    .collect::<Vec<_>>()
                    .delimited_by(just(Token::LBrace), just(Token::RBrace))
                    .recover_with(via_parser(nested_delimiters(
                        Token::LBrace,
                        Token::RBrace,
                        [(Token::LBracket, Token::RBracket), (Token::LParen, Token::RParen)],
                        |_| Vec::new(),
                    ))),
            )
            .map(|(scrutinee, arms)| ExprKind::Match(Box::new(scrutinee), arms));

        // `let a = 1 in let b = 2 in …`: a chain, parsed in a loop like `else if`.
        let let_head = just(Token::Let)
            .ignore_then(ident(src))
            .then(just(Token::Colon).ignore_then(type_expr(src)).or_not())
            .then_ignore(just(Token::Eq))
            .then(expr.clone())
            .then_ignore(just(Token::In))
            .map_with(|((name, ty), value), e| (LetDecl { name, ty, value }, sp(e.span())));
        let let_expr = let_head
            .repeated()
            .at_least(1)
            .foldr(expr.clone(), |(decl, head), body: Expr| Expr {
                span: head.cover(body.span),
                kind: ExprKind::Let(Box::new(decl), Box::new(body)),
            })
            .map(Expr::into_kind);

        // A `recursive` of its own, though it does not recurse: chumsky grows
        // the stack at every `recursive`, and the path from `expr` through the
        // operator layers to an `if` and back to `expr` is long enough (in debug
        // builds) to overrun its red zone when nothing is checked in between.
        let atom = recursive(move |_| {
            choice((
                int,
                float,
                unit,
                plain_str,
                interp_str,
                literal,
                super_field,
                ident(src).map(ExprKind::Name),
                list_like,
                record_like,
                paren,
                if_expr,
                match_expr,
                let_expr,
            ))
            .map_with(|kind, e| Expr { kind, span: sp(e.span()) })
            .labelled("expression")
        })
        .boxed();

        enum Postfix {
            Field(Ident),
            At(Ident),
            Index(Expr),
            Call(Vec<Expr>),
        }
        let postfix_op = choice((
            just(Token::Dot).ignore_then(ident(src)).map(Postfix::Field),
            just(Token::At).ignore_then(ident(src)).map(Postfix::At),
            expr.clone().delimited_by(just(Token::LBracket), just(Token::RBracket)).map(Postfix::Index),
            expr.clone()
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LParen), just(Token::RParen))
                .map(Postfix::Call),
        ));
        let postfix = atom.foldl_with(postfix_op.repeated(), |lhs, op, e| {
            let kind = match op {
                Postfix::Field(f) => ExprKind::Field(Box::new(lhs), f),
                Postfix::At(t) => ExprKind::At(Box::new(lhs), t),
                Postfix::Index(i) => ExprKind::Index(Box::new(lhs), Box::new(i)),
                Postfix::Call(args) => ExprKind::Call(Box::new(lhs), args),
            };
            Expr { kind, span: sp(e.span()) }
        });

        let unary_op = choice((just(Token::Minus).to(UnaryOp::Neg), just(Token::Bang).to(UnaryOp::Not)))
            .map_with(|op, e| (op, sp(e.span())));
        let unary = unary_op.repeated().foldr(postfix, |(op, span), rhs: Expr| Expr {
            span: span.cover(rhs.span),
            kind: ExprKind::Unary(op, Box::new(rhs)),
        });

        let product = binary_layer(
            unary.boxed(),
            choice((
                just(Token::Star).to(BinaryOp::Mul),
                just(Token::Slash).to(BinaryOp::Div),
                just(Token::Percent).to(BinaryOp::Rem),
            )),
        );
        let sum =
            binary_layer(product, choice((just(Token::Plus).to(BinaryOp::Add), just(Token::Minus).to(BinaryOp::Sub))));
        let cmp_op = choice((
            just(Token::EqEq).to(BinaryOp::Eq),
            just(Token::NotEq).to(BinaryOp::Ne),
            just(Token::LtEq).to(BinaryOp::Le),
            just(Token::GtEq).to(BinaryOp::Ge),
            just(Token::Lt).to(BinaryOp::Lt),
            just(Token::Gt).to(BinaryOp::Gt),
        ));
        let comparison = sum.clone().then(cmp_op.then(sum).or_not()).map(|(lhs, rest)| match rest {
            Some((op, rhs)) => binary(op, lhs, rhs),
            None => lhs,
        });
        let and = binary_layer(comparison.boxed(), just(Token::AndAnd).to(BinaryOp::And));
        let or = binary_layer(and, just(Token::OrOr).to(BinaryOp::Or));
        binary_layer(or, just(Token::QuestionQuestion).to(BinaryOp::Coalesce))
    })
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr { span: lhs.span.cover(rhs.span), kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)) }
}

fn binary_layer<'t, I, P, O>(operand: P, op: O) -> Boxed<'t, 't, I, Expr, Extra<'t>>
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
    P: Parser<'t, I, Expr, Extra<'t>> + Clone + 't,
    O: Parser<'t, I, BinaryOp, Extra<'t>> + Clone + 't,
{
    operand.clone().foldl(op.then(operand).repeated(), |lhs, (op, rhs)| binary(op, lhs, rhs)).boxed()
}

fn file_parser<'t, 's: 't, I>(src: &'s str) -> impl Parser<'t, I, File, Extra<'t>>
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
{
    let expr = expr(src).boxed();
    let ty = type_expr(src).boxed();
    let string_message = expr.clone();

    let check = just(Token::Check)
        .ignore_then(expr.clone())
        .then(just(Token::Else).ignore_then(string_message.clone()).or_not())
        .map_with(|(cond, message), e| CheckDecl { cond, message, span: sp(e.span()) });
    let let_decl = just(Token::Let)
        .ignore_then(ident(src))
        .then(just(Token::Colon).ignore_then(ty.clone()).or_not())
        .then_ignore(just(Token::Eq))
        .then(expr.clone())
        .map(|((name, ty), value)| LetDecl { name, ty, value });
    let attr = just(Token::AtSpaced).ignore_then(ident(src));
    let quoted_name = just(Token::Str).map_with(move |_, e| {
        let span: SimpleSpan = e.span();
        RecordKey::Str(unescape(string_inner(Token::Str, &src[span.into_range()]).1).0, sp(span))
    });
    let field_decl = attr
        .repeated()
        .collect::<Vec<_>>()
        .then(choice((ident(src).map(RecordKey::Ident), quoted_name)))
        .then_ignore(just(Token::Colon))
        .then(ty.clone())
        .then(just(Token::Eq).ignore_then(expr.clone()).or_not())
        .map_with(|(((attrs, name), ty), default), e| FieldDecl {
            doc: None,
            attrs,
            name,
            ty,
            default,
            span: sp(e.span()),
        });
    let assign = ident(src).then_ignore(just(Token::Eq)).then(expr.clone()).map_with(|(name, value), e| Assign {
        doc: None,
        name,
        value,
        span: sp(e.span()),
    });
    let member = choice((
        check.map(Member::Check),
        let_decl.clone().map_with(|l, e| Member::Let(l, sp(e.span()))),
        assign.map(Member::Assign),
        field_decl.map(Member::FieldDecl),
    ))
    .then_ignore(one_of([Token::Comma, Token::Semi]).or_not())
    .recover_with(skip_then_retry_until(any().ignored(), one_of([Token::RBrace]).ignored().rewind()))
    // When no later member can be found, drop what is left up to the `}`.
    .recover_with(via_parser(
        none_of([Token::RBrace]).repeated().at_least(1).map_with(|_, e| Member::Error(sp(e.span()))),
    ))
    .labelled("field");
    let body = member
        .repeated()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map_with(|members, e| Body { members, span: sp(e.span()) })
        .recover_with(via_parser(nested_delimiters(
            Token::LBrace,
            Token::RBrace,
            [(Token::LBracket, Token::RBracket), (Token::LParen, Token::RParen)],
            |span| Body { members: vec![Member::Error(sp(span))], span: sp(span) },
        )))
        .boxed();

    let selector = choice((just(Token::AtSpaced), just(Token::At)))
        .ignore_then(choice((
            ident(src).map(|i| vec![i]),
            ident(src)
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .at_least(1)
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBracket), just(Token::RBracket)),
        )))
        .map_with(|names, e| Selector { names, span: sp(e.span()) });

    let import = just(Token::Import).ignore_then(path(src)).map(|p| ItemKind::Import(Import { path: p.segments }));
    let platform = kw(src, "platform").ignore_then(body.clone()).map(ItemKind::Platform);
    let tier = kw(src, "protected")
        .or_not()
        .then_ignore(kw(src, "tier"))
        .then(ident(src))
        .map(|(p, name)| ItemKind::Tier(TierDecl { name, protected: p.is_some() }));
    let region = kw(src, "region")
        .ignore_then(ident(src))
        .then_ignore(just(Token::Eq))
        .then(expr.clone())
        .map(|(name, value)| ItemKind::Region(RegionDecl { name, value }));
    let stack = kw(src, "stack")
        .ignore_then(ident(src))
        .then(body.clone())
        .map(|(name, body)| ItemKind::Stack(StackDecl { name, body }));
    let top_let = let_decl.map(ItemKind::Let);
    let param = ident(src).then_ignore(just(Token::Colon)).then(ty.clone()).map(|(name, ty)| Param { name, ty });
    let func = just(Token::Fn)
        .ignore_then(ident(src))
        .then(
            param
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LParen), just(Token::RParen)),
        )
        .then_ignore(just(Token::Arrow))
        .then(ty.clone())
        .then_ignore(just(Token::Eq))
        .then(expr.clone())
        .map(|(((name, params), ret), body)| ItemKind::Fn(FnDecl { name, params, ret, body }));
    let schema = kw(src, "schema")
        .ignore_then(ident(src))
        .then(just(Token::Extends).ignore_then(path(src)).or_not())
        .then(body.clone())
        .map(|((name, extends), body)| ItemKind::Schema(SchemaDecl { name, extends, body }));
    let type_alias = kw(src, "type")
        .ignore_then(ident(src))
        .then_ignore(just(Token::Eq))
        .then(ty.clone())
        .then(
            just(Token::Where)
                .ignore_then(expr.clone())
                .then(just(Token::Else).ignore_then(string_message).or_not())
                .map(|(cond, message)| Refinement { cond, message })
                .or_not(),
        )
        .map(|((name, ty), refinement)| ItemKind::TypeAlias(TypeAlias { name, ty, refinement }));
    let modifiers = choice((kw(src, "shared").to(0u8), kw(src, "protected").to(1u8))).repeated().collect::<Vec<u8>>();
    let instance = modifiers
        .then(choice((kw(src, "resource").to(true), kw(src, "service").to(false))))
        .then(ident(src))
        .then_ignore(just(Token::Colon))
        .then(path(src))
        .then(selector.clone().or_not())
        .then(body.clone())
        .map(|(((((mods, is_resource), name), schema), selector), body)| {
            let decl =
                InstanceDecl { name, schema, selector, shared: mods.contains(&0), protected: mods.contains(&1), body };
            if is_resource { ItemKind::Resource(decl) } else { ItemKind::Service(decl) }
        });
    let policy = kw(src, "policy")
        .ignore_then(ident(src))
        .then(just(Token::Colon).ignore_then(path(src)).or_not())
        .then(selector.or_not())
        .then(body)
        .map(|(((name, schema), selector), body)| ItemKind::Policy(PolicyDecl { name, schema, selector, body }));

    let item = choice((import, platform, tier, region, stack, top_let, func, schema, type_alias, instance, policy))
        .map_with(|kind, e| Item { doc: None, kind, span: sp(e.span()) })
        .labelled("item")
        .recover_with(skip_then_retry_until(any().ignored(), end()));

    item.repeated().collect::<Vec<_>>().then_ignore(end()).map(|items| File { doc: None, items })
}

#[cfg(test)]
mod tests;
