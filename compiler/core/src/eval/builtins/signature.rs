//! The builtin functions: what exists, their typed signatures and docs (read by
//! the static checker and, later, the language server's signature help and
//! completion), and what each may read. A new builtin is a new variant: every
//! `match` on [`Builtin`] is exhaustive, so it cannot be added without a
//! signature, an implementation and a classification of what it reads.

use crate::ty::{Dim, Ty};

/// A builtin function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    /// `image(service)`
    Image,
    /// `secret(name, key)`
    Secret,
    /// `is_secret(v)`
    IsSecret,
    /// `len(x)`
    Len,
    /// `keys(m)`
    Keys,
    /// `values(m)`
    Values,
    /// `contains(x, item)`
    Contains,
    /// `join(list, sep)`
    Join,
    /// `lower(s)`
    Lower,
    /// `upper(s)`
    Upper,
    /// `replace(s, from, to)`
    Replace,
    /// `starts_with(s, prefix)`
    StartsWith,
    /// `ends_with(s, suffix)`
    EndsWith,
    /// `split(s, sep)`
    Split,
    /// `range(n)`
    Range,
    /// `merge(a, b)`
    Merge,
    /// `is_dns_label(s)`
    IsDnsLabel,
    /// `is_dns_subdomain(s)`
    IsDnsSubdomain,
    /// `is_image_ref(s)`
    IsImageRef,
    /// `is_pinned(image)`
    IsPinned,
    /// `to_string(x)`
    ToString,
    /// `millis(q)`
    Millis,
    /// `seconds(d)`
    Seconds,
}

/// A parameter of a builtin.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name, for signature help.
    pub name: &'static str,
    /// What it accepts.
    pub ty: Ty,
    /// Its value when the argument is left out (`None`: required).
    pub default: Option<&'static str>,
}

/// A builtin's signature.
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    /// The parameters, required ones first.
    pub params: Vec<Param>,
    /// The result type.
    pub ret: Ty,
    /// What it does, one sentence.
    pub doc: &'static str,
}

impl Signature {
    /// The number of arguments it takes (min, max).
    pub fn arity(&self) -> (usize, usize) {
        (self.params.iter().filter(|p| p.default.is_none()).count(), self.params.len())
    }
}

/// What a builtin reads besides its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// Nothing: its result is a function of its arguments alone (no file, environment variable,
    /// clock, network or process).
    Nothing,
    /// An input given to the compiler (a salsa input text, read by the CLI's loader inside the
    /// project root), described.
    Input(&'static str),
}

fn p(name: &'static str, ty: Ty) -> Param {
    Param { name, ty, default: None }
}

fn list(t: Ty) -> Ty {
    Ty::List(Box::new(t))
}

fn map(t: Ty) -> Ty {
    Ty::Map(Box::new(t))
}

impl Builtin {
    /// Every builtin, in the order the reference lists them.
    pub const ALL: [Builtin; 23] = [
        Builtin::Image,
        Builtin::Secret,
        Builtin::IsSecret,
        Builtin::Len,
        Builtin::Keys,
        Builtin::Values,
        Builtin::Contains,
        Builtin::Join,
        Builtin::Lower,
        Builtin::Upper,
        Builtin::Replace,
        Builtin::StartsWith,
        Builtin::EndsWith,
        Builtin::Split,
        Builtin::Range,
        Builtin::Merge,
        Builtin::IsDnsLabel,
        Builtin::IsDnsSubdomain,
        Builtin::IsImageRef,
        Builtin::IsPinned,
        Builtin::ToString,
        Builtin::Millis,
        Builtin::Seconds,
    ];

    /// Its name in sinfra.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Image => "image",
            Builtin::Secret => "secret",
            Builtin::IsSecret => "is_secret",
            Builtin::Len => "len",
            Builtin::Keys => "keys",
            Builtin::Values => "values",
            Builtin::Contains => "contains",
            Builtin::Join => "join",
            Builtin::Lower => "lower",
            Builtin::Upper => "upper",
            Builtin::Replace => "replace",
            Builtin::StartsWith => "starts_with",
            Builtin::EndsWith => "ends_with",
            Builtin::Split => "split",
            Builtin::Range => "range",
            Builtin::Merge => "merge",
            Builtin::IsDnsLabel => "is_dns_label",
            Builtin::IsDnsSubdomain => "is_dns_subdomain",
            Builtin::IsImageRef => "is_image_ref",
            Builtin::IsPinned => "is_pinned",
            Builtin::ToString => "to_string",
            Builtin::Millis => "millis",
            Builtin::Seconds => "seconds",
        }
    }

    /// The builtin called `name`.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Its typed signature and doc.
    pub fn signature(self) -> Signature {
        use Builtin::*;
        let text = || Ty::String;
        let collection = || Ty::Union(vec![Ty::String, list(Ty::Any), map(Ty::Any)]);
        let (params, ret, doc) = match self {
            Image => (
                vec![p("service", text())],
                text(),
                "The image pinned for `service` in the versions file, for the current stack's tier.",
            ),
            Secret => (
                vec![p("name", text()), Param { name: "key", ty: text(), default: Some("\"value\"") }],
                Ty::Secret,
                "A reference to key `key` of the Kubernetes Secret `name`; it becomes a `secretKeyRef`.",
            ),
            IsSecret => (vec![p("value", Ty::Any)], Ty::Bool, "Whether `value` is a `Secret` reference."),
            Len => {
                (vec![p("x", collection())], Ty::Int, "The characters of a string, items of a list or keys of a map.")
            }
            Keys => (vec![p("map", map(Ty::Any))], list(text()), "The keys of a map, in order."),
            Values => (vec![p("map", map(Ty::Any))], list(Ty::Any), "The values of a map, in order."),
            Contains => (
                vec![p("x", collection()), p("item", Ty::Any)],
                Ty::Bool,
                "Whether a string contains a substring, a list an item, or a map a key.",
            ),
            Join => {
                (vec![p("list", list(Ty::Any)), p("sep", text())], text(), "The items as text, separated by `sep`.")
            }
            Lower => (vec![p("s", text())], text(), "`s` in lower case."),
            Upper => (vec![p("s", text())], text(), "`s` in upper case."),
            Replace => (
                vec![p("s", text()), p("from", text()), p("to", text())],
                text(),
                "`s` with every `from` replaced by `to`.",
            ),
            StartsWith => (vec![p("s", text()), p("prefix", text())], Ty::Bool, "Whether `s` starts with `prefix`."),
            EndsWith => (vec![p("s", text()), p("suffix", text())], Ty::Bool, "Whether `s` ends with `suffix`."),
            Split => (vec![p("s", text()), p("sep", text())], list(text()), "The parts of `s` between the `sep`s."),
            Range => (vec![p("n", Ty::Int)], list(Ty::Int), "`[0, 1, …, n - 1]`; `n` is at most 100,000."),
            Merge => (
                vec![p("a", Ty::Optional(Box::new(map(Ty::Any)))), p("b", Ty::Optional(Box::new(map(Ty::Any))))],
                map(Ty::Any),
                "The keys of `a` and `b`; `b` wins where both have one.",
            ),
            IsDnsLabel => (vec![p("s", text())], Ty::Bool, "Whether `s` is a DNS-1123 label (Kubernetes names)."),
            IsDnsSubdomain => (vec![p("s", text())], Ty::Bool, "Whether `s` is a DNS-1123 subdomain."),
            IsImageRef => (vec![p("s", text())], Ty::Bool, "Whether `s` is a container image reference."),
            IsPinned => (
                vec![p("image", text())],
                Ty::Bool,
                "Whether an image reference is pinned: a digest, or a tag other than `latest`.",
            ),
            ToString => (vec![p("x", Ty::Any)], text(), "The text of a scalar, as string interpolation writes it."),
            Millis => (
                vec![p("q", Ty::Union(vec![Ty::Quantity(Dim::Any), Ty::Duration]))],
                Ty::Int,
                "A quantity in thousandths (`250m` → 250), or a duration in milliseconds.",
            ),
            Seconds => (vec![p("d", Ty::Duration)], Ty::Int, "A duration in whole seconds."),
        };
        Signature { params, ret, doc }
    }

    /// What it reads besides its arguments.
    pub fn reads(self) -> Reads {
        match self {
            Builtin::Image => Reads::Input(
                "the versions file named by `sinfra.toml` (`versions.toml` by default): the image pinned for the service and the stack's tier",
            ),
            // A reference to a Secret by name and key: its value is never read, by
            // the compiler or anyone else, at compile time.
            Builtin::Secret => Reads::Nothing,
            // Bounded: at most 100,000 items.
            Builtin::Range => Reads::Nothing,
            Builtin::IsSecret
            | Builtin::Len
            | Builtin::Keys
            | Builtin::Values
            | Builtin::Contains
            | Builtin::Join
            | Builtin::Lower
            | Builtin::Upper
            | Builtin::Replace
            | Builtin::StartsWith
            | Builtin::EndsWith
            | Builtin::Split
            | Builtin::Merge
            | Builtin::IsDnsLabel
            | Builtin::IsDnsSubdomain
            | Builtin::IsImageRef
            | Builtin::IsPinned
            | Builtin::ToString
            | Builtin::Millis
            | Builtin::Seconds => Reads::Nothing,
        }
    }
}

impl std::fmt::Display for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for b in Builtin::ALL {
            assert_eq!(Builtin::from_name(b.name()), Some(b));
        }
        let mut names: Vec<&str> = Builtin::ALL.iter().map(|b| b.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Builtin::ALL.len());
    }

    #[test]
    fn the_reference_lists_every_builtin() {
        let reference = include_str!("../../../../../docs/language.md");
        let section = reference.split("## Builtin functions").nth(1).expect("a builtin section");
        let section = section.split("\n## ").next().unwrap_or(section);
        for b in Builtin::ALL {
            assert!(section.contains(&format!("`{}(", b.name())), "docs/language.md does not list `{}`", b.name());
        }
    }

    #[test]
    fn arities() {
        assert_eq!(Builtin::Secret.signature().arity(), (1, 2));
        assert_eq!(Builtin::Replace.signature().arity(), (3, 3));
        assert_eq!(Builtin::Len.signature().arity(), (1, 1));
    }
}
