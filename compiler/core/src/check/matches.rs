//! Exhaustiveness of `match`, wherever it is written: a match must decide for
//! every tier, region or stack — or every member of a literal union — that
//! its scrutinee can hold, or have `_`. The domain comes from the scrutinee's
//! declared type when it has one (a parameter `t: Tier`, a field
//! `protocol: Protocol`), from the scrutinee itself (`tier`, `s.region`), and
//! otherwise from the arms: an arm naming a tier makes it a match on tiers,
//! however the value arrives. So adding a tier reports every match that must
//! decide for it.

use sinfra_syntax::Span;
use sinfra_syntax::ast::{Expr, ExprKind, MatchArm, Pattern};

use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::items::ItemId;
use crate::loc::{Diag, Loc};
use crate::platform::PlatformInfo;
use crate::resolve::did_you_mean;
use crate::ty::Ty;

/// What a scrutinee ranges over.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
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
    fn noun(&self) -> &'static str {
        match self {
            Domain::Tier => "tier",
            Domain::Region => "region",
            Domain::Stack => "stack",
            Domain::Literals(_) => "value",
            Domain::Bool => "value",
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
}

/// The domain of a declared type, if it is finite.
pub fn domain_of_type(db: &dyn Db, project: Project, ty: &Ty) -> Option<Domain> {
    match crate::signatures::underlying(db, project, ty, true) {
        Ty::Tier => Some(Domain::Tier),
        Ty::Region => Some(Domain::Region),
        Ty::Stack => Some(Domain::Stack),
        Ty::Bool => Some(Domain::Bool),
        Ty::Lit(s) => Some(Domain::Literals(vec![s])),
        Ty::Union(members) => {
            let mut lits = Vec::new();
            for m in &members {
                match domain_of_type(db, project, m)? {
                    Domain::Literals(l) => lits.extend(l),
                    _ => return None,
                }
            }
            Some(Domain::Literals(lits))
        }
        _ => None,
    }
}

/// What the checker knows about the scrutinee.
pub struct Scrutinee<'e> {
    /// The expression.
    pub expr: &'e Expr,
    /// Its declared type, when it is a name with one.
    pub declared: Option<Domain>,
    /// Whether a bare `tier`/`region`/`stack` here is the current stack's (not shadowed).
    pub context_names: bool,
}

/// The domain the scrutinee's syntax implies: `tier`, `x.tier`, `stack.region`, `stack`.
fn domain_of_syntax(s: &Scrutinee<'_>) -> Option<Domain> {
    let name = match &s.expr.kind {
        ExprKind::Name(n) if s.context_names => n.name.as_str(),
        ExprKind::Field(_, f) if f.name == "tier" || f.name == "region" => f.name.as_str(),
        _ => return None,
    };
    match name {
        "tier" => Some(Domain::Tier),
        "region" => Some(Domain::Region),
        "stack" => Some(Domain::Stack),
        _ => None,
    }
}

/// The text of a scrutinee for messages: `tier`, `s.tier`, or `this`.
fn scrutinee_text(e: &Expr) -> Option<String> {
    // A loop over the chain of fields: `a.b.c…` may be long.
    let mut fields = Vec::new();
    let mut cur = e;
    while let ExprKind::Field(b, f) = &cur.kind {
        fields.push(f.name.as_str());
        cur = b;
    }
    let mut text = match &cur.kind {
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::SelfRef => "self".to_string(),
        _ => return None,
    };
    for f in fields.iter().rev() {
        text.push('.');
        text.push_str(f);
    }
    Some(text)
}

/// The span the E0306 diagnostics of a match point at: `match <scrutinee>`.
pub fn head_span(match_span: Span, scrutinee: &Expr) -> Span {
    Span::new(match_span.start, scrutinee.span.end)
}

/// Checks one `match`; problems are pushed to `diags`.
pub fn check_match(
    info: &PlatformInfo,
    item: ItemId,
    scrutinee: &Scrutinee<'_>,
    arms: &[MatchArm],
    span: Span,
    diags: &mut Vec<Diag>,
) {
    let names: Vec<&sinfra_syntax::ast::Ident> = arms
        .iter()
        .flat_map(|a| &a.patterns)
        .filter_map(|p| if let Pattern::Name(n) = p { Some(n) } else { None })
        .collect();
    let literal_arms = arms
        .iter()
        .flat_map(|a| &a.patterns)
        .any(|p| matches!(p, Pattern::Str(..) | Pattern::Int(..) | Pattern::Bool(..)));
    // `x.tier` is a tier only if the arms do not say otherwise (a record may have a String `tier`).
    let syntactic = domain_of_syntax(scrutinee)
        .filter(|_| !names.is_empty() || !literal_arms || matches!(scrutinee.expr.kind, ExprKind::Name(_)));
    let hint = scrutinee.declared.clone().or(syntactic);
    let by_arms = || {
        let fits = |d: &Domain| {
            let members = d.members(info);
            names.iter().all(|n| members.contains(&n.name))
        };
        [Domain::Tier, Domain::Region, Domain::Stack].into_iter().find(fits).or_else(|| {
            // Some arm is not a declared name: the category most arms belong to, if any.
            let count = |d: &Domain| {
                let members = d.members(info);
                names.iter().filter(|n| members.contains(&n.name)).count()
            };
            let best = [Domain::Tier, Domain::Region, Domain::Stack].into_iter().max_by_key(count)?;
            (count(&best) > 0).then_some(best)
        })
    };
    let domain = match hint {
        Some(d) => d,
        None if !names.is_empty() => match by_arms() {
            Some(d) => d,
            None => {
                // No arm names anything declared: each name is unknown.
                let known: Vec<String> =
                    [Domain::Tier, Domain::Region, Domain::Stack].iter().flat_map(|d| d.members(info)).collect();
                for n in names {
                    let mut d = Diag::new(
                        Code::UnknownName,
                        format!("`{}` is not a declared tier, region or stack", n.name),
                        Loc::new(item, n.span),
                        "a name in a `match` arm is a tier, region or stack",
                    );
                    if let Some(s) = did_you_mean(&n.name, known.iter().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                            format!("replace with `{s}`"),
                            Loc::new(item, n.span),
                            s,
                        );
                    } else {
                        d = d.with_help("to match a string, quote it: `\"…\"`");
                    }
                    diags.push(d);
                }
                return;
            }
        },
        None => return,
    };
    let noun = domain.noun();
    let declared = domain.members(info);
    let loc = |s: Span| Loc::new(item, s);
    let mut covered: Vec<String> = Vec::new();
    let mut wildcard = false;
    for arm in arms {
        for p in &arm.patterns {
            let member = match (p, &domain) {
                (Pattern::Wildcard(_), _) => {
                    wildcard = true;
                    continue;
                }
                (Pattern::Name(n), Domain::Tier | Domain::Region | Domain::Stack) => n.name.clone(),
                (Pattern::Str(s, _), Domain::Literals(_)) => s.clone(),
                (Pattern::Bool(b, _), Domain::Bool) => b.to_string(),
                (other, _) => {
                    let expected = match domain {
                        Domain::Literals(_) => "one of its string values".to_string(),
                        Domain::Bool => "`true` or `false`".to_string(),
                        _ => format!("a {noun} name"),
                    };
                    diags.push(Diag::new(
                        Code::TypeMismatch,
                        format!("this `match` is on a {}; an arm must name {expected}", domain_type_name(&domain)),
                        loc(other.span()),
                        format!("never matches a {}", domain_type_name(&domain)),
                    ));
                    wildcard = true; // one mistake, one report
                    continue;
                }
            };
            if !declared.contains(&member) {
                let mut d = Diag::new(
                    if matches!(domain, Domain::Literals(_)) { Code::TypeMismatch } else { Code::UnknownName },
                    format!("unknown {noun} {}", domain.show(&member)),
                    loc(p.span()),
                    format!("no {noun} of this name"),
                )
                .with_note(format!(
                    "the {noun}s are: {}",
                    declared.iter().map(|m| domain.show(m)).collect::<Vec<_>>().join(", ")
                ));
                if let Some(s) = did_you_mean(&member, declared.iter().map(String::as_str)) {
                    let replacement = match domain {
                        Domain::Literals(_) => format!("\"{s}\""),
                        _ => s.to_string(),
                    };
                    d = d.with_help(format!("did you mean {}?", domain.show(s))).with_fix(
                        format!("replace with `{replacement}`"),
                        loc(p.span()),
                        replacement,
                    );
                }
                diags.push(d);
                wildcard = true; // do not pile a non-exhaustive error on a typo
                continue;
            }
            covered.push(member);
        }
    }
    if wildcard {
        return;
    }
    let missing: Vec<&String> = declared.iter().filter(|d| !covered.contains(d)).collect();
    if missing.is_empty() {
        return;
    }
    let list = missing.iter().map(|m| domain.show(m)).collect::<Vec<_>>().join(", ");
    let subject = match scrutinee_text(scrutinee.expr) {
        Some(t) => format!("`match {t}`"),
        None => "this `match`".to_string(),
    };
    diags.push(
        Diag::new(
            Code::NonExhaustiveMatch,
            format!("{subject} does not decide for {noun} {list}"),
            loc(head_span(span, scrutinee.expr)),
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

fn domain_type_name(d: &Domain) -> &'static str {
    match d {
        Domain::Tier => "`Tier`",
        Domain::Region => "`Region`",
        Domain::Stack => "`Stack`",
        Domain::Literals(_) => "union of string literals",
        Domain::Bool => "`Bool`",
    }
}
