//! The lossless lexer: logos for ordinary tokens, a small hand-written scanner
//! for strings with `${…}` interpolation.
//!
//! [`lex`] returns every token, trivia included, so that concatenating the
//! token texts rebuilds the source byte for byte. [`Lexed::significant`] is
//! what the parser sees.

use logos::Logos;

use crate::span::Span;

/// A token kind. Trivia (whitespace, comments) are tokens too.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// A UTF-8 byte order mark (U+FEFF) at the very start of the file: trivia.
    /// Anywhere else U+FEFF is an invalid character.
    Bom,
    /// Spaces, tabs and newlines.
    #[regex(r"[ \t\r\n\f]+")]
    Whitespace,
    /// `// …`, `/// …` or `//! …` up to the end of the line.
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment,
    /// An identifier or a contextual keyword.
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    /// An integer literal.
    #[regex(r"[0-9][0-9_]*")]
    Int,
    /// A float literal.
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*")]
    Float,
    /// A number followed by a unit: `500m`, `1Gi`, `30s`, `25%`.
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([A-Za-z]+|%)")]
    Unit,
    /// `"` starting a string; the scanner replaces it by one of the string tokens below.
    #[token("\"")]
    Quote,
    /// A string without interpolation: `"text"`.
    Str,
    /// The head of an interpolated string: `"text${`.
    StrHead,
    /// The middle of an interpolated string: `}text${`.
    StrMid,
    /// The tail of an interpolated string: `}text"`.
    StrTail,

    // Hard keywords.
    /// `import`
    #[token("import")]
    Import,
    /// `fn`
    #[token("fn")]
    Fn,
    /// `let`
    #[token("let")]
    Let,
    /// `in`
    #[token("in")]
    In,
    /// `if`
    #[token("if")]
    If,
    /// `then`
    #[token("then")]
    Then,
    /// `else`
    #[token("else")]
    Else,
    /// `match`
    #[token("match")]
    Match,
    /// `for`
    #[token("for")]
    For,
    /// `true`
    #[token("true")]
    True,
    /// `false`
    #[token("false")]
    False,
    /// `none`
    #[token("none")]
    None,
    /// `self`
    #[token("self")]
    SelfKw,
    /// `super`
    #[token("super")]
    Super,
    /// `check`
    #[token("check")]
    Check,
    /// `where`
    #[token("where")]
    Where,
    /// `extends`
    #[token("extends")]
    Extends,

    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `,`
    #[token(",")]
    Comma,
    /// `;`
    #[token(";")]
    Semi,
    /// `:`
    #[token(":")]
    Colon,
    /// `=`
    #[token("=")]
    Eq,
    /// `=>`
    #[token("=>")]
    FatArrow,
    /// `->`
    #[token("->")]
    Arrow,
    /// `.`
    #[token(".")]
    Dot,
    /// `?`
    #[token("?")]
    Question,
    /// `??`
    #[token("??")]
    QuestionQuestion,
    /// `@` written right after the previous token: the postfix `cache@latest`.
    #[token("@")]
    At,
    /// `@` after whitespace or a comment: a selector (`@prod`) or a field attribute (`@address`).
    AtSpaced,
    /// `|`
    #[token("|")]
    Pipe,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `%`
    #[token("%")]
    Percent,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    LtEq,
    /// `>`
    #[token(">")]
    Gt,
    /// `>=`
    #[token(">=")]
    GtEq,
    /// `&&`
    #[token("&&")]
    AndAnd,
    /// `||`
    #[token("||")]
    OrOr,
    /// `!`
    #[token("!")]
    Bang,
    /// Bytes that start no token. Reported by the lexer, never seen by the parser.
    Error,
}

impl Token {
    /// A unary or binary operator (`+ - * / % == != < <= > >= && || ?? !`).
    pub fn is_operator(self) -> bool {
        matches!(
            self,
            Token::Plus
                | Token::Minus
                | Token::Star
                | Token::Slash
                | Token::Percent
                | Token::EqEq
                | Token::NotEq
                | Token::Lt
                | Token::LtEq
                | Token::Gt
                | Token::GtEq
                | Token::AndAnd
                | Token::OrOr
                | Token::QuestionQuestion
                | Token::Bang
        )
    }

    /// A keyword the lexer knows (the contextual ones, like `schema`, are identifiers).
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Token::Import
                | Token::Fn
                | Token::Let
                | Token::In
                | Token::If
                | Token::Then
                | Token::Else
                | Token::Match
                | Token::For
                | Token::True
                | Token::False
                | Token::None
                | Token::SelfKw
                | Token::Super
                | Token::Check
                | Token::Where
                | Token::Extends
        )
    }

    /// Whitespace, comments and a leading byte order mark.
    pub fn is_trivia(self) -> bool {
        matches!(self, Token::Whitespace | Token::Comment | Token::Bom)
    }

    /// A short description for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Token::Bom => "byte order mark",
            Token::Whitespace => "whitespace",
            Token::Comment => "comment",
            Token::Ident => "identifier",
            Token::Int => "integer",
            Token::Float => "number",
            Token::Unit => "unit literal",
            Token::Quote | Token::Str | Token::StrHead => "string",
            Token::StrMid | Token::StrTail => "end of interpolation",
            Token::Import => "`import`",
            Token::Fn => "`fn`",
            Token::Let => "`let`",
            Token::In => "`in`",
            Token::If => "`if`",
            Token::Then => "`then`",
            Token::Else => "`else`",
            Token::Match => "`match`",
            Token::For => "`for`",
            Token::True => "`true`",
            Token::False => "`false`",
            Token::None => "`none`",
            Token::SelfKw => "`self`",
            Token::Super => "`super`",
            Token::Check => "`check`",
            Token::Where => "`where`",
            Token::Extends => "`extends`",
            Token::LBrace => "`{`",
            Token::RBrace => "`}`",
            Token::LBracket => "`[`",
            Token::RBracket => "`]`",
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::Comma => "`,`",
            Token::Semi => "`;`",
            Token::Colon => "`:`",
            Token::Eq => "`=`",
            Token::FatArrow => "`=>`",
            Token::Arrow => "`->`",
            Token::Dot => "`.`",
            Token::Question => "`?`",
            Token::QuestionQuestion => "`??`",
            Token::At | Token::AtSpaced => "`@`",
            Token::Pipe => "`|`",
            Token::Plus => "`+`",
            Token::Minus => "`-`",
            Token::Star => "`*`",
            Token::Slash => "`/`",
            Token::Percent => "`%`",
            Token::EqEq => "`==`",
            Token::NotEq => "`!=`",
            Token::Lt => "`<`",
            Token::LtEq => "`<=`",
            Token::Gt => "`>`",
            Token::GtEq => "`>=`",
            Token::AndAnd => "`&&`",
            Token::OrOr => "`||`",
            Token::Bang => "`!`",
            Token::Error => "invalid character",
        }
    }
}

/// What went wrong while lexing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexErrorKind {
    /// A character that starts no token.
    InvalidCharacter(char),
    /// A string without its closing quote on the same line.
    UnterminatedString,
    /// `${` without its closing `}` before the end of the file.
    UnterminatedInterpolation,
}

/// A lexing error with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// What went wrong.
    pub kind: LexErrorKind,
    /// Where.
    pub span: Span,
}

/// The result of lexing a source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lexed {
    /// Every token, trivia included, in source order; they tile the source.
    pub tokens: Vec<(Token, Span)>,
    /// Lexing errors (the tokens still tile the source).
    pub errors: Vec<LexError>,
}

impl Lexed {
    /// The tokens the parser sees: no trivia, no error tokens.
    pub fn significant(&self) -> Vec<(Token, Span)> {
        self.tokens.iter().copied().filter(|(t, _)| !t.is_trivia() && *t != Token::Error).collect()
    }
}

/// The byte order mark some editors write at the start of UTF-8 files.
pub const BOM: char = '\u{FEFF}';

/// Lexes `src` losslessly.
pub fn lex(src: &str) -> Lexed {
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    // Open `${` interpolations: the number of unclosed `{` inside each.
    let mut interp: Vec<u32> = Vec::new();
    let mut lexer = Token::lexer(src);
    if src.starts_with(BOM) {
        tokens.push((Token::Bom, Span::new(0, BOM.len_utf8() as u32)));
        lexer.bump(BOM.len_utf8());
    }
    while let Some(result) = lexer.next() {
        let span: Span = lexer.span().into();
        let tok = match result {
            Ok(t) => t,
            Err(()) => {
                let c = src[span.range()].chars().next().unwrap_or('\u{fffd}');
                errors.push(LexError { kind: LexErrorKind::InvalidCharacter(c), span });
                tokens.push((Token::Error, span));
                continue;
            }
        };
        match tok {
            Token::Quote => {
                let (kind, end) = scan_string(src, span.start as usize + 1, true, &mut errors);
                if kind == Token::StrHead {
                    interp.push(0);
                }
                lexer.bump(end - span.end as usize);
                tokens.push((kind, Span::new(span.start, end as u32)));
            }
            Token::LBrace => {
                if let Some(depth) = interp.last_mut() {
                    *depth += 1;
                }
                tokens.push((tok, span));
            }
            Token::RBrace if interp.last() == Some(&0) => {
                interp.pop();
                let (kind, end) = scan_string(src, span.end as usize, false, &mut errors);
                if kind == Token::StrMid {
                    interp.push(0);
                }
                lexer.bump(end - span.end as usize);
                tokens.push((kind, Span::new(span.start, end as u32)));
            }
            Token::RBrace => {
                if let Some(depth) = interp.last_mut() {
                    *depth -= 1;
                }
                tokens.push((tok, span));
            }
            Token::At if tokens.last().is_none_or(|(t, _): &(Token, Span)| t.is_trivia()) => {
                tokens.push((Token::AtSpaced, span));
            }
            _ => tokens.push((tok, span)),
        }
    }
    if !interp.is_empty() {
        let end = src.len() as u32;
        errors.push(LexError { kind: LexErrorKind::UnterminatedInterpolation, span: Span::new(end, end) });
    }
    Lexed { tokens, errors }
}

/// Scans string content from byte `from` up to the closing quote or the next `${`.
/// Returns the token kind and the byte offset just after it.
fn scan_string(src: &str, from: usize, opened_by_quote: bool, errors: &mut Vec<LexError>) -> (Token, usize) {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let kind = if opened_by_quote { Token::Str } else { Token::StrTail };
                return (kind, i + 1);
            }
            b'\\' => {
                // An escape: skip the next character whole (it may be multi-byte).
                i += 1;
                if let Some(c) = src[i..].chars().next() {
                    if c == '\n' {
                        break;
                    }
                    i += c.len_utf8();
                }
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let kind = if opened_by_quote { Token::StrHead } else { Token::StrMid };
                return (kind, i + 2);
            }
            b'\n' => break,
            _ => i += 1,
        }
    }
    let start = if opened_by_quote { from - 1 } else { from.saturating_sub(1) };
    errors.push(LexError { kind: LexErrorKind::UnterminatedString, span: Span::new(start as u32, i as u32) });
    let kind = if opened_by_quote { Token::Str } else { Token::StrTail };
    (kind, i)
}

/// Decodes the escapes of a string fragment (the text between delimiters).
/// Returns the text and the byte offsets (within `raw`) of invalid escapes.
pub fn unescape(raw: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(raw.len());
    let mut bad = Vec::new();
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, '$')) => out.push('$'),
            Some((_, 'u')) if chars.peek().map(|p| p.1) == Some('{') => {
                chars.next();
                let mut hex = String::new();
                let mut closed = false;
                for (_, h) in chars.by_ref() {
                    if h == '}' {
                        closed = true;
                        break;
                    }
                    hex.push(h);
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if closed => out.push(ch),
                    _ => bad.push(i),
                }
            }
            _ => bad.push(i),
        }
    }
    (out, bad)
}

/// A string literal whose value is `text`: the inverse of [`unescape`]
/// (quotes, backslashes, `$`, and control characters escaped).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Token> {
        lex(src).significant().into_iter().map(|(t, _)| t).collect()
    }

    fn rebuild(src: &str) -> String {
        lex(src).tokens.iter().map(|(_, s)| &src[s.range()]).collect()
    }

    #[test]
    fn lossless_on_every_construct() {
        let src = "/// doc\nservice api: k8s.WebService @prod {\n  port = 8080 // c\n  cpu = 500m\n  s = \"a${b + \"${c}\"}d\"\n  x = #\n  y = \"open\n}\n";
        assert_eq!(rebuild(src), src);
    }

    #[test]
    fn leading_bom_is_trivia() {
        let src = "\u{FEFF}tier latest\n";
        let lexed = lex(src);
        assert!(lexed.errors.is_empty(), "{:?}", lexed.errors);
        assert_eq!(lexed.tokens[0], (Token::Bom, Span::new(0, 3)));
        assert_eq!(lexed.significant()[0], (Token::Ident, Span::new(3, 7)));
        assert_eq!(rebuild(src), src);
        // Anywhere else it is not part of the syntax.
        let lexed = lex("tier \u{FEFF}latest");
        assert_eq!(lexed.errors[0].kind, LexErrorKind::InvalidCharacter(BOM));
    }

    #[test]
    fn interpolation_tokens() {
        assert_eq!(
            kinds(r#""a${x}b${ {k = 1}.k }c""#),
            vec![
                Token::StrHead,
                Token::Ident,
                Token::StrMid,
                Token::LBrace,
                Token::Ident,
                Token::Eq,
                Token::Int,
                Token::RBrace,
                Token::Dot,
                Token::Ident,
                Token::StrTail
            ]
        );
    }

    #[test]
    fn units_and_numbers() {
        assert_eq!(
            kinds("500m 1Gi 30s 25% 8080 0.5"),
            vec![Token::Unit, Token::Unit, Token::Unit, Token::Unit, Token::Int, Token::Float]
        );
    }

    #[test]
    fn errors_are_reported_and_skipped() {
        let lexed = lex("a # b \"x\ny");
        assert_eq!(lexed.errors.len(), 2);
        assert_eq!(lexed.significant().len(), 4);
    }

    #[test]
    fn quote_is_the_inverse_of_unescape() {
        for text in ["", "plain", "a\"b\\c", "${x}", "line\nnext\ttab\r", "\u{7}bell", "😀 ünï"] {
            let quoted = quote(text);
            assert_eq!(unescape(&quoted[1..quoted.len() - 1]), (text.to_string(), vec![]), "{quoted}");
        }
    }

    #[test]
    fn unescape_handles_all_escapes() {
        assert_eq!(unescape(r#"a\n\t\"\\\$\u{1F600}"#), ("a\n\t\"\\$😀".to_string(), vec![]));
        assert_eq!(unescape(r"\q").1, vec![0]);
    }
}
