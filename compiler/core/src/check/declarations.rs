//! The declarations of an item, for [`super::infer`]: what each kind of item
//! checks (a function's body against its result type, an instance's body
//! against its schema, an import's module, an instance's output name) and
//! the members of `{ … }` bodies.

use super::anchor::{Anchor, AnchoredDiag, PathOf};
use super::infer::Infer;
use super::paths::{lower_type, path_error, path_text};
use super::types::STy;
use crate::diagnostics::Code;
use crate::eval::builtins;
use crate::hir::resolve::Res;
use crate::hir::{ExprId, ItemKind, Member, MemberId, Name, Path};
use crate::items::ItemTag;
use crate::resolve::did_you_mean;
use crate::signatures::{fn_sig, schema_def, unknown_field};

impl Infer<'_> {
    pub(super) fn item(&mut self) {
        let (db, project, item) = (self.db, self.project, self.item);
        match &self.hir.kind {
            ItemKind::Let { ty, value } => match ty {
                // Problems of the annotation are reported by evaluation (`let_value`).
                Some(t) => {
                    let ty = lower_type(db, &self.scope, self.body, *t, &mut Vec::new());
                    self.check_value(*value, &ty, None);
                }
                None => {
                    self.infer(*value);
                }
            },
            ItemKind::Fn { params, body, .. } => {
                let sig = fn_sig(db, project, item);
                for (i, p) in params.iter().enumerate() {
                    let ty = sig.params.get(i).map_or(STy::Unknown, |(_, t)| STy::of_declared(db, project, t));
                    self.binding_ty.insert(p.binding, ty);
                    self.locals.push(p.binding);
                }
                if self.res.iter().any(|(_, r)| *r == Res::Item(item)) {
                    self.report(
                        AnchoredDiag::new(
                            Code::Cycle,
                            format!("function `{}` calls itself", item.name(db)),
                            Anchor::ItemName,
                            "recursive function",
                        )
                        .with_note("functions may not call themselves: sinfra programs always terminate")
                        .with_help("iterate with a comprehension over a list or `range(n)` instead"),
                    );
                }
                self.check_value(*body, &sig.ret, None);
            }
            ItemKind::TypeAlias { refinement: Some(r), .. } => {
                self.binding_ty.insert(r.this, STy::Unknown);
                self.locals.push(r.this);
                self.infer(r.cond);
                if let Some(m) = r.message {
                    self.infer(m);
                }
            }
            ItemKind::Schema { members, .. } => {
                self.schema = Some(item);
                self.members(members, true);
            }
            ItemKind::Instance { schema, members, .. } => {
                self.output_name();
                self.instance_schema(schema, members);
                self.members(members, false);
            }
            ItemKind::Policy { schema, members, .. } => {
                if let Some(path) = schema {
                    match self.scope.path(path) {
                        Ok(s) if s.tag(db) == ItemTag::Schema => self.schema = Some(s),
                        Ok(_) => {}
                        Err(e) => self.report(path_error(&self.scope, path, PathOf::Item, e, "schema")),
                    }
                }
                self.members(members, false);
            }
            ItemKind::Platform { members } => {
                if let Some(schema) = self.scope.index.global("Platform") {
                    self.schema = Some(schema);
                    let def = schema_def(db, project, schema);
                    for &m in members.iter() {
                        if let Member::Assign { name, .. } = self.body.member(m)
                            && !def.fields.contains_key(name.as_str())
                        {
                            self.report(at(unknown_field(db, item, def, name.as_str(), Default::default()), m));
                        }
                    }
                }
                self.members(members, false);
            }
            ItemKind::Region { value } => {
                self.infer(*value);
            }
            ItemKind::Import { path } => self.import(path),
            ItemKind::TypeAlias { refinement: None, .. } | ItemKind::Tier { .. } | ItemKind::Stack { .. } => {}
            ItemKind::Error => {}
        }
    }

    /// E0402: an instance's name becomes file and object names.
    fn output_name(&mut self) {
        let name = self.item.name(self.db);
        let dns = name.replace('_', "-");
        if !builtins::is_dns_label(&dns) {
            self.report(
                AnchoredDiag::new(
                    Code::InvalidOutputName,
                    format!("`{name}` does not make a DNS-1123 name (`{dns}`)"),
                    Anchor::ItemName,
                    "used as a file name and as Kubernetes object names",
                )
                .with_help("use lowercase letters, digits and `_`, not at the start or the end"),
            );
        }
    }

    /// An instance's schema, and its assignments against the schema's fields.
    fn instance_schema(&mut self, path: &Path, members: &[MemberId]) {
        let (db, item) = (self.db, self.item);
        let schema = match self.scope.path(path) {
            Ok(s) if s.tag(db) == ItemTag::Schema => s,
            Ok(other) => {
                self.report(AnchoredDiag::new(
                    Code::TypeMismatch,
                    format!("`{}` is a {}, not a schema", path_text(path), other.tag(db).describe()),
                    Anchor::ItemPath,
                    "expected a schema",
                ));
                return;
            }
            Err(e) => {
                self.report(path_error(&self.scope, path, PathOf::Item, e, "schema"));
                return;
            }
        };
        self.schema = Some(schema);
        let def = schema_def(db, self.project, schema);
        let mut assigned: Vec<Name> = Vec::new();
        for &m in members {
            let Member::Assign { name, .. } = self.body.member(m) else { continue };
            if !def.fields.contains_key(name.as_str()) {
                self.report(at(unknown_field(db, item, def, name.as_str(), Default::default()), m));
            }
            if assigned.contains(name) {
                self.report(AnchoredDiag::new(
                    Code::DuplicateDefinition,
                    format!("field `{name}` is set twice"),
                    Anchor::MemberName(m),
                    "set again here",
                ));
            }
            assigned.push(*name);
        }
        let missing: Vec<&String> = def
            .fields
            .iter()
            .filter(|(n, f)| f.required() && !assigned.iter().any(|a| a.as_str() == n.as_str()))
            .map(|(n, _)| n)
            .collect();
        if missing.is_empty() {
            return;
        }
        let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        let keyword = if item.tag(db) == ItemTag::Resource { "resource" } else { "service" };
        let mut d = AnchoredDiag::new(
            Code::MissingField,
            format!("{keyword} `{}` is missing required field {list}", item.name(db)),
            Anchor::ItemName,
            format!("`{}` requires {list}", path_text(path)),
        );
        for m in &missing {
            if let Some(f) = def.fields.get(*m) {
                d = d.with_label(Anchor::Declared(f.decl), format!("`{m}` declared here"));
            }
        }
        self.report(d.with_help(format!("set {list} in the body")));
    }

    /// E0103: `import std.<module>` of a module that does not exist.
    fn import(&mut self, path: &Path) {
        let known = matches!(&**path, [std, m] if std.as_str() == "std"
            && (crate::stdlib::is_importable(m.as_str()) || m.as_str() == crate::stdlib::PRELUDE));
        if known {
            return;
        }
        let mut modules: Vec<&str> = crate::stdlib::MODULES
            .iter()
            .filter(|m| !m.generated && m.name != crate::stdlib::PRELUDE)
            .map(|m| m.name)
            .collect();
        modules.sort_unstable();
        let last = Anchor::Segment(PathOf::Import, path.len().saturating_sub(1));
        let mut d = AnchoredDiag::new(
            Code::UnknownModule,
            format!("unknown module `{}`", path_text(path)),
            last,
            "no such module",
        )
        .with_note(format!(
            "the standard library has: {}, and the Kubernetes API groups as `std.k8s_<group>_<version>` (`std.k8s_apps_v1`)",
            modules.iter().map(|m| format!("std.{m}")).collect::<Vec<_>>().join(", ")
        ));
        if let Some(name) = path.last()
            && let Some(s) = did_you_mean(
                name.as_str(),
                crate::stdlib::MODULES.iter().map(|m| m.name).filter(|m| crate::stdlib::is_importable(m)),
            )
        {
            d = d.with_help(format!("did you mean `std.{s}`?")).with_fix(format!("replace with `{s}`"), last, s);
        }
        self.report(d);
    }

    fn members(&mut self, members: &[MemberId], is_schema: bool) {
        for &m in members {
            match self.body.member(m) {
                Member::Field { name, default, .. } => {
                    if !is_schema {
                        self.report(
                            AnchoredDiag::new(
                                Code::MisplacedItem,
                                format!("field declaration `{name}: …` outside a schema"),
                                Anchor::Member(m),
                                "instances set fields with `=`; only schemas declare them",
                            )
                            .with_help(format!("write `{name} = value`")),
                        );
                    }
                    if let Some(d) = default {
                        self.field_value(*name, *d);
                    }
                }
                Member::Assign { name, value } => self.field_value(*name, *value),
                Member::Let { ty, value, .. } => match ty {
                    Some(t) => {
                        let mut diags = Vec::new();
                        let ty = lower_type(self.db, &self.scope, self.body, *t, &mut diags);
                        self.out.diags.extend(diags);
                        self.check_value(*value, &ty, None);
                    }
                    None => {
                        self.infer(*value);
                    }
                },
                Member::Check { cond, message } => {
                    self.condition(*cond, "a `check` condition");
                    if let Some(msg) = message {
                        self.infer(*msg);
                    }
                }
                Member::Error => {}
            }
        }
    }

    fn field_value(&mut self, field: Name, value: ExprId) {
        match self.field_ty(field.as_str()) {
            Some(ty) => self.check_value(value, &ty, None),
            None => self.infer(value),
        };
    }
}

/// Re-anchors a diagnostic built with placeholder locations at member `m`'s name.
fn at(d: crate::loc::Diag, m: MemberId) -> AnchoredDiag {
    d.map_locations(|_| Anchor::MemberName(m))
}
