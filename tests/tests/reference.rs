//! `sinfrac doc` and the generated stdlib, against the real binaries: the
//! committed reference (`docs/stdlib/`) and Kubernetes modules
//! (`stdlib/kubernetes/`) are what the tools make now.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use sinfra_tests::{repo_root, sinfrac};

const REGENERATE_DOCS: &str = "cargo run -p sinfrac -- doc --out docs/stdlib";

fn markdown_files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "md") {
            out.insert(p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap());
        }
    }
    out
}

#[test]
fn the_stdlib_reference_is_fresh() {
    let out = tempfile::tempdir().unwrap();
    let run = sinfrac(&["doc", "--out", out.path().to_str().unwrap()], &repo_root());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let made = markdown_files(out.path());
    let committed = markdown_files(&repo_root().join("docs/stdlib"));
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&committed), names(&made), "docs/stdlib has other pages: regenerate with `{REGENERATE_DOCS}`");
    for (name, text) in &made {
        assert!(committed[name] == *text, "docs/stdlib/{name} is stale: regenerate with `{REGENERATE_DOCS}`");
    }
    for module in ["prelude.md", "k8s.md", "k8s_apps_v1.md", "k8s_core_v1.md", "README.md"] {
        assert!(made.contains_key(module), "no page {module}");
    }
    let k8s = &made["k8s.md"];
    assert!(k8s.contains("### `WebService`") && k8s.contains("| `service_port` | `Port` | `80` |"), "{k8s}");
    assert!(k8s.contains("fn deployment(w: Workload, ctx: TemplateContext, ports: [Any]) -> Deployment"), "{k8s}");
}

#[test]
fn doc_documents_a_project_too() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"docs\"\n").unwrap();
    fs::create_dir(root.join("lib")).unwrap();
    fs::write(
        root.join("lib/web.sinfra"),
        "//! The company's schemas.\n\n/// A team's web service.\nschema Team {\n  /// Who owns it.\n  owner: String = \"core\"\n}\n",
    )
    .unwrap();
    let run = sinfrac(&["doc", ".", "--out", "reference"], root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fs::read_to_string(root.join("reference/lib_web.md")).unwrap();
    assert!(page.starts_with("# `lib/web.sinfra`\n\nThe company's schemas."), "{page}");
    assert!(page.contains("| `owner` | `String` | `\"core\"` | Who owns it. |"), "{page}");
    let index = fs::read_to_string(root.join("reference/README.md")).unwrap();
    assert!(index.contains("[`lib/web.sinfra`](lib_web.md)") && index.contains("[`std.k8s`](k8s.md)"), "{index}");
}

#[test]
fn the_generated_modules_are_the_directory() {
    let dir = repo_root().join("stdlib/kubernetes");
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sinfra"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> =
        sinfra_compiler::stdlib::MODULES.iter().filter(|m| m.generated).map(|m| m.name.to_string()).collect();
    listed.sort();
    assert_eq!(listed, on_disk, "compiler/core/src/stdlib.rs must list every file of stdlib/kubernetes");
    for m in sinfra_compiler::stdlib::MODULES.iter().filter(|m| m.generated) {
        assert_eq!(fs::read_to_string(dir.join(format!("{}.sinfra", m.name))).unwrap(), m.text);
    }
}

/// The committed modules are what `sinfra-k8s-gen` makes of the pinned version's
/// schemas (from the validation tests' Python environment, which has kubernetes-validate).
#[test]
fn the_generated_modules_are_fresh() {
    let python = sinfra_tests::python::python();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(repo_root())
        .args(["run", "--quiet", "-p", "sinfra-k8s-gen", "--target-dir"])
        .arg(sinfra_tests::python::target_dir())
        .args(["--", "--check", "--python"])
        .arg(python)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stdlib/kubernetes is stale (or the generator failed):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
