//! Calls: builtins (with their labels) and user functions, and `image()`,
//! which reads the versions file for the current stack's tier.

use super::builtins;
use super::ctx::Ctx;
use super::value::{Label, Labels, V, Value};
use super::{cycle_diag, versions};
use crate::diagnostics::Code;
use crate::hir::ItemKind;
use crate::loc::{Diag, Loc};
use crate::signatures::fn_sig;

impl Ctx<'_> {
    /// Calls a function value.
    pub fn call(&mut self, f: Value, args: Vec<Value>, at: Loc) -> Value {
        let db = self.db;
        match f.v {
            V::Error => Value::error(),
            V::Builtin(builtin) => {
                let name = builtin.name();
                let (min, max) = builtin.signature().arity();
                if args.len() < min || args.len() > max {
                    let expected = if min == max { min.to_string() } else { format!("{min} or {max}") };
                    return self.error(
                        Code::WrongArgumentCount,
                        format!("`{name}` takes {expected} argument(s), {} given", args.len()),
                        at,
                        "wrong number of arguments",
                    );
                }
                if args.iter().any(Value::is_error) {
                    return Value::error();
                }
                if builtin == builtins::Builtin::Image {
                    return self.image(&args[0], at);
                }
                let labels = builtins::result_labels(builtin, &args);
                match builtins::call(builtin, &args) {
                    Ok(v) => {
                        let mut out = Value { v, labels, origin: Some(at) };
                        if builtin == builtins::Builtin::Secret {
                            out = out.labelled(&Labels::one(Label::Secret { origin: at }));
                        }
                        out
                    }
                    Err(msg) => self.error(Code::EvaluationError, msg, at, "in this call"),
                }
            }
            V::Func(item) => {
                if let Some(start) = self.calls.iter().position(|c| *c == item) {
                    let path = self.calls[start..].to_vec();
                    let d = cycle_diag(db, &path, at)
                        .with_note("functions may not call themselves: sinfra programs always terminate");
                    self.report(d);
                    return Value::error();
                }
                let project = self.project;
                let sig = self.functions.entry(item).or_insert_with(|| fn_sig(db, project, item).clone()).clone();
                if sig.params.len() != args.len() {
                    return self.error(
                        Code::WrongArgumentCount,
                        format!("`{}` takes {} argument(s), {} given", item.name(db), sig.params.len(), args.len()),
                        at,
                        "wrong number of arguments",
                    );
                }
                let mut env = self.env(item);
                let ItemKind::Fn { params, body, .. } = &env.code.hir.kind else { return Value::error() };
                let body = *body;
                let bindings: Vec<_> = params.iter().map(|p| p.binding).collect();
                for ((_, pty), (arg, binding)) in sig.params.iter().zip(args.into_iter().zip(bindings)) {
                    let a = self.conform(arg, pty, at);
                    env = env.bind(binding, a);
                }
                self.calls.push(item);
                self.call_sites.push(at);
                let out = self.eval(body, &env);
                let out = self.conform(out, &sig.ret, env.loc(body));
                self.calls.pop();
                self.call_sites.pop();
                out
            }
            _ => self.error(Code::TypeMismatch, format!("{} is not a function", f.type_name()), at, "called here"),
        }
    }

    /// `image("svc")`: the pinned image reference from the versions file.
    pub(super) fn image(&mut self, arg: &Value, at: Loc) -> Value {
        let db = self.db;
        let V::Str(service) = &arg.v else {
            return self.error(
                Code::TypeMismatch,
                format!("`image` expects a service name, found {}", arg.type_name()),
                at,
                "not a String",
            );
        };
        if service.is_empty() {
            return self.error(
                Code::TypeMismatch,
                "`image` expects a service name, found an empty string",
                at,
                "empty name",
            );
        }
        let Some(s) = self.stack else {
            return self.error(
                Code::EvaluationError,
                "`image` needs a stack: it reads the tier's version",
                at,
                "outside any stack",
            );
        };
        let st = &self.platform.stacks[s];
        let tier = &self.platform.tiers[st.tier].name;
        let file = &self.platform.manifest.versions;
        let versions = versions(db, self.project);
        if versions.0.broken || versions.0.invalid.contains(service.as_ref() as &str) {
            return Value::error(); // the versions file's own error is the root cause
        }
        if !versions.0.present {
            let d = Diag::new(
                Code::VersionMissing,
                format!("the versions file `{file}` does not exist"),
                at,
                "needs the versions file",
            )
            .with_help(format!(
                "create `{file}` with `{service} = \"registry/{service}:TAG\"` (CI normally writes it)"
            ));
            self.report(d);
            return Value::error();
        }
        match versions.0.image(service, tier) {
            None => {
                let d = Diag::new(
                    Code::VersionMissing,
                    format!("no image version for `{service}` in stack `{}` (tier {tier}) in `{file}`", st.name),
                    at,
                    "no entry in the versions file",
                )
                .with_help(format!(
                    "add `{service} = \"registry/{service}:TAG\"` to `{file}`, or under `[{tier}]` for this tier only"
                ));
                self.report(d);
                Value::error()
            }
            Some((image, _)) if !builtins::is_image_ref(image) || !builtins::is_pinned(image) => {
                let why = if builtins::is_image_ref(image) {
                    "is not pinned (use a tag other than `latest`, or a digest)"
                } else {
                    "is not a valid image reference"
                };
                let d = Diag::new(
                    Code::VersionMissing,
                    format!("the version of `{service}` for stack `{}` in `{file}` {why}: `{image}`", st.name),
                    at,
                    "read from the versions file",
                )
                .with_help(format!("write e.g. `{service} = \"ghcr.io/acme/{service}:1.4.2\"` in `{file}`"));
                self.report(d);
                Value::error()
            }
            Some((image, _)) => Value::str(image.as_str(), Some(at)).labelled(&arg.labels),
        }
    }
}
