//! Incrementality: salsa's event log proves that an edit re-runs only the
//! queries of the item it touched.

use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::db::{Database, QueryLog};

const PLATFORM: &str = r#"
import std.k8s
platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }
"#;

fn services(api_replicas: u32, prefix: &str) -> String {
    format!(
        "{prefix}import std.k8s\n\nservice api: k8s.WebService {{\n  image = image(\"api\")\n  replicas = {api_replicas}\n}}\n\nservice worker: k8s.Worker {{\n  image = image(\"worker\")\n}}\n"
    )
}

fn executed(log: &QueryLog) -> Vec<String> {
    let mut l = log.lock().unwrap();
    let mut names: Vec<String> = l.iter().map(|e| e.split('(').next().unwrap_or("").to_string()).collect();
    l.clear();
    names.sort();
    names.dedup();
    names
}

fn setup() -> (Database, QueryLog, sinfra_compiler::db::Project, sinfra_compiler::db::SourceFile) {
    let (mut db, log) = Database::with_log();
    let project = db.load_project(
        vec![("platform.sinfra".into(), PLATFORM.into()), ("services.sinfra".into(), services(2, ""))],
        "[project]\nname = \"demo\"\n".into(),
        Some("api = \"ghcr.io/acme/api:1.0\"\nworker = \"ghcr.io/acme/worker:1.0\"\n".into()),
    );
    let diags = project_diagnostics(&db, project);
    assert!(diags.is_empty(), "{diags:#?}");
    let file = *project.files(&db).iter().find(|f| f.path(&db) == "services.sinfra").unwrap();
    log.lock().unwrap().clear();
    (db, log, project, file)
}

#[test]
fn nothing_changed_nothing_runs() {
    let (db, log, project, _) = setup();
    project_diagnostics(&db, project);
    assert!(executed(&log).is_empty());
}

#[test]
fn editing_one_service_body_reruns_only_that_service() {
    let (mut db, log, project, file) = setup();
    db.set_file_text(file, services(4, ""));
    project_diagnostics(&db, project);
    let log_now: Vec<String> = log.lock().unwrap().clone();
    let checks = log_now.iter().filter(|e| e.starts_with("check_item(")).count();
    let evals = log_now.iter().filter(|e| e.starts_with("instance_value(")).count();
    let rules = log_now.iter().filter(|e| e.starts_with("instance_rules(")).count();
    assert_eq!(checks, 1, "only `api` is re-checked: {log_now:#?}");
    assert_eq!(evals, 2, "only `api` is re-evaluated, once per stack: {log_now:#?}");
    assert_eq!(rules, 2, "only `api`'s tier rules re-run: {log_now:#?}");
}

#[test]
fn editing_above_an_item_reruns_nothing_semantic() {
    let (mut db, log, project, file) = setup();
    db.set_file_text(file, services(2, "// a new comment above every item\n\n"));
    project_diagnostics(&db, project);
    let names = executed(&log);
    for semantic in ["check_item", "instance_value", "instance_rules", "schema_def", "platform_info", "project_index"] {
        assert!(!names.iter().any(|n| n == semantic), "`{semantic}` re-ran after an edit above the items: {names:?}");
    }
    assert!(names.iter().any(|n| n == "parse"), "the file is re-parsed: {names:?}");
}

/// Rendering is behind the firewall too: a comment or blank lines inserted
/// above a service (or above every item) re-render no file.
#[test]
fn editing_above_a_service_rerenders_nothing() {
    let (mut db, log, project, file) = setup();
    let _ = sinfra_compiler::emit::build_project(&db, project, &[]);
    executed(&log);
    let edited = services(2, "").replace("service api", "// a comment above the service\n\nservice api");
    db.set_file_text(file, edited);
    let built = sinfra_compiler::emit::build_project(&db, project, &[]);
    assert!(built.diags.is_empty(), "{:#?}", built.diags);
    let names = executed(&log);
    for rendering in ["instance_file", "instance_value", "instance_rules", "check_item"] {
        assert!(
            !names.iter().any(|n| n == rendering),
            "`{rendering}` re-ran after a comment above a service: {names:?}"
        );
    }
    db.set_file_text(file, services(2, "\n\n\n"));
    let _ = sinfra_compiler::emit::build_project(&db, project, &[]);
    let names = executed(&log);
    assert!(!names.iter().any(|n| n == "instance_file"), "a blank line above every item re-rendered: {names:?}");
}

/// Editing a schema's default re-evaluates the instances of that schema only;
/// the other schema's instances and every static check stay memoized.
#[test]
fn editing_a_schema_default_reevaluates_only_its_instances() {
    let schemas = |replicas: u32| {
        format!(
            "import std.k8s\n\nschema Api extends k8s.WebService {{\n  replicas = {replicas}\n}}\n\nschema Bg extends k8s.Worker {{\n}}\n\nservice api: Api {{\n  image = image(\"api\")\n}}\n\nservice worker: Bg {{\n  image = image(\"worker\")\n}}\n"
        )
    };
    let (mut db, log) = Database::with_log();
    let project = db.load_project(
        vec![("platform.sinfra".into(), PLATFORM.into()), ("services.sinfra".into(), schemas(2))],
        "[project]\nname = \"demo\"\n".into(),
        Some("api = \"ghcr.io/acme/api:1.0\"\nworker = \"ghcr.io/acme/worker:1.0\"\n".into()),
    );
    let diags = project_diagnostics(&db, project);
    assert!(diags.is_empty(), "{diags:#?}");
    log.lock().unwrap().clear();
    let file = *project.files(&db).iter().find(|f| f.path(&db) == "services.sinfra").unwrap();
    db.set_file_text(file, schemas(3));
    project_diagnostics(&db, project);
    let log_now: Vec<String> = log.lock().unwrap().clone();
    let evals = log_now.iter().filter(|e| e.starts_with("instance_value(")).count();
    assert_eq!(evals, 2, "only `api` (an instance of `Api`) is re-evaluated, once per stack: {log_now:#?}");
}

/// Whitespace and a comment typed inside a service body move its code but
/// change none of it: the item is lowered again (its source map moves; its HIR
/// is equal, so `item_hir` backdates) and its diagnostics are re-located, but
/// nothing that reads only the HIR re-runs: resolution, inference, references.
#[test]
fn editing_whitespace_inside_a_service_reruns_no_inference() {
    let (mut db, log, project, file) = setup();
    let edited = services(2, "").replace("  replicas = 2\n", "  // two is enough\n\n  replicas   =   2\n");
    assert_ne!(edited, services(2, ""));
    db.set_file_text(file, edited);
    let diags = project_diagnostics(&db, project);
    assert!(diags.is_empty(), "{diags:#?}");
    let log_now: Vec<String> = log.lock().unwrap().clone();
    let runs = |query: &str| log_now.iter().filter(|e| e.starts_with(&format!("{query}("))).count();
    assert!(runs("item_lower") >= 1, "the file's items are lowered again: {log_now:#?}");
    assert!(runs("item_source_map") >= 1, "their source maps are projected again: {log_now:#?}");
    assert_eq!(runs("check_item"), 1, "only `api`'s diagnostics are re-located: {log_now:#?}");
    // (The evaluator still reads the syntax tree, so `instance_value` re-runs until it is on the HIR.)
    for semantic in ["infer_item", "resolve_item", "item_references"] {
        assert_eq!(runs(semantic), 0, "`{semantic}` re-ran after a whitespace edit inside `api`: {log_now:#?}");
    }
}
