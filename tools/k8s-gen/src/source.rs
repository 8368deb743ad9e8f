//! Finding and reading the Kubernetes schema definitions.
//!
//! Three layouts are read, by the key that holds the definitions: the JSON
//! Schema bundle of `kubernetes-validate` (`$defs`, in
//! `kubernetes-json-schema/v<version>-local-strict/_definitions.json`), the
//! upstream `api/openapi-spec/swagger.json` (`definitions`) and an OpenAPI 3
//! document (`components.schemas`). `$ref`s name a definition by the last
//! segment of their pointer, whatever the layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Error;

/// The definitions of one Kubernetes version, by their full name
/// (`io.k8s.api.apps.v1.Deployment`).
#[derive(Debug, Clone)]
pub struct Definitions {
    /// The definitions.
    pub defs: BTreeMap<String, Value>,
    /// The JSON pointer of the object holding them (`/$defs`), for error locations.
    pub pointer: String,
}

impl Definitions {
    /// Reads definitions from a JSON text; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Definitions, Error> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| Error::new(format!("{file}:{}:{}", e.line(), e.column()), format!("not JSON: {e}")))?;
        let candidates: [(&str, Option<&Value>); 3] = [
            ("/$defs", doc.get("$defs")),
            ("/definitions", doc.get("definitions")),
            ("/components/schemas", doc.get("components").and_then(|c| c.get("schemas"))),
        ];
        let Some((pointer, Some(Value::Object(map)))) = candidates.into_iter().find(|(_, v)| v.is_some()) else {
            return Err(Error::new(
                file,
                "no definitions: expected an object under `$defs`, `definitions` or `components.schemas`",
            ));
        };
        let defs = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Ok(Definitions { defs, pointer: pointer.to_string() })
    }

    /// The JSON pointer of a definition, for error locations.
    pub fn at(&self, key: &str) -> String {
        format!("{}/{}", self.pointer, escape_pointer(key))
    }
}

/// Escapes one JSON pointer segment (`~` and `/`).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A Kubernetes version, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Parses `1.37.0` or `v1.37.0`.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.strip_prefix('v').unwrap_or(text).split('.').map(|p| p.parse::<u32>().ok());
        let v = Version(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(v)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The versions a `kubernetes-json-schema` directory holds (its `v<version>-local-strict` directories), oldest first.
pub fn versions(dir: &Path) -> Result<Vec<Version>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::new(dir.display().to_string(), e.to_string()))?;
    let mut out: Vec<Version> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Version::parse(name.strip_suffix("-local-strict")?)
        })
        .collect();
    out.sort();
    Ok(out)
}

/// The definitions file of `version` in a `kubernetes-json-schema` directory.
pub fn definitions_file(dir: &Path, version: Version) -> PathBuf {
    dir.join(format!("v{version}-local-strict")).join("_definitions.json")
}

/// The `kubernetes-json-schema` directory of the installed `kubernetes-validate`
/// package, asked of `python` (the interpreter of the environment it is installed in).
pub fn installed_schemas(python: &str) -> Result<PathBuf, Error> {
    let script = "import os, kubernetes_validate; print(os.path.dirname(kubernetes_validate.__file__))";
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .output()
        .map_err(|e| Error::new(python, format!("cannot run: {e}")))?;
    if !out.status.success() {
        return Err(Error::new(
            python,
            format!(
                "cannot import kubernetes_validate (install it: `{python} -m pip install kubernetes-validate`, or pass --schemas DIR): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("kubernetes-json-schema");
    if !dir.is_dir() {
        return Err(Error::new(dir.display().to_string(), "kubernetes-validate has no bundled schemas here"));
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_or_without_v() {
        assert_eq!(Version::parse("v1.37.0"), Some(Version(1, 37, 0)));
        assert_eq!(Version::parse("1.30.2"), Some(Version(1, 30, 2)));
        assert_eq!(Version::parse("1.30"), None);
        assert_eq!(Version::parse("1.30.0.1"), None);
        assert_eq!(Version::parse("master"), None);
        assert!(Version(1, 9, 0) < Version(1, 10, 0));
    }

    #[test]
    fn definitions_are_found_under_each_layout() {
        for (text, pointer) in [
            (r#"{"$defs": {"a.v1.X": {}}}"#, "/$defs"),
            (r#"{"definitions": {"a.v1.X": {}}}"#, "/definitions"),
            (r#"{"components": {"schemas": {"a.v1.X": {}}}}"#, "/components/schemas"),
        ] {
            let d = Definitions::from_json(text, "f.json").unwrap();
            assert_eq!(d.pointer, pointer);
            assert_eq!(d.defs.len(), 1);
        }
    }

    #[test]
    fn bad_input_is_a_located_error() {
        let e = Definitions::from_json("{\"$defs\": [", "f.json").unwrap_err();
        assert!(e.at.starts_with("f.json:1:"), "{e}");
        let e = Definitions::from_json("{}", "f.json").unwrap_err();
        assert_eq!(e.at, "f.json");
        assert!(e.message.contains("no definitions"), "{e}");
    }
}
