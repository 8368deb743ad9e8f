//! Invariants of the HIR: it is position-free (text inserted above an item,
//! or whitespace and comments inside it, leave it equal and re-run nothing
//! that reads only it), and names are resolved once, in a query.

use std::sync::Arc;

use sinfra_compiler::check::project_diagnostics;
use sinfra_compiler::db::{Database, QueryLog};
use sinfra_compiler::hir::resolve::{Res, resolve_item};
use sinfra_compiler::hir::{Expr, ItemHir, item_hir, item_source_map};
use sinfra_compiler::index::project_index;

const PLATFORM: &str = r#"
import std.k8s
platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }
"#;

const SERVICES: &str = "import std.k8s\n\nfn twice(n: Int) -> Int = n * 2\n\nservice api: k8s.WebService {\n  image = image(\"api\")\n  replicas = twice(match tier { prod => 3, _ => 1 })\n}\n";

fn setup() -> (Database, QueryLog, sinfra_compiler::db::Project, sinfra_compiler::db::SourceFile) {
    let (mut db, log) = Database::with_log();
    let project = db.load_project(
        vec![("platform.sinfra".into(), PLATFORM.into()), ("services.sinfra".into(), SERVICES.into())],
        "[project]\nname = \"demo\"\n".into(),
        Some("api = \"ghcr.io/acme/api:1.0\"\n".into()),
    );
    let diags = project_diagnostics(&db, project);
    assert!(diags.is_empty(), "{diags:#?}");
    let file = *project.files(&db).iter().find(|f| f.path(&db) == "services.sinfra").unwrap();
    log.lock().unwrap().clear();
    (db, log, project, file)
}

fn ran(log: &QueryLog, query: &str) -> usize {
    log.lock().unwrap().iter().filter(|e| e.starts_with(&format!("{query}("))).count()
}

fn hir_of(db: &Database, project: sinfra_compiler::db::Project, name: &str) -> Arc<ItemHir> {
    let item = project_index(db, project).global(name).unwrap();
    item_hir(db, item).clone()
}

#[test]
fn hir_is_unchanged_by_text_above_and_whitespace_inside() {
    let (mut db, log, project, file) = setup();
    let before = hir_of(&db, project, "api");
    let api = project_index(&db, project).global("api").unwrap();
    let map_before = item_source_map(&db, api).clone();
    let edited = SERVICES
        .replace("import std.k8s\n", "import std.k8s\n// a comment above\n\n")
        .replace("  replicas =", "\n  // why three\n  replicas   =");
    db.set_file_text(file, edited);
    let after = hir_of(&db, project, "api");
    assert_eq!(before, after, "the HIR holds no positions");
    assert_ne!(map_before, *item_source_map(&db, api), "the source map follows the text");
    project_diagnostics(&db, project);
    assert_eq!(ran(&log, "resolve_item"), 0, "names are not resolved again");
    assert_eq!(ran(&log, "item_types"), 0, "types are not lowered again");
}

#[test]
fn editing_a_body_changes_only_that_items_hir() {
    let (mut db, log, project, file) = setup();
    let twice = hir_of(&db, project, "twice");
    db.set_file_text(file, SERVICES.replace("prod => 3", "prod => 4"));
    project_diagnostics(&db, project);
    assert_eq!(twice, hir_of(&db, project, "twice"));
    assert_eq!(ran(&log, "resolve_item"), 1, "only `api`'s names are resolved again");
}

#[test]
fn names_are_resolved_once_to_their_definitions() {
    let (db, _log, project, _file) = setup();
    let index = project_index(&db, project);
    let api = index.global("api").unwrap();
    let hir = item_hir(&db, api);
    let res = resolve_item(&db, project, api);
    let mut found = Vec::new();
    for (id, e) in hir.body.exprs.iter() {
        if let Expr::Name(n) = e {
            found.push((n.as_str(), res.get(id).clone()));
        }
    }
    let twice = index.global("twice").unwrap();
    assert!(found.contains(&("twice", Res::Item(twice))), "{found:?}");
    assert!(
        found.iter().any(|(n, r)| *n == "image" && matches!(r, Res::Builtin(_))),
        "a callee skips the field `image`: {found:?}"
    );
    assert!(found.iter().any(|(n, r)| *n == "tier" && matches!(r, Res::Context(_))), "{found:?}");
    let f = item_hir(&db, twice);
    assert!(f.body.exprs.values().any(|e| matches!(e, Expr::Local(_))), "a parameter is a local");
}

#[test]
fn whitespace_in_a_schema_rechecks_nothing_that_reads_its_signature() {
    let (mut db, log) = Database::with_log();
    let schema =
        "import std.k8s\n\n/// An API.\nschema Api extends k8s.WebService {\n  /// Shards.\n  shards: Int = 2\n}\n";
    let service = "service api: Api {\n  image = image(\"api\")\n}\n";
    let project = db.load_project(
        vec![
            ("platform.sinfra".into(), PLATFORM.into()),
            ("schema.sinfra".into(), schema.into()),
            ("services.sinfra".into(), service.into()),
        ],
        "[project]\nname = \"demo\"\n".into(),
        Some("api = \"ghcr.io/acme/api:1.0\"\n".into()),
    );
    assert!(project_diagnostics(&db, project).is_empty());
    let file = *project.files(&db).iter().find(|f| f.path(&db) == "schema.sinfra").unwrap();
    log.lock().unwrap().clear();
    db.set_file_text(file, schema.replace("  shards", "\n  // more shards later\n  shards  "));
    assert!(project_diagnostics(&db, project).is_empty());
    // Values still carry where they were written (`Value.origin`), so the
    // instances' evaluation follows the schema's source map; their checks do not.
    for query in ["schema_def", "signature_diagnostics", "infer_item", "resolve_item", "item_types"] {
        assert_eq!(ran(&log, query), 0, "`{query}` re-ran after whitespace inside the schema");
    }
}
