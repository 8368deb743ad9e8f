//! Exhaustiveness of `match`, wherever it is written: a match must decide for
//! every tier, region or stack — or every member of a literal union, or both
//! `Bool`s — that its scrutinee can hold, or have `_`. The domain is the
//! scrutinee's static type ([`STy`]: a parameter `t: Tier`, a field
//! `protocol: Protocol`, the context name `tier`, `stack.region`); when the
//! type is unknown, the arms decide: an arm naming a tier makes it a match on
//! tiers, however the value arrives. So adding a tier reports every match
//! that must decide for it, including the arms no stack takes.

use super::anchor::{Anchor, AnchoredDiag};
use super::types::STy;
use crate::diagnostics::Code;
use crate::hir::{Body, Expr, ExprId, MatchArm, Pat, PatId};
use crate::platform::PlatformInfo;
use crate::resolve::did_you_mean;

/// What a scrutinee ranges over.
#[derive(Clone, Debug, PartialEq)]
enum Domain {
    /// The declared tiers.
    Tier,
    /// The declared regions.
    Region,
    /// The declared stacks.
    Stack,
    /// The members of a literal union (`"TCP" | "UDP"`).
    Literals(Vec<String>),
    /// `true` and `false`.
    Bool,
}

impl Domain {
    fn of_type(ty: &STy) -> Option<Domain> {
        match ty {
            STy::Tier => Some(Domain::Tier),
            STy::Region => Some(Domain::Region),
            STy::Stack => Some(Domain::Stack),
            STy::Bool | STy::OptionalBool => Some(Domain::Bool),
            STy::Literals(l) => Some(Domain::Literals(l.iter().map(|s| s.to_string()).collect())),
            _ => None,
        }
    }

    fn noun(&self) -> &'static str {
        match self {
            Domain::Tier => "tier",
            Domain::Region => "region",
            Domain::Stack => "stack",
            Domain::Literals(_) | Domain::Bool => "value",
        }
    }

    fn members(&self, info: &PlatformInfo) -> Vec<String> {
        match self {
            Domain::Tier => info.tiers.iter().map(|t| t.name.clone()).collect(),
            Domain::Region => info.regions.iter().map(|r| r.name.clone()).collect(),
            Domain::Stack => info.stacks.iter().map(|s| s.name.clone()).collect(),
            Domain::Literals(l) => l.clone(),
            Domain::Bool => vec!["true".into(), "false".into()],
        }
    }

    /// How a member is written in a message.
    fn show(&self, m: &str) -> String {
        match self {
            Domain::Literals(_) => format!("`\"{m}\"`"),
            _ => format!("`{m}`"),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Domain::Tier => "`Tier`",
            Domain::Region => "`Region`",
            Domain::Stack => "`Stack`",
            Domain::Literals(_) => "union of string literals",
            Domain::Bool => "`Bool`",
        }
    }
}

/// The text of a scrutinee for messages: `tier`, `s.tier`, `self.protocol`.
fn scrutinee_text(body: &Body, e: ExprId) -> Option<String> {
    let mut fields = Vec::new();
    let mut cur = e;
    while let Expr::Field(b, f) = body.expr(cur) {
        fields.push(f.as_str());
        cur = *b;
    }
    let mut text = match body.expr(cur) {
        Expr::Name(n) => n.as_str().to_string(),
        Expr::Local(b) => body.binding(*b)?.name.as_str().to_string(),
        Expr::SelfRef => "self".to_string(),
        _ => return None,
    };
    for f in fields.iter().rev() {
        text.push('.');
        text.push_str(f);
    }
    Some(text)
}

/// One `match` to check: the expression, its scrutinee and its scrutinee's type.
pub struct MatchSite<'a> {
    /// The `match` expression.
    pub whole: ExprId,
    /// Its scrutinee.
    pub scrutinee: ExprId,
    /// The scrutinee's static type.
    pub ty: &'a STy,
    /// Its arms.
    pub arms: &'a [MatchArm],
}

/// The arms of one `match`, by kind.
struct Arms<'a> {
    pats: Vec<(PatId, &'a Pat)>,
    names: Vec<(PatId, &'a str)>,
}

impl<'a> Arms<'a> {
    fn of(body: &'a Body, site: &MatchSite<'_>) -> Self {
        let pats: Vec<(PatId, &Pat)> =
            site.arms.iter().flat_map(|a| a.pats.iter()).filter_map(|&p| Some((p, body.pat(p)?))).collect();
        let names = pats
            .iter()
            .filter_map(|(id, p)| if let Pat::Name(n) = p { Some((*id, n.as_str())) } else { None })
            .collect();
        Arms { pats, names }
    }

    /// The domain the arms name, when the scrutinee's type does not say.
    fn domain(&self, info: &PlatformInfo) -> Option<Domain> {
        let count = |d: &Domain| {
            let members = d.members(info);
            self.names.iter().filter(|(_, n)| members.iter().any(|m| m == n)).count()
        };
        let categories = [Domain::Tier, Domain::Region, Domain::Stack];
        categories.clone().into_iter().find(|d| count(d) == self.names.len()).or_else(|| {
            // Some arm is not a declared name: the category most arms belong to, if any.
            let best = categories.into_iter().max_by_key(count)?;
            (count(&best) > 0).then_some(best)
        })
    }
}

/// The arms a `match` lacks, written as patterns (`prod`, `"UDP"`, `false`),
/// in declaration order; `None` when it has `_`, its domain is unknown, or an
/// arm is already wrong (the editor's "add the missing arms").
pub fn uncovered_arms(info: &PlatformInfo, body: &Body, site: &MatchSite<'_>) -> Option<Vec<String>> {
    let arms = Arms::of(body, site);
    let domain = match Domain::of_type(site.ty) {
        Some(d) => d,
        None if !arms.names.is_empty() => arms.domain(info)?,
        None => return None,
    };
    let declared = domain.members(info);
    let mut covered = Vec::new();
    for (_, p) in &arms.pats {
        let member = match (p, &domain) {
            (Pat::Name(n), Domain::Tier | Domain::Region | Domain::Stack) => n.as_str().to_string(),
            (Pat::Str(s), Domain::Literals(_)) => s.to_string(),
            (Pat::Bool(b), Domain::Bool) => b.to_string(),
            _ => return None,
        };
        if !declared.contains(&member) {
            return None;
        }
        covered.push(member);
    }
    let pattern = |m: &String| match domain {
        Domain::Literals(_) => sinfra_syntax::lexer::quote(m),
        _ => m.clone(),
    };
    Some(declared.iter().filter(|m| !covered.contains(m)).map(pattern).collect())
}

/// Checks one `match`; problems are pushed to `diags`.
pub fn check_match(info: &PlatformInfo, body: &Body, site: &MatchSite<'_>, diags: &mut Vec<AnchoredDiag>) {
    let arms = Arms::of(body, site);
    let (pats, names) = (&arms.pats, &arms.names);
    let domain = match Domain::of_type(site.ty) {
        Some(d) => d,
        None if !names.is_empty() => match arms.domain(info) {
            Some(d) => d,
            None => {
                unknown_arm_names(info, names, diags);
                return;
            }
        },
        None => return,
    };
    let noun = domain.noun();
    let declared = domain.members(info);
    let mut covered: Vec<String> = Vec::new();
    let mut wildcard = false;
    for &(id, p) in pats {
        let member = match (p, &domain) {
            (Pat::Wildcard, _) => {
                wildcard = true;
                continue;
            }
            (Pat::Name(n), Domain::Tier | Domain::Region | Domain::Stack) => n.as_str().to_string(),
            (Pat::Str(s), Domain::Literals(_)) => s.to_string(),
            (Pat::Bool(b), Domain::Bool) => b.to_string(),
            _ => {
                let expected = match domain {
                    Domain::Literals(_) => "one of its string values".to_string(),
                    Domain::Bool => "`true` or `false`".to_string(),
                    _ => format!("a {noun} name"),
                };
                diags.push(AnchoredDiag::new(
                    Code::TypeMismatch,
                    format!("this `match` is on a {}; an arm must name {expected}", domain.type_name()),
                    Anchor::Pat(id),
                    format!("never matches a {}", domain.type_name()),
                ));
                wildcard = true; // one mistake, one report
                continue;
            }
        };
        if !declared.contains(&member) {
            let mut d = AnchoredDiag::new(
                if matches!(domain, Domain::Literals(_)) { Code::TypeMismatch } else { Code::UnknownName },
                format!("unknown {noun} {}", domain.show(&member)),
                Anchor::Pat(id),
                format!("no {noun} of this name"),
            )
            .with_note(format!(
                "the {noun}s are: {}",
                declared.iter().map(|m| domain.show(m)).collect::<Vec<_>>().join(", ")
            ));
            if let Some(s) = did_you_mean(&member, declared.iter().map(String::as_str)) {
                let replacement = match domain {
                    Domain::Literals(_) => sinfra_syntax::lexer::quote(s),
                    _ => s.to_string(),
                };
                d = d.with_help(format!("did you mean {}?", domain.show(s))).with_fix(
                    format!("replace with `{replacement}`"),
                    Anchor::Pat(id),
                    replacement,
                );
            }
            diags.push(d);
            wildcard = true; // do not pile a non-exhaustive error on a typo
            continue;
        }
        covered.push(member);
    }
    if wildcard {
        return;
    }
    let missing: Vec<&String> = declared.iter().filter(|d| !covered.contains(d)).collect();
    if missing.is_empty() {
        return;
    }
    let list = missing.iter().map(|m| domain.show(m)).collect::<Vec<_>>().join(", ");
    let subject = match scrutinee_text(body, site.scrutinee) {
        Some(t) => format!("`match {t}`"),
        None => "this `match`".to_string(),
    };
    diags.push(
        AnchoredDiag::new(
            Code::NonExhaustiveMatch,
            format!("{subject} does not decide for {noun} {list}"),
            Anchor::MatchHead { whole: site.whole, scrutinee: site.scrutinee },
            format!("{list} not covered"),
        )
        .with_help(format!("add an arm for {list}, or `_ => …` for every other {noun}"))
        .with_note(match domain {
            Domain::Literals(_) | Domain::Bool => {
                format!("its type allows: {}", declared.iter().map(|m| domain.show(m)).collect::<Vec<_>>().join(", "))
            }
            _ => format!("the project declares {noun}s: {}", declared.join(", ")),
        }),
    );
}

/// No arm names anything declared: each name is unknown.
fn unknown_arm_names(info: &PlatformInfo, names: &[(PatId, &str)], diags: &mut Vec<AnchoredDiag>) {
    let known: Vec<String> =
        [Domain::Tier, Domain::Region, Domain::Stack].iter().flat_map(|d| d.members(info)).collect();
    for &(id, n) in names {
        let mut d = AnchoredDiag::new(
            Code::UnknownName,
            format!("`{n}` is not a declared tier, region or stack"),
            Anchor::Pat(id),
            "a name in a `match` arm is a tier, region or stack",
        );
        if let Some(s) = did_you_mean(n, known.iter().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), Anchor::Pat(id), s);
        } else {
            d = d.with_help("to match a string, quote it: `\"…\"`");
        }
        diags.push(d);
    }
}
