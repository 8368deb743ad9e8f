//! Development smoke run: `cargo run -p sinfra-compiler --example smoke -- DIR`.
use std::fs;

fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "sinfra") {
            out.push((p.strip_prefix(root).unwrap().to_string_lossy().into(), fs::read_to_string(&p).unwrap()));
        }
    }
}

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    let manifest = fs::read_to_string(root.join("sinfra.toml")).unwrap();
    let versions = fs::read_to_string(root.join("versions.toml")).ok();
    let mut db = sinfra_compiler::db::Database::default();
    let project = db.load_project(files, manifest, versions);
    let t = std::time::Instant::now();
    println!("cycle: {}", sinfra_compiler::check::has_reference_cycle(&db, project));
    let diags = sinfra_compiler::check::project_diagnostics(&db, project);
    for d in diags.iter() {
        println!("{:?} {} {}:{:?} {}", d.severity, d.code.as_str(), d.location().path, d.location().span, d.message);
        for n in &d.notes {
            println!("    note: {n}");
        }
    }
    println!("{} diagnostics in {:?}", diags.len(), t.elapsed());
    if let Some(stack) = std::env::args().nth(2) {
        let info = sinfra_compiler::platform::platform_info(&db, project);
        let st = info.stacks.iter().find(|s| s.name == stack).unwrap();
        let out = sinfra_compiler::emit::stack_output(&db, project, st.item);
        for f in &out.files {
            println!("==== {}\n{}", f.path, f.content);
        }
        for d in &out.diags {
            println!("{:?}", d);
        }
    }
}

#[allow(dead_code)]
fn unused() {}
