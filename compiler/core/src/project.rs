//! The project manifest (`sinfra.toml`) and the version datastore
//! (`versions.toml`), parsed from text (the core does no IO).

use std::collections::BTreeMap;

use serde::Deserialize;
use sinfra_syntax::Span;

use crate::diagnostics::{Code, Diagnostic, Location};

/// The manifest file name that marks a project root.
pub const MANIFEST: &str = "sinfra.toml";

/// How a rule is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    #[default]
    Warn,
    /// Reported as an error.
    Error,
}

/// The settings of `sinfra.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Manifest {
    /// The project's name (a DNS label).
    pub name: String,
    /// The versions file, relative to the root.
    pub versions: String,
    /// The default output directory of `build`.
    pub out: String,
    /// Same tier, other region (E0302).
    pub cross_region: RuleLevel,
    /// The manifest did not parse: these are the defaults, and what depends on
    /// its settings (the versions file) is not reported on.
    pub broken: bool,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            name: "project".into(),
            versions: "versions.toml".into(),
            out: "deploy".into(),
            cross_region: RuleLevel::Warn,
            broken: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    project: RawProject,
    #[serde(default)]
    rules: RawRules,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: String,
    versions: Option<String>,
    out: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    cross_region: Option<RuleLevel>,
}

/// Parses `sinfra.toml`; problems come back as diagnostics located in it.
pub fn parse_manifest(text: &str) -> (Manifest, Vec<Diagnostic>) {
    let at = |span: Option<std::ops::Range<usize>>| Location {
        path: MANIFEST.to_string(),
        span: span.map(Span::from).unwrap_or_default(),
    };
    match toml::from_str::<RawManifest>(text) {
        Ok(raw) => {
            let mut diags = Vec::new();
            let name = raw.project.name;
            if !crate::eval::builtins::is_dns_label(&name) {
                let span = text.find(&format!("\"{name}\"")).map(|s| s..s + name.len() + 2);
                diags.push(
                    Diagnostic::new(
                        Code::InvalidManifest,
                        format!("project name `{name}` is not a DNS-1123 label"),
                        at(span),
                        "invalid name",
                    )
                    .with_help("use lowercase letters, digits and `-`, at most 63 characters"),
                );
            }
            for (key, value) in [("versions", &raw.project.versions), ("out", &raw.project.out)] {
                if let Some(v) = value
                    && !is_safe_relative_path(v)
                {
                    let span = text.find(&format!("\"{v}\"")).map(|s| s..s + v.len() + 2);
                    diags.push(Diagnostic::new(
                        Code::InvalidManifest,
                        format!("`{key}` must be a relative path inside the project"),
                        at(span),
                        "not a relative path inside the project",
                    ));
                }
            }
            let m = Manifest {
                name,
                versions: raw.project.versions.unwrap_or_else(|| "versions.toml".into()),
                out: raw.project.out.unwrap_or_else(|| "deploy".into()),
                cross_region: raw.rules.cross_region.unwrap_or_default(),
                broken: false,
            };
            (m, diags)
        }
        Err(e) => {
            let d = Diagnostic::new(
                Code::InvalidManifest,
                format!("invalid {MANIFEST}: {}", e.message()),
                at(e.span()),
                "here",
            )
            .with_help("see docs/language.md, section \"Projects and files\"");
            (Manifest { broken: true, ..Manifest::default() }, vec![d])
        }
    }
}

/// Whether `p` is a relative path that stays inside the project (no `..`, not absolute).
pub fn is_safe_relative_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains(':')
        && p.split('/').all(|seg| !seg.is_empty() && seg != ".." && seg != ".")
}

/// The version datastore: image references by service, with per-tier overrides.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Versions {
    /// `service = "image:tag"` for every tier.
    pub default: BTreeMap<String, (String, Span)>,
    /// `[tier] service = "image@digest"` overrides.
    pub tiers: BTreeMap<String, BTreeMap<String, (String, Span)>>,
    /// Whether the file exists.
    pub present: bool,
    /// Services with an entry of the wrong shape (already reported): no
    /// "missing version" on top of that.
    pub invalid: std::collections::BTreeSet<String>,
    /// The file (or the manifest naming it) did not parse: its one error is
    /// the root cause, so missing entries are not reported on top of it.
    pub broken: bool,
}

impl Versions {
    /// The image of `service` in `tier`, with its span in the file.
    pub fn image(&self, service: &str, tier: &str) -> Option<&(String, Span)> {
        self.tiers.get(tier).and_then(|t| t.get(service)).or_else(|| self.default.get(service))
    }
}

/// Parses the versions file; `path` names it in diagnostics. `tiers` are the
/// project's tier names: every table must be one of them.
pub fn parse_versions(text: Option<&str>, path: &str, tiers: &[&str]) -> (Versions, Vec<Diagnostic>) {
    let Some(text) = text else { return (Versions::default(), Vec::new()) };
    let at = |span: std::ops::Range<usize>| Location { path: path.to_string(), span: Span::from(span) };
    let doc = match toml::de::DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let d = Diagnostic::new(
                Code::VersionMissing,
                format!("invalid versions file: {}", e.message()),
                at(e.span().unwrap_or_default()),
                "here",
            );
            return (Versions { present: true, broken: true, ..Versions::default() }, vec![d]);
        }
    };
    let mut versions = Versions { present: true, ..Versions::default() };
    let mut diags = Vec::new();
    for (key, value) in doc {
        let name = key.get_ref().to_string();
        match value.get_ref() {
            toml::de::DeValue::String(s) => {
                versions.default.insert(name, (s.to_string(), Span::from(value.span())));
            }
            toml::de::DeValue::Table(table) if tiers.contains(&name.as_str()) => {
                let mut entries = BTreeMap::new();
                for (svc, v) in table {
                    match v.get_ref() {
                        toml::de::DeValue::String(s) => {
                            entries.insert(svc.get_ref().to_string(), (s.to_string(), Span::from(v.span())));
                        }
                        other => {
                            versions.invalid.insert(svc.get_ref().to_string());
                            diags.push(
                                Diagnostic::new(
                                    Code::VersionMissing,
                                    format!(
                                        "`{name}.{}` must be a string image reference, found {}",
                                        svc.get_ref(),
                                        other.type_str()
                                    ),
                                    at(v.span()),
                                    "not a string",
                                )
                                .with_help(format!(
                                    "write `{} = \"registry/{}:TAG\"` under `[{name}]`",
                                    svc.get_ref(),
                                    svc.get_ref()
                                )),
                            )
                        }
                    }
                }
                versions.tiers.insert(name, entries);
            }
            toml::de::DeValue::Table(_) => diags.push(unknown_tier(&name, at(key.span()), tiers)),
            other => {
                diags.push(Diagnostic::new(
                    Code::VersionMissing,
                    format!("`{name}` must be an image reference string or a tier table, found {}", other.type_str()),
                    at(value.span()),
                    "neither a string nor a table",
                ));
                versions.invalid.insert(name);
            }
        }
    }
    (versions, diags)
}

/// A table of the versions file that names no tier: a typo, or a service written as a table.
fn unknown_tier(name: &str, at: Location, tiers: &[&str]) -> Diagnostic {
    let d = Diagnostic::new(
        Code::VersionMissing,
        format!("the versions file has a table `[{name}]`, but there is no tier `{name}`"),
        at.clone(),
        "not a tier",
    )
    .with_note(if tiers.is_empty() {
        "the project declares no tier".to_string()
    } else {
        format!("the tiers are: {}", tiers.join(", "))
    });
    match crate::resolve::did_you_mean(name, tiers.iter().copied()) {
        Some(tier) => {
            d.with_help(format!("did you mean `{tier}`?")).with_fix(format!("replace `{name}` with `{tier}`"), at, tier)
        }
        None => d.with_help(
            "a table overrides images for one tier: name it after a tier, or move its entries to the top (every tier)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_and_versions() {
        let (m, d) = parse_manifest("[project]\nname = \"acme\"\n[rules]\ncross_region = \"error\"\n");
        assert!(d.is_empty());
        assert_eq!(m.cross_region, RuleLevel::Error);
        let (_, d) = parse_manifest("[project]\nnam = \"acme\"\n");
        assert_eq!(d[0].code, Code::InvalidManifest);
        let tiers = ["latest", "prod"];
        let (v, d) = parse_versions(Some("api = \"r/api:1\"\n[prod]\napi = \"r/api:2\"\n"), "versions.toml", &tiers);
        assert!(d.is_empty());
        assert_eq!(v.default["api"].1, Span::new(6, 15), "the span of the string, quotes included");
        assert_eq!(v.image("api", "prod").unwrap().0, "r/api:2");
        assert_eq!(v.image("api", "latest").unwrap().0, "r/api:1");
        let (v, d) = parse_versions(Some("[prdo]\napi = \"r/api:2\"\n"), "versions.toml", &tiers);
        assert!(v.tiers.is_empty());
        assert_eq!(d[0].location().span, Span::new(1, 5));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `prod`?"));
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "prod");
        let (_, d) = parse_versions(Some("[prod.api]\nimage = \"r/api:2\"\n"), "versions.toml", &tiers);
        assert!(d[0].message.contains("`prod.api` must be a string image reference, found table"), "{d:?}");
        assert!(!is_safe_relative_path("../x"));
        assert!(is_safe_relative_path("deploy/out"));
    }
}
