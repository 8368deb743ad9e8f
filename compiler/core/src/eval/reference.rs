//! Names: locals, fields, context names (`tier`, `stack`…), items, and the
//! instance of a resource in a stack (`cache`, `cache@latest`), labelled with its tier.

use std::sync::Arc;

use super::ctx::{Ctx, Env};
use super::instance::Instance;
use super::value::{Fields, Label, Labels, Record, V, Value};
use super::{instance_value, let_value, platform_value};
use crate::diagnostics::Code;
use crate::hir::resolve::{ContextName, Res};
use crate::hir::{Expr, ExprId, Name, item_source_map};
use crate::items::{ItemId, ItemTag};
use crate::loc::{Diag, Loc};
use crate::resolve::did_you_mean;

impl Ctx<'_> {
    /// A name, as [`resolve_item`](crate::hir::resolve::resolve_item) resolved it.
    pub(super) fn eval_name(&mut self, id: ExprId, name: Name, env: &Env, at: Loc) -> Value {
        match env.code.res.get(id).clone() {
            Res::Field(n) => match &env.instance {
                Some(inst) => match Instance::lookup(inst, n, self, at) {
                    Some(v) => v,
                    None => self.unknown_name(n, env, at),
                },
                None => self.unknown_name(n, env, at),
            },
            Res::Dynamic(n) => {
                if let Some(inst) = &env.instance
                    && let Some(v) = Instance::lookup(inst, n, self, at)
                {
                    return v;
                }
                match ContextName::from_name(n.as_str()) {
                    Some(c) => self.eval_context(c, n, env, at),
                    None => {
                        let scope = self.scope(env.item);
                        let res = crate::hir::resolve::global(&scope, n);
                        self.eval_global(res, n, env, at)
                    }
                }
            }
            Res::Context(c) => self.eval_context(c, name, env, at),
            other => self.eval_global(other, name, env, at),
        }
    }

    fn eval_global(&mut self, res: Res, name: Name, env: &Env, at: Loc) -> Value {
        match res {
            Res::Item(item) => self.item_value(item, at),
            Res::Module(m) => Value::new(V::Module(m.as_str().into()), Some(at)),
            Res::Builtin(b) => Value::new(V::Builtin(b), Some(at)),
            _ => self.unknown_name(name, env, at),
        }
    }

    fn eval_context(&mut self, c: ContextName, name: Name, env: &Env, at: Loc) -> Value {
        let db = self.db;
        match c {
            ContextName::Tier => match self.stack {
                Some(s) => Value::new(V::Tier(self.platform.stacks[s].tier), Some(at)),
                None => self.no_stack(name.as_str(), at),
            },
            ContextName::Region => match self.stack {
                Some(s) => Value::new(V::Region(self.platform.stacks[s].region), Some(at)),
                None => self.no_stack(name.as_str(), at),
            },
            ContextName::Stack => match self.stack {
                Some(s) => Value::new(V::Stack(s), Some(at)),
                None => self.no_stack(name.as_str(), at),
            },
            ContextName::Name | ContextName::Protected if self.name.is_none() => {
                // Outside an instance these are ordinary names.
                let scope = self.scope(env.item);
                let res = crate::hir::resolve::global(&scope, name);
                self.eval_global(res, name, env, at)
            }
            ContextName::Name => Value::str(self.name.clone().unwrap_or_default(), Some(at)),
            ContextName::Protected => Value::new(V::Bool(self.protected), Some(at)),
            ContextName::Project => {
                let mut fields = Fields::default();
                fields.insert("name".to_string(), Value::str(self.platform.manifest.name.as_str(), Some(at)));
                Value::new(V::Record(Arc::new(Record::plain(fields))), Some(at))
            }
            ContextName::Platform => {
                let stack = self.stack.map(|s| self.platform.stacks[s].item);
                if let Some(p) = self.platform.platform
                    && self.closes_cycle((p, stack), at)
                {
                    return Value::error();
                }
                platform_value(db, self.project, stack).value.clone()
            }
        }
    }

    /// E0101. The static check reports this with the same code and location (one root
    /// cause); it cannot where the fields in scope are only known per instance (policies).
    fn unknown_name(&mut self, name: Name, env: &Env, at: Loc) -> Value {
        let scope = self.scope(env.item);
        let mut candidates = scope.candidates();
        if let Some(inst) = &env.instance {
            candidates.extend(Instance::names(inst));
        }
        let name = name.as_str();
        let mut d = Diag::new(Code::UnknownName, format!("unknown name `{name}`"), at, "not found in this scope");
        if let Some(s) = did_you_mean(name, candidates.iter().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), at, s);
        }
        self.report(d);
        Value::error()
    }

    pub(super) fn no_stack(&mut self, name: &str, at: Loc) -> Value {
        self.error(
            Code::EvaluationError,
            format!("`{name}` is not available here: this is evaluated outside any stack"),
            at,
            "no stack here",
        )
        .labelled(&Labels::default())
    }

    /// The value a global item denotes at `at`.
    pub fn item_value(&mut self, item: ItemId, at: Loc) -> Value {
        let db = self.db;
        match item.tag(db) {
            ItemTag::Fn => Value::new(V::Func(item), Some(at)),
            ItemTag::Let => {
                let stack = self.stack.map(|s| self.platform.stacks[s].item);
                if self.closes_cycle((item, stack), at) {
                    return Value::error();
                }
                // A `let` is judged where it is used: its problems in this stack are
                // reported for the user (copies from several users merge into one).
                let evaluated = let_value(db, self.project, item, stack);
                for d in &evaluated.diags {
                    self.report(d.clone());
                }
                evaluated.value.clone()
            }
            ItemTag::Resource | ItemTag::Service => self.instance_in(item, self.stack, at, None),
            other => self.error(
                Code::TypeMismatch,
                format!("`{}` is a {}, not a value", item.name(db), other.describe()),
                at,
                "used as a value",
            ),
        }
    }

    /// The instance of a resource or service in stack `stack`, labelled with its tier.
    pub(super) fn instance_in(&mut self, item: ItemId, stack: Option<usize>, at: Loc, via: Option<&str>) -> Value {
        let db = self.db;
        let placement = crate::platform::placement(db, self.project, item);
        let target = match &placement.stacks {
            None => None, // shared
            Some(stacks) => {
                let Some(s) = stack else {
                    return self.error(
                        Code::EvaluationError,
                        format!("`{}` exists per stack; it cannot be used outside a stack", item.name(db)),
                        at,
                        "used outside any stack",
                    );
                };
                if !stacks.contains(&s) {
                    let missing_from = self.missing_stacks(stacks);
                    let st = &self.platform.stacks[s];
                    let mut d = Diag::new(
                        Code::MissingDependency,
                        format!(
                            "`{}` has no instance in stack `{}` (tier {})",
                            item.name(db),
                            st.name,
                            self.platform.tiers[st.tier].name
                        ),
                        at,
                        format!("`{}` does not exist in `{}`", item.name(db), st.name),
                    )
                    .with_label(Loc::new(item, item_source_map(db, item).name), "declared here")
                    .with_note(format!(
                        "`{}` exists in: {}",
                        item.name(db),
                        self.platform.stack_names(stacks)
                    ));
                    if let Some(missing) = missing_from {
                        d = d.with_note(format!("the stacks that lack it and use it: {missing}"));
                    }
                    if via.is_none() {
                        d = d.with_help(format!(
                            "deploy the user only where `{}` exists (a selector such as `@{}`), or declare `{}` for every stack",
                            item.name(db),
                            stacks.first().map(|&s| self.platform.tiers[self.platform.stacks[s].tier].name.as_str()).unwrap_or("prod"),
                            item.name(db)
                        ));
                    }
                    self.report(d);
                    return Value::error();
                }
                Some(s)
            }
        };
        let stack_item = target.map(|s| self.platform.stacks[s].item);
        if self.closes_cycle((item, stack_item), at) {
            return Value::error();
        }
        let r = instance_value(db, self.project, item, stack_item);
        let mut v = r.value.clone();
        if item.tag(db) == ItemTag::Resource && !v.is_error() {
            let label = Label::Instance {
                tier: target.map(|s| self.platform.stacks[s].tier),
                stack: target,
                resource: item,
                origin: at,
                source: at,
                via: self.call_sites.first().copied(),
            };
            v = v.labelled(&Labels::one(label));
        }
        if !(self.keep_origins && v.origin.is_some()) {
            v.origin = Some(at);
        }
        v
    }

    /// The stacks where the current instance is deployed but `stacks` are not (for E0305 notes).
    pub(super) fn missing_stacks(&self, stacks: &[usize]) -> Option<String> {
        let item = self.instance_item?;
        let own = crate::platform::placement(self.db, self.project, item);
        let own = own.stacks.as_ref()?;
        let missing: Vec<usize> = own.iter().copied().filter(|s| !stacks.contains(s)).collect();
        (!missing.is_empty()).then(|| self.platform.stack_names(&missing))
    }

    pub(super) fn eval_at(&mut self, base: ExprId, sel: &str, env: &Env, at: Loc, sel_at: Loc) -> Value {
        let db = self.db;
        let item = match env.code.expr(base) {
            Expr::Name(_) => match env.code.res.get(base) {
                Res::Item(i) => Some(*i),
                _ => None,
            },
            Expr::Field(m, member) => match (env.code.expr(*m), env.code.res.get(*m)) {
                (Expr::Name(_), Res::Module(module)) => self.index.member(module.as_str(), member.as_str()),
                _ => None,
            },
            _ => None,
        };
        let Some(item) = item.filter(|i| i.tag(db) == ItemTag::Resource) else {
            return self.error(
                Code::TypeMismatch,
                "`@` selects the instance of a resource in a tier or stack",
                env.loc(base),
                "not a resource",
            );
        };
        let target = if let Some(t) = self.platform.tier_index(sel) {
            let candidates: Vec<usize> =
                self.platform.stacks.iter().enumerate().filter(|(_, s)| s.tier == t).map(|(i, _)| i).collect();
            let same_region = self.stack.and_then(|cur| {
                candidates.iter().copied().find(|&c| self.platform.stacks[c].region == self.platform.stacks[cur].region)
            });
            match (same_region, candidates.as_slice()) {
                (Some(s), _) => s,
                (None, [only]) => *only,
                (None, []) => {
                    return self.error(
                        Code::MissingDependency,
                        format!("tier `{sel}` has no stack"),
                        sel_at,
                        "no stack in this tier",
                    );
                }
                (None, many) => {
                    let names = self.platform.stack_names(many);
                    let first = &self.platform.stacks[many[0]].name;
                    let d = Diag::new(
                        Code::EvaluationError,
                        match self.stack {
                            Some(s) => format!(
                                "`@{sel}` is ambiguous: tier `{sel}` has stacks {names}, none in region `{}` of stack `{}`",
                                self.platform.regions[self.platform.stacks[s].region].name,
                                self.platform.stacks[s].name
                            ),
                            None => format!(
                                "`@{sel}` is ambiguous: tier `{sel}` has stacks {names}, and this is evaluated outside any stack"
                            ),
                        },
                        sel_at,
                        format!("which stack of tier `{sel}`?"),
                    )
                    .with_note(format!("the candidates: {names}"))
                    .with_help(format!("name the stack: `@{first}` (or another of {names})"));
                    self.report(d);
                    return Value::error();
                }
            }
        } else if let Some(s) = self.platform.stack_by_name(sel) {
            s
        } else {
            let candidates: Vec<&str> = self
                .platform
                .tiers
                .iter()
                .map(|t| t.name.as_str())
                .chain(self.platform.stacks.iter().map(|s| s.name.as_str()))
                .collect();
            let mut d = Diag::new(
                Code::UnknownName,
                format!("unknown tier or stack `{sel}`"),
                sel_at,
                "no tier or stack of this name",
            );
            if let Some(s) = did_you_mean(sel, candidates.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), sel_at, s);
            }
            self.report(d);
            return Value::error();
        };
        self.instance_in(item, Some(target), at, Some(sel))
    }
}
