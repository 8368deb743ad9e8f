//! Diagnostics as a SARIF 2.1.0 log (`sinfrac check --format sarif`), for
//! code scanning (GitHub and others).
//!
//! One run; `tool.driver.rules` holds every code that appears, with its title
//! and its explanation page; each diagnostic is a result whose first location
//! is the primary label, whose `relatedLocations` are the other labels, and
//! whose `fixes` hold the suggested edit. Columns count Unicode code points
//! (`columnKind: unicodeCodePoints`), 1-based; end positions are exclusive.
//! A region always has `byteOffset`/`byteLength`, and lines/columns when the
//! file's text was available.

use serde::Serialize;
use sinfra_compiler::diagnostics::{Code, Diagnostic, Location, Severity};

use super::{Files, Sources};

/// The SARIF schema the log conforms to.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Options of the SARIF log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SarifOptions<'a> {
    /// Prepended to every project-relative path to make artifact URIs
    /// relative to the repository root (e.g. `examples/acme/`); empty when
    /// the project is the repository root.
    pub uri_prefix: &'a str,
}

/// The SARIF log, pretty-printed (no trailing newline).
pub fn render(diags: &[Diagnostic], sources: &dyn Sources, options: SarifOptions<'_>) -> String {
    let files = Files::load(diags, sources);
    serde_json::to_string_pretty(&Log::new(diags, &files, options)).expect("SARIF serializes to JSON")
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

impl Text {
    fn plain(text: impl Into<String>) -> Text {
        Text { text: text.into(), markdown: None }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    /// sinfra's own facts: the stacks a problem arises in, the instances that reached it.
    #[serde(skip_serializing_if = "Properties::is_empty")]
    properties: Properties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stacks: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reached_by: Vec<String>,
}

impl Properties {
    fn is_empty(&self) -> bool {
        self.stacks.is_empty() && self.reached_by.is_empty()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
    byte_offset: u32,
    byte_length: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `unknown field` → `UnknownField`: SARIF's PascalCase rule name.
fn rule_name(code: Code) -> String {
    format!("{code:?}")
}

impl Log {
    fn new(diags: &[Diagnostic], files: &Files, options: SarifOptions<'_>) -> Log {
        let mut codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        codes.sort();
        codes.dedup();
        let rules = codes
            .iter()
            .map(|&code| Rule {
                id: code.as_str(),
                name: rule_name(code),
                short_description: Text::plain(code.title()),
                full_description: Text {
                    text: code.explanation().to_string(),
                    markdown: Some(code.explanation().to_string()),
                },
                help: Text { text: code.explanation().to_string(), markdown: Some(code.explanation().to_string()) },
                default_configuration: Configuration { level: level(code.default_severity()) },
            })
            .collect();
        let results = diags
            .iter()
            .map(|d| {
                let rule_index = codes.binary_search(&d.code).expect("every code has a rule");
                result(d, rule_index, files, options)
            })
            .collect();
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "sinfrac",
                        version: env!("CARGO_PKG_VERSION"),
                        information_uri: env!("CARGO_PKG_REPOSITORY"),
                        rules,
                    },
                },
                column_kind: "unicodeCodePoints",
                results,
            }],
        }
    }
}

fn result(d: &Diagnostic, rule_index: usize, files: &Files, options: SarifOptions<'_>) -> SarifResult {
    let mut text = d.message.clone();
    for note in &d.notes {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let primary = d.labels.iter().position(|l| l.primary).unwrap_or(0);
    let location = |loc: &Location, id: Option<usize>, message: &str| SarifLocation {
        id,
        physical_location: PhysicalLocation { artifact_location: artifact(loc, options), region: region(loc, files) },
        message: (!message.is_empty()).then(|| Text::plain(message)),
    };
    SarifResult {
        rule_id: d.code.as_str(),
        rule_index,
        level: level(d.severity),
        message: Text::plain(text),
        locations: d.labels.get(primary).map(|l| location(&l.location, None, &l.message)).into_iter().collect(),
        related_locations: d
            .labels
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != primary)
            .enumerate()
            .map(|(n, (_, l))| location(&l.location, Some(n + 1), &l.message))
            .collect(),
        fixes: d
            .fix
            .iter()
            .map(|f| SarifFix {
                description: Text::plain(&f.message),
                artifact_changes: vec![ArtifactChange {
                    artifact_location: artifact(&f.location, options),
                    replacements: vec![Replacement {
                        deleted_region: region(&f.location, files),
                        inserted_content: Text::plain(&f.replacement),
                    }],
                }],
            })
            .collect(),
        properties: Properties { stacks: d.stacks.clone(), reached_by: d.reached_by.clone() },
    }
}

fn artifact(loc: &Location, options: SarifOptions<'_>) -> ArtifactLocation {
    ArtifactLocation { uri: format!("{}{}", options.uri_prefix, loc.path) }
}

fn region(loc: &Location, files: &Files) -> Region {
    let range = files.range(loc);
    Region {
        start_line: range.map(|r| r.0.line),
        start_column: range.map(|r| r.0.column),
        end_line: range.map(|r| r.1.line),
        end_column: range.map(|r| r.1.column),
        byte_offset: loc.span.start,
        byte_length: loc.span.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture;

    #[test]
    fn log() {
        let diags = [fixture::tier_mismatch(), fixture::cross_region()];
        let mut text = render(&diags, &fixture::sources(), SarifOptions { uri_prefix: "examples/acme/" });
        // The explanation pages and the version change independently of this renderer.
        text = text.replace(&format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")), "\"version\": \"<version>\"");
        for code in [Code::TierMismatch, Code::CrossRegion] {
            let page = serde_json::to_string(code.explanation()).unwrap();
            assert_eq!(text.matches(&page).count(), 4, "fullDescription and help, text and markdown");
            text = text.replace(&page, &format!("\"<{}.md>\"", code.as_str()));
        }
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["runs"][0]["results"][0]["ruleIndex"], 0);
        assert_eq!(v["runs"][0]["results"][1]["ruleIndex"], 1);
        insta::assert_snapshot!(text);
    }
}
