//! The parser never panics, the lexer is lossless, and every span is in
//! bounds and on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let lexed = sinfra_syntax::lexer::lex(src);
    let mut at = 0u32;
    for (tok, span) in &lexed.tokens {
        assert_eq!(span.start, at, "tokens tile the source: {tok:?} at {span:?}");
        at = span.end;
    }
    assert_eq!(at as usize, src.len(), "tokens cover the source");
    let parse = sinfra_syntax::parse(src);
    let spans = parse.errors.iter().map(|e| e.span).chain(parse.file.items.iter().map(|i| i.span));
    for span in spans.chain(lexed.errors.iter().map(|e| e.span)) {
        let r = span.range();
        assert!(r.start <= r.end && r.end <= src.len(), "span {r:?} out of bounds");
        assert!(src.is_char_boundary(r.start) && src.is_char_boundary(r.end), "span {r:?} splits a character");
    }
});
