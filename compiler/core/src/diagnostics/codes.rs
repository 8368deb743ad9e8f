//! Every diagnostic code, its default severity, its title and its explanation.
//!
//! Codes are stable: a code is never reused for another meaning. Each has a
//! Markdown page in `explain/`, served by `sinfrac explain CODE`.

use serde::Serialize;

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $code:literal, $sev:ident, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written, e.g. `E0301`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// The severity it is reported with unless configured otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev),* }
            }

            /// A short title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title),* }
            }

            /// The Markdown explanation.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => include_str!(concat!("explain/", $code, ".md"))),* }
            }

            /// Parses `E0301` (case-insensitive; `301` and `E301` also work).
            pub fn parse(text: &str) -> Option<Code> {
                let digits = text.trim().trim_start_matches(['E', 'e']);
                let n: u32 = digits.parse().ok()?;
                let canonical = format!("E{n:04}");
                Code::ALL.iter().copied().find(|c| c.as_str() == canonical)
            }
        }
    };
}

codes! {
    SyntaxError = "E0001", Error, "syntax error";
    InvalidToken = "E0002", Error, "invalid token";
    NestingTooDeep = "E0003", Error, "nesting too deep";
    InvalidEncoding = "E0004", Error, "file is not valid UTF-8";
    UnknownName = "E0101", Error, "unknown name";
    DuplicateDefinition = "E0102", Error, "duplicate definition";
    UnknownModule = "E0103", Error, "unknown module";
    UnknownField = "E0104", Error, "unknown field";
    MissingField = "E0105", Error, "missing required field";
    MisplacedItem = "E0106", Error, "item or member not allowed here";
    TypeMismatch = "E0201", Error, "type mismatch";
    RefinementFailed = "E0202", Error, "value out of range for its type";
    InvalidUnit = "E0203", Error, "invalid unit literal";
    WrongArgumentCount = "E0204", Error, "wrong number of arguments";
    CheckFailed = "E0205", Error, "schema check failed";
    EvaluationError = "E0206", Error, "evaluation error";
    TierMismatch = "E0301", Error, "value from another tier";
    CrossRegion = "E0302", Warning, "value from another region of the same tier";
    SecretLeak = "E0303", Error, "secret flows into plain output";
    ForeignAddress = "E0304", Error, "address of another tier's resource";
    MissingDependency = "E0305", Error, "resource missing in a stack";
    NonExhaustiveMatch = "E0306", Error, "match does not decide for every value";
    PolicyViolation = "E0307", Error, "policy violated";
    Cycle = "E0308", Error, "cycle between definitions";
    InvalidPlatform = "E0309", Error, "invalid platform declaration";
    VersionMissing = "E0401", Error, "image version missing or malformed";
    InvalidOutputName = "E0402", Error, "name not usable in output";
    InvalidManifest = "E0403", Error, "invalid project manifest";
    OutsideProject = "E0404", Error, "file outside the project";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The explanation page of a code given as text (`E0301`, `e301`, `301`).
pub fn explain(code: &str) -> Option<(Code, &'static str)> {
    Code::parse(code).map(|c| (c, c.explanation()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_and_has_a_page() {
        for &c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            let page = c.explanation();
            assert!(page.starts_with(&format!("# {}", c.as_str())), "{} page must start with its code", c.as_str());
            assert!(page.contains("```sinfra"), "{} page needs an example", c.as_str());
        }
        assert_eq!(Code::parse("e301"), Some(Code::TierMismatch));
        assert_eq!(Code::parse("E9999"), None);
    }
}
