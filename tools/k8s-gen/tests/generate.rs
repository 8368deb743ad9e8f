//! The generator on a small fixture schema: its output snapshotted, its errors located.

use sinfra_k8s_gen::source::Definitions;
use sinfra_k8s_gen::{Options, generate};

fn fixture() -> Definitions {
    Definitions::from_json(include_str!("fixtures/schema.json"), "schema.json").unwrap()
}

fn options(kinds: &[&str]) -> Options {
    Options {
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        prefix: "k8s".to_string(),
        origin: "the fixture".to_string(),
        command: "cargo test -p sinfra-k8s-gen".to_string(),
    }
}

#[test]
fn fixture_modules() {
    let modules = generate(&fixture(), &options(&["demo.example.com/v1/Widget"])).unwrap();
    let names: Vec<&str> = modules.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["k8s_demo_v1", "k8s_meta_v1"]);
    for (name, text) in &modules {
        insta::assert_snapshot!(name.as_str(), text);
    }
}

#[test]
fn the_output_parses_and_is_formatted() {
    for (name, text) in generate(&fixture(), &options(&[])).unwrap() {
        let parsed = sinfra_syntax::parse(&text);
        assert!(parsed.errors.is_empty(), "{name}: {:?}\n{text}", parsed.errors);
        let formatted = sinfra_syntax::format(&text).unwrap();
        assert_eq!(formatted, text, "{name} is not in the formatter's layout");
    }
}

#[test]
fn every_definition_without_kinds() {
    let modules = generate(&fixture(), &options(&[])).unwrap();
    let demo = &modules.iter().find(|(n, _)| n == "k8s_demo_v1").unwrap().1;
    assert!(demo.contains("schema Unused {"), "{demo}");
}

#[test]
fn an_unknown_kind_is_an_error() {
    let e = generate(&fixture(), &options(&["demo.example.com/v1/Gadget"])).unwrap_err();
    assert_eq!(e.at, "--kinds");
    assert!(e.message.contains("demo.example.com/v1/Gadget"), "{e}");
}

#[test]
fn a_dangling_ref_is_an_error_at_its_definition() {
    let text = r##"{"$defs": {"io.k8s.api.demo.v1.A": {
        "properties": {"b": {"$ref": "#/$defs/io.k8s.api.demo.v1.B"}},
        "x-kubernetes-group-version-kind": [{"group": "", "kind": "A", "version": "v1"}]}}}"##;
    let defs = Definitions::from_json(text, "t.json").unwrap();
    let e = generate(&defs, &options(&["/v1/A"])).unwrap_err();
    assert_eq!(e.at, "/$defs/io.k8s.api.demo.v1.A");
    assert!(e.message.contains("io.k8s.api.demo.v1.B"), "{e}");
}
