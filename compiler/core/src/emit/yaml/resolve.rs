//! What YAML readers make of a plain (unquoted) scalar: the spellings that a
//! YAML 1.1 reader (PyYAML, ruamel.yaml 1.1, Kubernetes' go-yaml v2 lineage)
//! or a YAML 1.2 reader (the core schema, ruamel.yaml, go-yaml v3) resolves to
//! null, a boolean, a number, a timestamp, or the `=` and `<<` keys. A string
//! spelled like one of them must be quoted to stay a string.
//!
//! The rules are serde-saphyr's (the emitter this one replaced, so that the
//! output stays byte-for-byte the same), which are wider than any one reader's
//! (Go's number syntax, single-digit timestamp fields, `nan` without a dot),
//! plus one spelling it let through: a sign followed by underscores only
//! (`-_`), which ruamel.yaml reads as an integer and then fails to construct.
//! YAML 1.2's core schema spellings are a subset of these, so one predicate
//! serves both versions.

/// Whether a reader would resolve the plain scalar `s` to something other
/// than a string.
pub fn is_implicit(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        None => true,
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'_') => {
            is_number(s) || is_timestamp(s) || is_signed_underscores(b) || is_reserved_word(s)
        }
        Some(_) => is_reserved_word(s),
    }
}

/// Null, booleans, `nan`/`inf` spellings, `=` and `<<`, in any letter case:
/// `y|Y|yes|Yes|YES|n|N|no|on|off|true|false|null|~|…` and YAML 1.1's value and merge keys.
fn is_reserved_word(s: &str) -> bool {
    const WORDS: &[&str] =
        &["~", "=", "<<", "y", "n", "no", "on", "off", "yes", "true", "false", "null", "nan", "inf", "+inf", "-inf"];
    s.len() <= 5 && WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// `-_`, `+__`: ruamel.yaml's integer pattern `[-+]?[0-9_]+` takes them.
fn is_signed_underscores(b: &[u8]) -> bool {
    matches!(b, [b'+' | b'-', rest @ ..] if !rest.is_empty() && rest.iter().all(|&c| c == b'_'))
}

fn strip_sign(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

/// Integers in every base and floats, as YAML 1.1 (underscores anywhere,
/// sexagesimal `1:20`, `1.2.3`), YAML 1.2 (`0o17`) and Go's parser (`0b-1`,
/// `1_0e1_0`) read them; `.inf` and `.nan` in any case.
fn is_number(s: &str) -> bool {
    let unsigned = strip_sign(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if is_sexagesimal(unsigned) {
        return true;
    }
    // YAML 1.1's radix forms take `[digits_]+`, an all-underscore tail included.
    if let Some((radix, digits)) = radix_digits(unsigned)
        && is_digit_run(digits, radix, false)
    {
        return true;
    }
    // Go's reader drops every underscore before parsing a number.
    let without;
    let s = if s.contains('_') {
        without = s.replace('_', "");
        without.as_str()
    } else {
        s
    };
    let unsigned = strip_sign(s);
    if let Some((radix, digits)) = radix_digits(unsigned) {
        // Go's binary and octal fallbacks take a sign after a lowercase unsigned prefix: `0b-1`.
        let digits = if s.starts_with("0b") || s.starts_with("0o") { strip_sign(digits) } else { digits };
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            if !is_digit_run(strip_sign(exponent), 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        // YAML 1.1's float: an optional integer part, then `[0-9.]*`.
        Some((whole, fraction)) => {
            (whole.is_empty() || is_digit_run(whole, 10, true))
                && fraction.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

/// `0b…`, `0o…`, `0x…` (either case): the radix and the digits after the prefix.
fn radix_digits(s: &str) -> Option<(u32, &str)> {
    match s.as_bytes() {
        [b'0', b'b' | b'B', ..] => Some((2, &s[2..])),
        [b'0', b'o' | b'O', ..] => Some((8, &s[2..])),
        [b'0', b'x' | b'X', ..] => Some((16, &s[2..])),
        _ => None,
    }
}

/// A non-empty run of digits of `radix`; underscores anywhere, or (`strict`)
/// only between two digits.
fn is_digit_run(s: &str, radix: u32, strict: bool) -> bool {
    let b = s.as_bytes();
    let digit = |c: u8| char::from(c).is_digit(radix);
    !b.is_empty()
        && b.iter().enumerate().all(|(i, &c)| {
            digit(c)
                || (c == b'_' && (!strict || (i > 0 && digit(b[i - 1]) && b.get(i + 1).is_some_and(|&n| digit(n)))))
        })
}

/// YAML 1.1's base-60 numbers (`1:20`, `190:20:30.15`), `unsigned` without its sign.
fn is_sexagesimal(unsigned: &str) -> bool {
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let Some((first, rest)) = integer.split_once(':') else { return false };
    let Some(&lead) = first.as_bytes().first() else { return false };
    lead.is_ascii_digit()
        && (fraction.is_some() || lead != b'0')
        && first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && rest.split(':').all(|part| match part.as_bytes() {
            [d] => d.is_ascii_digit(),
            [t, d] => matches!(t, b'0'..=b'5') && d.is_ascii_digit(),
            _ => false,
        })
        && fraction.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// YAML 1.1 timestamps (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`), with
/// Go's single-digit fields and comma before the fraction; the calendar is not
/// checked (a reader tags `2001-13-45` a timestamp, then fails on it).
fn is_timestamp(s: &str) -> bool {
    let mut rest = s.as_bytes();
    let digits = |rest: &mut &[u8], min: usize, max: usize| {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        *rest = &rest[n..];
        (min..=max).contains(&n)
    };
    let byte = |rest: &mut &[u8], want: &[u8]| match rest.first() {
        Some(b) if want.contains(b) => {
            *rest = &rest[1..];
            true
        }
        _ => false,
    };
    let blanks = |rest: &mut &[u8]| {
        let n = rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        *rest = &rest[n..];
        n
    };
    if !(digits(&mut rest, 4, 4)
        && byte(&mut rest, b"-")
        && digits(&mut rest, 1, 2)
        && byte(&mut rest, b"-")
        && digits(&mut rest, 1, 2))
    {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    if !byte(&mut rest, b"Tt") && blanks(&mut rest) == 0 {
        return false;
    }
    if !(digits(&mut rest, 1, 2)
        && byte(&mut rest, b":")
        && digits(&mut rest, 1, 2)
        && byte(&mut rest, b":")
        && digits(&mut rest, 1, 2))
    {
        return false;
    }
    if byte(&mut rest, b".,") {
        digits(&mut rest, 0, usize::MAX);
    }
    blanks(&mut rest);
    if rest.is_empty() || rest == b"Z" {
        return true;
    }
    byte(&mut rest, b"+-")
        && digits(&mut rest, 1, 2)
        && (!byte(&mut rest, b":") || digits(&mut rest, 2, 2))
        && rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_in_any_case() {
        for w in ["y", "Y", "yes", "yEs", "YES", "n", "N", "no", "NO", "on", "On", "off", "OFF", "true", "tRUE"] {
            assert!(is_implicit(w), "{w}");
        }
        for w in ["false", "False", "null", "NULL", "nUll", "~", "=", "<<", "", "nan", "NaN", "inf", "-Inf", "+inf"] {
            assert!(is_implicit(w), "{w}");
        }
        for w in ["yess", "o", "nope", "offf", "truth", "nil", "none", "<", "<<<", "==", "~~", "infinity", "api"] {
            assert!(!is_implicit(w), "{w}");
        }
    }

    #[test]
    fn numbers_of_yaml_11_12_and_go() {
        let numbers = [
            "0",
            "-1",
            "+1",
            "012",
            "08",
            "1_000",
            "1__0",
            "_1",
            "1_",
            "0x1F",
            "0X1f",
            "-0x1",
            "0o17",
            "0O7",
            "0b101",
            "0b-1",
            "0o+7",
            "0x_",
            "0b_",
            "1e3",
            "1E3",
            "-1.5e-3",
            "1e+3",
            "1_0e1_0",
            ".5",
            "1.",
            "-.5",
            "._",
            "1.2.3",
            "1._",
            ".",
            "+.",
            "1:20",
            "-1:20",
            "190:20:30",
            "190:20:30.15",
            "0:1.5",
            "1_:20",
            ".inf",
            "-.Inf",
            "+.INF",
            ".nan",
            ".NaN",
            "-_",
            "+__",
        ];
        for n in numbers {
            assert!(is_implicit(n), "{n}");
        }
        let strings = [
            "_",
            "__",
            "1a",
            "0x",
            "0xg",
            "0b2",
            "0o8",
            "1e",
            "1e+",
            "e3",
            "1.5e",
            "500m",
            "1Gi",
            "30s",
            "25%",
            "1.0.0-rc1",
            "0:20",
            "1:60",
            "1:2:3:",
            "1::2",
            "+",
            "-",
            "-a",
            ".a",
            "1-2",
            "v1.2",
            "12h",
            "0.5x",
            "1_e",
            "-.inf.x",
        ];
        for s in strings {
            assert!(!is_implicit(s), "{s}");
        }
    }

    #[test]
    fn timestamps() {
        for t in [
            "2001-12-14",
            "2001-1-4",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2002-12-14T21:59:43Z",
            "2001-12-14\t1:2:3",
            "2001-12-14T21:59:43,5",
            "2001-13-45",
        ] {
            assert!(is_implicit(t), "{t}");
        }
        for s in ["2001-12-14x", "2001-12", "20011-12-14", "2001-12-14T21:59", "2001-12-14T21:59:43+5:0", "2001-12-14 "]
        {
            assert!(!is_timestamp(s), "{s}");
        }
    }
}
