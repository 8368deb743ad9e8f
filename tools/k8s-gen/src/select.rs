//! Which definitions are generated, and into which module each goes.
//!
//! The roots are kinds (`apps/v1/Deployment`); every definition they reach
//! through `$ref`s is generated too, except what only a kind's `status`
//! reaches: the server writes a status, a manifest never does. A definition
//! `<…>.<group>.<version>.<Name>` goes to the module
//! `<prefix>_<group>_<version>` (`io.k8s.api.apps.v1.Deployment` →
//! `k8s_apps_v1.Deployment`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`
//! → `k8s_meta_v1.ObjectMeta`). Only definitions with `properties` become
//! schemas; the others (a string such as `Time`, `IntOrString`, `Quantity`,
//! a free-form `RawExtension`) are written inline where they are used.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::source::Definitions;
use crate::{Error, Options};

/// The definitions to generate, by module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Module name → the keys of its schemas' definitions, sorted by schema name.
    pub modules: BTreeMap<String, Vec<String>>,
}

/// The definition a `$ref` names: the last segment of its pointer.
pub fn ref_key(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// Whether a definition becomes a schema (it has `properties`).
pub fn is_schema(def: &Value) -> bool {
    def.get("properties").is_some_and(Value::is_object)
}

/// The kinds a definition is (`x-kubernetes-group-version-kind`), as `group/version/Kind`.
pub fn kinds_of(def: &Value) -> Vec<String> {
    let Some(Value::Array(gvks)) = def.get("x-kubernetes-group-version-kind") else { return Vec::new() };
    gvks.iter()
        .filter_map(|g| {
            let s = |k: &str| g.get(k).and_then(Value::as_str);
            Some(format!("{}/{}/{}", s("group")?, s("version")?, s("kind")?))
        })
        .collect()
}

/// The module and schema name of a definition, or `None` when its name has no `group.version.Name` tail.
pub fn module_of(key: &str, prefix: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = key.split('.').collect();
    let [.., group, version, name] = parts.as_slice() else { return None };
    if !is_api_version(version) {
        return None;
    }
    let group = group.replace('-', "_");
    Some((format!("{prefix}_{group}_{version}"), name.to_string()))
}

/// `v1`, `v2beta1`, `v1alpha3`.
fn is_api_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else { return false };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    tail.is_empty()
        || ["alpha", "beta"]
            .iter()
            .any(|s| tail.strip_prefix(s).is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())))
}

/// The definitions `value` refers to, skipping the `status` of a kind.
fn references(value: &Value, is_kind: bool, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(ref_key(r).to_string());
            }
            for (k, v) in map {
                if k == "properties" && is_kind {
                    if let Value::Object(props) = v {
                        for (_, p) in props.iter().filter(|(n, _)| n.as_str() != "status") {
                            references(p, false, out);
                        }
                    }
                } else {
                    references(v, false, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, false, out)),
        _ => {}
    }
}

/// Selects the definitions to generate.
pub fn select(defs: &Definitions, options: &Options) -> Result<Selection, Error> {
    let mut work: Vec<String> = if options.kinds.is_empty() {
        defs.defs.keys().cloned().collect()
    } else {
        let mut roots = Vec::new();
        for kind in &options.kinds {
            let found = defs.defs.iter().find(|(_, d)| kinds_of(d).iter().any(|k| k == kind));
            match found {
                Some((key, _)) => roots.push(key.clone()),
                None => {
                    return Err(Error::new(
                        "--kinds",
                        format!(
                            "no definition is the kind `{kind}` (write `group/version/Kind`, `/v1/Service` for the core group)"
                        ),
                    ));
                }
            }
        }
        roots
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(key) = work.pop() {
        if seen.contains(&key) {
            continue;
        }
        let Some(def) = defs.defs.get(&key) else { continue };
        seen.insert(key.clone());
        let mut refs = BTreeSet::new();
        references(def, !kinds_of(def).is_empty(), &mut refs);
        for r in refs {
            if !defs.defs.contains_key(&r) {
                return Err(Error::new(defs.at(&key), format!("`$ref` to `{r}`, which is not defined")));
            }
            work.push(r);
        }
    }
    let mut selection = Selection::default();
    for key in seen {
        let def = &defs.defs[&key];
        if !is_schema(def) {
            continue;
        }
        let Some((module, _)) = module_of(&key, &options.prefix) else {
            return Err(Error::new(
                defs.at(&key),
                "the name does not end in `<group>.<version>.<Name>`, so it has no module",
            ));
        };
        selection.modules.entry(module).or_default().push(key);
    }
    for keys in selection.modules.values_mut() {
        keys.sort_by_key(|k| ref_key_name(k).to_string());
    }
    Ok(selection)
}

fn ref_key_name(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_come_from_group_and_version() {
        let m = |k: &str| module_of(k, "k8s");
        assert_eq!(m("io.k8s.api.apps.v1.Deployment"), Some(("k8s_apps_v1".into(), "Deployment".into())));
        assert_eq!(
            m("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
            Some(("k8s_meta_v1".into(), "ObjectMeta".into()))
        );
        assert_eq!(m("io.k8s.api.autoscaling.v2beta2.X"), Some(("k8s_autoscaling_v2beta2".into(), "X".into())));
        assert_eq!(
            m("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"),
            Some(("k8s_apiextensions_v1".into(), "JSONSchemaProps".into()))
        );
        assert_eq!(m("io.k8s.apimachinery.pkg.util.intstr.IntOrString"), None);
        assert_eq!(m("Deployment"), None);
    }

    #[test]
    fn api_versions() {
        for ok in ["v1", "v2", "v1beta1", "v1alpha3", "v10"] {
            assert!(is_api_version(ok), "{ok}");
        }
        for bad in ["v", "vbeta1", "v1beta", "v1gamma1", "intstr", "1"] {
            assert!(!is_api_version(bad), "{bad}");
        }
    }
}
