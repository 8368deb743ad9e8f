//! The parser and the formatter never panic and the lexer is lossless, on token soup, on
//! mutations of the example project's files, and on deep or huge inputs.

// Tests read the example and the stdlib from disk and honour PROPTEST_CASES; the crate itself does no IO.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sinfra_syntax::{lexer, parse};

/// Pieces of sinfra text, good and bad, that random inputs are made of.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    // keywords
    "import", "platform", "tier", "region", "stack", "schema", "type", "fn", "let", "in", "resource",
    "service", "policy", "shared", "protected", "extends", "check", "where", "else", "if", "then",
    "match", "for", "true", "false", "none", "self", // names
    "a", "cache", "k8s", "std", "_", "x_1", "Int", "String", // punctuation
    "{", "}", "[", "]", "(", ")", ",", ":", "=", "=>", "->", ".", "?", "??", "@", "@[", "|", "+", "-",
    "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", // strings
    "\"", "\"abc\"", "\"${", "${", "\"a${b}c\"", "\\", "\\\"", "\\u{1F600}", "\\u{", "\\$", "\\q", "$",
    // numbers and units
    "0", "42", "1_000", "0.5", "1.", ".5", "99999999999999999999999", "500m", "1Gi", "30s", "25%", "2Ki",
    "5ms", "1e9", // trivia
    " ", "  ", "\n", "\t", "\r\n", "// c\n", "/// doc\n", "//! mod\n", "//", // odd characters
    "#", "`", "~", "^", "é", "💥", "\u{0}", "\u{feff}", "\u{200b}", ";",
];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

fn example_sources() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "sinfra") {
                out.push(fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = Vec::new();
    walk(&examples_dir(), &mut out);
    let stdlib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../stdlib");
    walk(&stdlib, &mut out);
    assert!(out.len() >= 5, "the example project's files are missing");
    out
}

/// Parses `src`, checking what must hold for every input.
fn check(src: &str) {
    let lexed = lexer::lex(src);
    let mut rebuilt = String::with_capacity(src.len());
    let mut at = 0u32;
    for (tok, span) in &lexed.tokens {
        assert_eq!(span.start, at, "tokens must tile the source: {tok:?} at {span:?} in {src:?}");
        rebuilt.push_str(&src[span.range()]);
        at = span.end;
    }
    assert_eq!(rebuilt, src, "the lexer is lossless");
    for e in &lexed.errors {
        assert_span(src, e.span.range());
    }
    let p = parse(src);
    for e in &p.errors {
        assert_span(src, e.span.range());
    }
    for item in &p.file.items {
        assert_span(src, item.span.range());
    }
    check_format(src, &p);
}

/// The formatter never panics, refuses exactly the texts with syntax errors,
/// keeps the tree and the comments, and is idempotent.
fn check_format(src: &str, p: &sinfra_syntax::Parse) {
    use sinfra_syntax::format::verify::{comment_texts, same_file};
    match sinfra_syntax::format(src) {
        Err(sinfra_syntax::FormatError::Syntax { .. }) => assert!(!p.errors.is_empty()),
        Err(e) => panic!("{e} on {src:?}"),
        Ok(out) => {
            assert!(p.errors.is_empty(), "formatted a text with syntax errors: {src:?}");
            let again = parse(&out);
            assert!(
                again.errors.is_empty() && same_file(src, &p.file, &out, &again.file),
                "tree changed: {src:?} -> {out:?}"
            );
            assert_eq!(comment_texts(src), comment_texts(&out), "comments changed: {src:?}");
            assert_eq!(sinfra_syntax::format(&out).as_deref(), Ok(out.as_str()), "not idempotent: {src:?}");
        }
    }
}

fn assert_span(src: &str, r: std::ops::Range<usize>) {
    assert!(r.start <= r.end && r.end <= src.len(), "span {r:?} out of bounds (len {})", src.len());
    assert!(src.is_char_boundary(r.start) && src.is_char_boundary(r.end), "span {r:?} splits a character");
}

/// An edit of a text, on character indices.
#[derive(Clone, Debug)]
enum Edit {
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
    Swap { a: usize, b: usize, len: usize },
    Insert { at: usize, piece: usize },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Edit::Duplicate { at, len }),
        (any::<usize>(), any::<usize>(), 1usize..32).prop_map(|(a, b, len)| Edit::Swap { a, b, len }),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut c: Vec<char> = text.chars().collect();
    for e in edits {
        let n = c.len().max(1);
        match *e {
            Edit::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(c.len());
                c.drain(at.min(c.len())..end);
            }
            Edit::Duplicate { at, len } => {
                let at = (at % n).min(c.len());
                let end = (at + len).min(c.len());
                let chunk: Vec<char> = c[at..end].to_vec();
                c.splice(end..end, chunk);
            }
            Edit::Swap { a, b, len } => {
                let (mut a, mut b) = (a % n, b % n);
                if a > b {
                    std::mem::swap(&mut a, &mut b);
                }
                let len = len.min(b - a).min(c.len().saturating_sub(b));
                for i in 0..len {
                    c.swap(a + i, b + i);
                }
            }
            Edit::Insert { at, piece } => {
                let at = (at % n).min(c.len());
                c.splice(at..at, PIECES[piece].chars());
            }
        }
    }
    c.into_iter().collect()
}

/// Cases per property: `default`, or `PROPTEST_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn token_soup(pieces in prop::collection::vec(0..PIECES.len(), 0..200)) {
        let src: String = pieces.iter().map(|&i| PIECES[i]).collect();
        check(&src);
    }

    #[test]
    fn spaced_token_soup(pieces in prop::collection::vec(0..PIECES.len(), 0..200)) {
        let src = pieces.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        check(&src);
    }

    #[test]
    fn arbitrary_strings(src in any::<String>()) {
        check(&src);
    }

    #[test]
    fn mutated_examples(file in any::<prop::sample::Index>(), edits in prop::collection::vec(edit_strategy(), 1..8)) {
        let sources = example_sources();
        let text = &sources[file.index(sources.len())];
        check(&apply(text, &edits));
    }

    #[test]
    fn mutated_examples_with_a_byte_order_mark(file in any::<prop::sample::Index>(), edits in prop::collection::vec(edit_strategy(), 0..4)) {
        let sources = example_sources();
        let text = format!("\u{FEFF}{}", sources[file.index(sources.len())]);
        check(&apply(&text, &edits));
    }
}

#[test]
fn every_prefix_of_an_example_file() {
    // Cutting a file anywhere (inside strings, interpolations, numbers, comments).
    let sources = example_sources();
    let text = sources.iter().find(|s| s.contains("${")).expect("an example file with interpolation");
    let cuts: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
    for &i in cuts.iter().step_by(3) {
        check(&text[..i]);
    }
}

#[test]
fn deep_and_long_inputs() {
    const N: usize = 5_000;
    let cases = [
        format!("let a = {}1{}", "[".repeat(N), "]".repeat(N)),
        format!("let a = {}1", "(".repeat(N)),
        format!("let a = {}", "{ x = ".repeat(N)),
        format!("service a: k8s.WebService {}", "{ x = ".repeat(N)),
        format!("let a = {}", "\"${".repeat(N)),
        format!("let a = \"{}\"", "${\"".repeat(N)),
        format!("let a = {}1", "-".repeat(N)),
        format!("let a = {}true", "!".repeat(N)),
        format!("let a = {}1{}", "if true then ".repeat(N), " else 2".repeat(N)),
        format!("let a = {}1", (0..N).map(|i| format!("let x{i} = 1 in ")).collect::<String>()),
        format!("let a = {}", vec!["1"; N].join(" + ")),
        format!("let a = {}", vec!["x"; N].join(" ?? ")),
        format!("let a = {}", vec!["1"; N].join(" == ")),
        format!("let a = x{}", ".y".repeat(N)),
        format!("let a = f{}", "()".repeat(N)),
        format!("let a = x{}", "@y".repeat(N)),
        format!("let a = x{}", "[0]".repeat(N)),
        "tier\n".repeat(N),
        "}".repeat(N),
        "/// doc\n".repeat(N),
        format!("\"{}", "a".repeat(100 * N)),
    ];
    for src in &cases {
        check(src);
    }
}

#[test]
fn a_huge_file() {
    let sources = example_sources();
    let all: String = sources.join("\n");
    let big = all.repeat(8);
    check(&big);
}
