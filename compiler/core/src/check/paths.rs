//! Paths and types written in an item's HIR: resolved with the file's scope
//! (paths by `resolve::FileScope::path`),
//! their problems anchored by id.

use super::anchor::{Anchor, AnchoredDiag, PathOf};
use crate::db::Db;
use crate::diagnostics::Code;
use crate::hir::{Body, Name, TypeRef, TypeRefId};
use crate::items::ItemTag;
use crate::resolve::{FileScope, PathError, did_you_mean};
use crate::ty::Ty;

/// The text of a path: `k8s.WebService`.
pub fn path_text(path: &[Name]) -> String {
    path.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(".")
}

/// Reports a path that did not resolve (`what`: "schema", "type").
pub fn path_error(scope: &FileScope<'_>, path: &[Name], of: PathOf, err: PathError, what: &str) -> AnchoredDiag {
    match err {
        PathError::NotImported(module) => AnchoredDiag::new(
            Code::UnknownModule,
            format!("module `{module}` is not imported"),
            Anchor::Segment(of, 0),
            "used here without `import`",
        )
        .with_help(format!("add `import std.{module}` at the top of the file"))
        .with_fix(format!("add `import std.{module}`"), Anchor::ItemStart, format!("import std.{module}\n\n")),
        PathError::Unknown(seg) => {
            let seg = seg.min(path.len().saturating_sub(1));
            let name = path.get(seg).map(|n| n.as_str()).unwrap_or_default();
            let candidates: Vec<String> = if seg == 0 {
                let mut c = scope.candidates();
                c.extend(Ty::PRIMITIVES.iter().map(|s| s.to_string()));
                c
            } else {
                let module = path.first().map(|n| n.as_str()).unwrap_or_default();
                scope.index.modules.get(module).map(|m| m.keys().cloned().collect()).unwrap_or_default()
            };
            let at = Anchor::Segment(of, seg);
            let mut d = AnchoredDiag::new(
                Code::UnknownName,
                format!("unknown {what} `{}`", path_text(path)),
                at,
                format!("no {what} of this name"),
            );
            if let Some(s) = did_you_mean(name, candidates.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), at, s);
            }
            d
        }
    }
}

/// Lowers a type as written; unknown names are reported to `diags` and become [`Ty::Error`].
pub fn lower_type(db: &dyn Db, scope: &FileScope<'_>, body: &Body, t: TypeRefId, diags: &mut Vec<AnchoredDiag>) -> Ty {
    match body.type_ref(t) {
        TypeRef::Path(path) => {
            if let [one] = &**path
                && let Some(p) = Ty::primitive(one.as_str())
            {
                return p;
            }
            match scope.path(path) {
                Ok(target) => match target.tag(db) {
                    ItemTag::Schema => Ty::Schema(target),
                    ItemTag::Type => Ty::Alias(target),
                    other => {
                        diags.push(AnchoredDiag::new(
                            Code::TypeMismatch,
                            format!("`{}` is a {}, not a type", path_text(path), other.describe()),
                            Anchor::Type(t),
                            "expected a type here",
                        ));
                        Ty::Error
                    }
                },
                Err(e) => {
                    diags.push(path_error(scope, path, PathOf::Type(t), e, "type"));
                    Ty::Error
                }
            }
        }
        TypeRef::List(inner) => Ty::List(Box::new(lower_type(db, scope, body, *inner, diags))),
        TypeRef::Map(k, v) => {
            let key = lower_type(db, scope, body, *k, diags);
            if !matches!(key, Ty::String | Ty::Error) {
                diags.push(AnchoredDiag::new(
                    Code::TypeMismatch,
                    "map keys must be `String`",
                    Anchor::Type(*k),
                    "not `String`",
                ));
            }
            Ty::Map(Box::new(lower_type(db, scope, body, *v, diags)))
        }
        TypeRef::Optional(inner) => Ty::Optional(Box::new(lower_type(db, scope, body, *inner, diags))),
        TypeRef::Union(ts) => Ty::Union(ts.iter().map(|t| lower_type(db, scope, body, *t, diags)).collect()),
        TypeRef::StrLit(s) => Ty::Lit(s.to_string()),
        TypeRef::Error => Ty::Error,
    }
}
