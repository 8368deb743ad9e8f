//! Scalars: how each string is written (plain, `'…'` or `"…"` with escapes),
//! decided in one pass over its bytes with a 256-entry class table; floats.
//!
//! A string is written plain unless a YAML 1.1 or 1.2 reader would read it
//! differently: a reserved word or a number ([`super::resolve`]), a leading
//! indicator (`-?:,[]{}#&*!|>'"%@` and the backquote; `-` and `?` only alone
//! or before a space), a document marker (`---`, `...`), a space at either
//! end, `: ` or ` #` inside or `:` at the end, a control or non-printable
//! character, or a line break (always escaped: no block scalars). Keys
//! are stricter: no `:` and no flow indicator (`,[]{}`) anywhere. Quoted
//! strings are double-quoted with YAML's escapes, except `.`, `#` and `-`
//! alone, which are single-quoted.

use std::fmt::Write as _;

use super::resolve::is_implicit;

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// As is.
    Plain,
    /// Between single quotes (no character in it needs an escape).
    Single,
    /// Between double quotes, with escapes.
    Double,
}

// Byte classes.
/// Cannot start a plain scalar.
const INDICATOR: u8 = 1;
/// A flow indicator: not in a plain key.
const FLOW: u8 = 1 << 1;
/// A C0 control character or DEL: forces double quotes (escaped).
const CONTROL: u8 = 1 << 2;
/// ASCII whitespace as `u8::is_ascii_whitespace` has it (not at either end of a plain scalar).
const BLANK: u8 = 1 << 3;
/// Whitespace as `char::is_whitespace` has it (before `#`, a comment; after a final `:`).
const SPACE: u8 = 1 << 4;
/// The start of a multi-byte character: decoded and looked at.
const WIDE: u8 = 1 << 5;
/// `:` or `#`.
const PUNCT: u8 = 1 << 6;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut k = 0;
        if matches!(c, b',' | b':' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>')
            || matches!(c, b'\'' | b'"' | b'%' | b'@' | b'`')
        {
            k |= INDICATOR;
        }
        if matches!(c, b',' | b'[' | b']' | b'{' | b'}') {
            k |= FLOW;
        }
        if c < 0x20 || c == 0x7f {
            k |= CONTROL;
        }
        if matches!(c, b' ' | b'\t' | b'\n' | 0x0c | b'\r') {
            k |= BLANK;
        }
        if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            k |= SPACE;
        }
        if c >= 0x80 {
            k |= WIDE;
        }
        if matches!(c, b':' | b'#') {
            k |= PUNCT;
        }
        t[b] = k;
        b += 1;
    }
    t
};

/// Whether a character must be escaped: it is a control character, a
/// non-printable or a line separator (NEL, LS, PS), or a BOM.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}')
}

/// What one pass over a string found.
struct Scan {
    /// A character that must be escaped.
    escape: bool,
    /// `: ` inside.
    colon_space: bool,
    /// A `:` anywhere.
    colon: bool,
    /// A flow indicator anywhere.
    flow: bool,
    /// A `#` after whitespace.
    comment: bool,
    /// The last character that is not whitespace is a `:`.
    ends_with_colon: bool,
}

fn scan(s: &str) -> Scan {
    let b = s.as_bytes();
    let mut out =
        Scan { escape: false, colon_space: false, colon: false, flow: false, comment: false, ends_with_colon: false };
    // The previous character was whitespace; was a `:`.
    let (mut after_space, mut after_colon) = (false, false);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let k = CLASS[c as usize] & !INDICATOR;
        if k == 0 {
            // A run of characters that matter only at the start: letters, digits, `-./` …
            i += 1;
            while i < b.len() && CLASS[b[i] as usize] & !INDICATOR == 0 {
                i += 1;
            }
            out.ends_with_colon = false;
            (after_space, after_colon) = (false, false);
            continue;
        }
        if k & WIDE != 0 {
            let Some(ch) = s[i..].chars().next() else { break };
            out.escape |= needs_escape(ch);
            let space = ch.is_whitespace();
            if !space {
                out.ends_with_colon = false;
            }
            (after_space, after_colon) = (space, false);
            i += ch.len_utf8();
            continue;
        }
        out.escape |= k & CONTROL != 0;
        out.flow |= k & FLOW != 0;
        out.comment |= c == b'#' && after_space;
        match c {
            b':' => {
                out.colon = true;
                out.ends_with_colon = true;
            }
            b' ' => out.colon_space |= after_colon,
            _ if k & SPACE != 0 => {}
            _ => out.ends_with_colon = false,
        }
        (after_space, after_colon) = (k & SPACE != 0, c == b':');
        i += 1;
    }
    out
}

/// Whether `s`'s ends and first characters allow a plain scalar (the checks
/// shared by keys and values).
fn plain_ends(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else { return false };
    if CLASS[first as usize] & (INDICATOR | BLANK) != 0 || CLASS[last as usize] & BLANK != 0 {
        return false;
    }
    if matches!(first, b'-' | b'?') && b.get(1).is_none_or(|c| CLASS[*c as usize] & BLANK != 0) {
        return false;
    }
    // A document marker, `---` or `...` alone or before whitespace.
    if (b.starts_with(b"---") || b.starts_with(b"...")) && b.get(3).is_none_or(|c| CLASS[*c as usize] & BLANK != 0) {
        return false;
    }
    !is_implicit(s)
}

/// How the mapping value or sequence item `s` is written.
pub fn value_style(s: &str) -> Style {
    if matches!(s, "." | "#" | "-") {
        return Style::Single;
    }
    if !plain_ends(s) {
        return Style::Double;
    }
    let f = scan(s);
    if f.escape || f.colon_space || f.ends_with_colon || f.comment { Style::Double } else { Style::Plain }
}

/// How the mapping key `s` is written: plain or double-quoted.
pub fn key_style(s: &str) -> Style {
    if !plain_ends(s) {
        return Style::Double;
    }
    let f = scan(s);
    if f.escape || f.colon || f.flow || f.comment { Style::Double } else { Style::Plain }
}

/// Appends `s` in `style`.
pub fn push_str(out: &mut String, s: &str, style: Style) {
    match style {
        Style::Plain => out.push_str(s),
        Style::Single => {
            out.push('\'');
            for c in s.chars() {
                if c == '\'' {
                    out.push('\'');
                }
                out.push(c);
            }
            out.push('\'');
        }
        Style::Double => {
            out.push('"');
            push_escaped(out, s);
            out.push('"');
        }
    }
}

/// Appends the inside of a double-quoted scalar: `\` and `"` escaped, control
/// and non-printable characters as YAML's named escapes or `\xXX`/`\uXXXX`.
fn push_escaped(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let named = match c {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\0' => "\\0",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{b}' => "\\v",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            '\u{1b}' => "\\e",
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            c if needs_escape(c) => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        start = i + c.len_utf8();
        if named.is_empty() {
            let code = c as u32;
            // Writing to a String cannot fail.
            let _ = if code <= 0xff { write!(out, "\\x{code:02X}") } else { write!(out, "\\u{code:04X}") };
        } else {
            out.push_str(named);
        }
    }
    out.push_str(&s[start..]);
}

/// Appends a float as YAML reads it back as the same float: the shortest
/// digits that do (zmij's, as serde-saphyr wrote them: plain notation for
/// decimal exponents −5 to 15, scientific beyond), always with a `.` in the
/// mantissa and a sign in the exponent (`2.0`, `1.0e+20`, `1.5e-7`), or
/// `.nan`, `.inf`, `-.inf`.
pub fn push_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str(".nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { ".inf" } else { "-.inf" });
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let s = buffer.format_finite(f);
    match s.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            out.push_str(mantissa);
            if !mantissa.contains('.') {
                out.push_str(".0");
            }
            out.push('e');
            if !exponent.starts_with(['+', '-']) {
                out.push('+');
            }
            out.push_str(exponent);
        }
        None => {
            out.push_str(s);
            if !s.contains('.') {
                out.push_str(".0");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(s: &str) -> String {
        let mut out = String::new();
        push_str(&mut out, s, value_style(s));
        out
    }

    fn key(s: &str) -> String {
        let mut out = String::new();
        push_str(&mut out, s, key_style(s));
        out
    }

    #[test]
    fn plain_when_nothing_is_read_differently() {
        for s in [
            "api",
            "ghcr.io/acme/api:1.4.2",
            "https://a.b/c?d=e&f=g#h",
            "a#b",
            "a:b",
            "-a",
            "?a",
            "a, b",
            "a]",
            "500m",
            "1Gi",
            "25%",
            "a b",
            "snow\u{2603}man",
            "a\u{a0}",
            "---a",
            "Prune=false,Delete=confirm",
        ] {
            assert_eq!(value(s), s, "{s:?}");
        }
        assert_eq!(key("app.kubernetes.io/name"), "app.kubernetes.io/name");
    }

    #[test]
    fn quoted_when_a_reader_would_differ() {
        let cases = [
            ("", "\"\""),
            ("no", "\"no\""),
            ("1:20", "\"1:20\""),
            ("- a", "\"- a\""),
            ("?", "\"?\""),
            ("a: b", "\"a: b\""),
            ("a:", "\"a:\""),
            ("a:\u{3000}", "\"a:\u{3000}\""),
            ("a #b", "\"a #b\""),
            ("a\u{a0}#b", "\"a\u{a0}#b\""),
            ("#a", "\"#a\""),
            (" a", "\" a\""),
            ("a ", "\"a \""),
            ("---", "\"---\""),
            ("... a", "\"... a\""),
            ("@a", "\"@a\""),
            ("`a", "\"`a\""),
            ("'a'", "\"'a'\""),
            ("\"a\"", "\"\\\"a\\\"\""),
            ("a\\b", "a\\b"),
            (".", "'.'"),
            ("#", "'#'"),
            ("-", "'-'"),
            ("-_", "\"-_\""),
        ];
        for (s, want) in cases {
            assert_eq!(value(s), want, "{s:?}");
        }
    }

    #[test]
    fn escapes() {
        let cases = [
            ("a\nb", "\"a\\nb\""),
            ("\t", "\"\\t\""),
            ("\u{0}\u{7}\u{8}\u{b}\u{c}\r\u{1b}", "\"\\0\\a\\b\\v\\f\\r\\e\""),
            ("\u{1}\u{7f}\u{9f}", "\"\\x01\\x7F\\x9F\""),
            ("a\u{85}b\u{2028}c\u{2029}", "\"a\\Nb\\Lc\\P\""),
            ("\u{feff}a\u{fffe}\u{ffff}", "\"\\uFEFFa\\uFFFE\\uFFFF\""),
            ("é\n\"\\", "\"é\\n\\\"\\\\\""),
        ];
        for (s, want) in cases {
            assert_eq!(value(s), want, "{s:?}");
        }
    }

    #[test]
    fn keys_are_stricter() {
        assert_eq!(key("a:b"), "\"a:b\"");
        assert_eq!(key("a,b"), "\"a,b\"");
        assert_eq!(key("a[0]"), "\"a[0]\"");
        assert_eq!(key("a}"), "\"a}\"");
        assert_eq!(key("."), "\".\"", "no single quotes for keys");
        assert_eq!(key("-"), "\"-\"");
        assert_eq!(key("on"), "\"on\"");
        assert_eq!(key("a b"), "a b");
    }

    #[test]
    fn floats() {
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (2.0, "2.0"),
            (0.5, "0.5"),
            (-0.25, "-0.25"),
            (100.0, "100.0"),
            (123456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (1.5e15, "1500000000000000.0"),
            (1e16, "1.0e+16"),
            (1e20, "1.0e+20"),
            (1.25e300, "1.25e+300"),
            (1e-5, "0.00001"),
            (1.5e-5, "0.000015"),
            (1e-6, "1.0e-6"),
            (1.5e-7, "1.5e-7"),
            (5e-324, "5.0e-324"),
            (1667662480595475.2, "1667662480595475.2"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, ".nan"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
        ];
        for (f, want) in cases {
            let mut out = String::new();
            push_float(&mut out, f);
            assert_eq!(out, want, "{f:?}");
        }
    }
}
