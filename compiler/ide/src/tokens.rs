//! Semantic tokens: every token of a file classified for highlighting —
//! literals, comments and keywords from the lexer, names by what they denote
//! (a function, a type, a field, a tier, a local, a builtin…), so editors
//! without a grammar (Neovim, Helix) highlight sinfra too.

use sinfra_compiler::db::SourceFile;
use sinfra_compiler::items::ItemTag;
use sinfra_syntax::Span;
use sinfra_syntax::lexer::{Token, lex};

use crate::Analysis;
use crate::definition::{Denoted, denoted};
use crate::locate::{Target, locate};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A module (`k8s`).
    Namespace,
    /// A schema or a type.
    Type,
    /// A function or builtin.
    Function,
    /// A constant, a resource or a service.
    Variable,
    /// A parameter or a local.
    Parameter,
    /// A field.
    Property,
    /// A tier, a region or a stack.
    EnumMember,
    /// A keyword.
    Keyword,
    /// A string.
    String,
    /// A number, with or without a unit.
    Number,
    /// A comment.
    Comment,
    /// An operator.
    Operator,
}

/// One classified token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// Where it is (file coordinates).
    pub span: Span,
    /// What it is.
    pub kind: TokenKind,
    /// Where the name is declared.
    pub declaration: bool,
    /// A builtin, context name or stdlib item.
    pub library: bool,
}

/// Names that are keywords only where the grammar says so.
const CONTEXTUAL: &[&str] =
    &["schema", "type", "resource", "service", "policy", "platform", "tier", "region", "stack", "shared", "protected"];

/// The semantic tokens of `file`, in order.
pub fn semantic_tokens(a: &Analysis<'_>, file: SourceFile) -> Vec<SemanticToken> {
    let db = a.db;
    let text = file.text(db);
    let mut out = Vec::new();
    for (tok, span) in lex(text).tokens {
        let plain = |kind| SemanticToken { span, kind, declaration: false, library: false };
        let token = match tok {
            Token::Comment => plain(TokenKind::Comment),
            Token::Quote | Token::Str | Token::StrHead | Token::StrMid | Token::StrTail => plain(TokenKind::String),
            Token::Int | Token::Float | Token::Unit => plain(TokenKind::Number),
            t if t.is_keyword() => plain(TokenKind::Keyword),
            t if t.is_operator() => plain(TokenKind::Operator),
            Token::At | Token::FatArrow | Token::Arrow => plain(TokenKind::Operator),
            Token::Ident => match ident(a, file, span) {
                Some(t) => t,
                None if CONTEXTUAL.contains(&&text[span.range()]) => plain(TokenKind::Keyword),
                None => continue,
            },
            _ => continue,
        };
        if !text[token.span.range()].contains('\n') {
            out.push(token);
        }
    }
    out
}

fn ident(a: &Analysis<'_>, file: SourceFile, span: Span) -> Option<SemanticToken> {
    let db = a.db;
    let loc = locate(a, file, span.start)?;
    let target = loc.target?;
    let text = &file.text(db)[span.range()];
    let declaration = match target {
        Target::ItemName | Target::Binding(_) => true,
        Target::Member(m) => matches!(
            crate::hir_member(db, loc.item, m),
            Some(sinfra_compiler::hir::Member::Field { .. } | sinfra_compiler::hir::Member::Let { .. })
        ),
        _ => false,
    };
    let token = |kind, library| Some(SemanticToken { span, kind, declaration, library });
    // In a written path or type, a module's name, and the primitive types.
    if matches!(target, Target::Path | Target::Type(_)) {
        if sinfra_compiler::stdlib::MODULES.iter().any(|m| m.name == text) {
            return token(TokenKind::Namespace, true);
        }
        if sinfra_compiler::ty::Ty::primitive(text).is_some() {
            return token(TokenKind::Type, true);
        }
    }
    let (kind, library) = match denoted(a, &loc)? {
        Denoted::Item(i) => {
            let library = i.file(db).origin(db) == sinfra_compiler::db::Origin::Stdlib;
            let kind = match i.tag(db) {
                ItemTag::Fn => TokenKind::Function,
                ItemTag::Schema | ItemTag::Type => TokenKind::Type,
                ItemTag::Tier | ItemTag::Region | ItemTag::Stack => TokenKind::EnumMember,
                ItemTag::Import => TokenKind::Namespace,
                _ => TokenKind::Variable,
            };
            (kind, library)
        }
        Denoted::Member(m) => (TokenKind::Property, m.owner.file(db).origin(db) == sinfra_compiler::db::Origin::Stdlib),
        Denoted::Local(_) => (TokenKind::Parameter, false),
        Denoted::Builtin(_) => (TokenKind::Function, true),
        Denoted::Context(_) => (TokenKind::Variable, true),
        Denoted::Module(_) => (TokenKind::Namespace, true),
        Denoted::BuiltinField(..) => (TokenKind::Property, true),
    };
    token(kind, library)
}
