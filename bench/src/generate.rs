//! The synthetic project generator: a project shaped like `examples/acme`,
//! with `N` web services spread over files, 3 tiers × 4 regions = 12 stacks.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// The tiers of a generated project: (name, protected).
pub const TIERS: [(&str, bool); 3] = [("latest", false), ("staging", false), ("prod", true)];

/// The regions of a generated project: (identifier, cloud name, stack suffix).
pub const REGIONS: [(&str, &str, &str); 4] = [
    ("us_central1", "us-central1", "usc"),
    ("us_east1", "us-east1", "use"),
    ("europe_west1", "europe-west1", "euw"),
    ("asia_east1", "asia-east1", "ase"),
];

/// Number of stacks of a generated project.
pub const STACKS: usize = TIERS.len() * REGIONS.len();

/// Kubernetes objects a generated service emits in one stack:
/// ServiceAccount, ConfigMap, Service and Deployment (one replica, so no
/// PodDisruptionBudget).
pub const DOCS_PER_SERVICE: usize = 4;

/// Services per generated file.
pub const DEFAULT_PER_FILE: usize = 10;

/// The documents `sinfrac build` writes for a generated project: every
/// service's objects in every stack, plus one Argo CD Application per stack.
pub fn expected_documents(services: usize) -> usize {
    services * STACKS * DOCS_PER_SERVICE + STACKS
}

/// The name of service `i`.
pub fn service_name(i: usize) -> String {
    format!("svc_{i:05}")
}

/// The files of a generated project: (relative path, text).
pub fn project_files(services: usize, per_file: usize) -> Vec<(String, String)> {
    let per_file = per_file.max(1);
    let mut files = vec![
        ("sinfra.toml".to_string(), manifest()),
        ("versions.toml".to_string(), versions(services)),
        ("platform.sinfra".to_string(), platform()),
        ("resources.sinfra".to_string(), resources()),
        ("lib.sinfra".to_string(), lib()),
    ];
    let mut start = 0;
    while start < services {
        let end = (start + per_file).min(services);
        let file = start / per_file;
        files.push((format!("services/group_{file:04}.sinfra"), service_file(start..end)));
        start = end;
    }
    files
}

/// Writes a generated project into `out` (created if missing). Existing
/// `.sinfra` files below `out/services` are removed first so that a smaller
/// project can replace a larger one.
pub fn write_project(out: &Path, services: usize, per_file: usize) -> io::Result<()> {
    let services_dir = out.join("services");
    if services_dir.is_dir() {
        for entry in fs::read_dir(&services_dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "sinfra") {
                fs::remove_file(path)?;
            }
        }
    }
    fs::create_dir_all(&services_dir)?;
    for (path, text) in project_files(services, per_file) {
        fs::write(out.join(path), text)?;
    }
    Ok(())
}

fn manifest() -> String {
    "# A synthetic project written by `sinfra-bench generate`.\n\
     [project]\n\
     name = \"synth\"\n\
     versions = \"versions.toml\"\n\
     out = \"deploy\"\n\
     \n\
     [rules]\n\
     cross_region = \"warn\"\n"
        .to_string()
}

fn versions(services: usize) -> String {
    let mut s = String::from("# The version datastore: one image per service, digests pinned in prod.\n\n");
    for i in 0..services {
        let name = service_name(i);
        let _ = writeln!(s, "{name} = \"ghcr.io/synth/{}:1.{}.{}\"", name.replace('_', "-"), i % 50, i % 7);
    }
    s.push_str("\n[prod]\n");
    for i in 0..services {
        let name = service_name(i);
        let _ = writeln!(s, "{name} = \"ghcr.io/synth/{}@sha256:{:064x}\"", name.replace('_', "-"), i + 1);
    }
    s
}

fn platform() -> String {
    let mut s = String::from(
        "//! Where synth runs: three tiers, four regions, twelve stacks.\n\n\
         platform {\n  ops_repo        = \"https://github.com/synth/ops.git\"\n  target_revision = \"main\"\n}\n\n",
    );
    for (tier, protected) in TIERS {
        let _ = writeln!(s, "/// The {tier} tier.\n{}tier {tier}", if protected { "protected " } else { "" });
    }
    s.push('\n');
    for (id, cloud, _) in REGIONS {
        let _ = writeln!(s, "region {id} = \"{cloud}\"");
    }
    for (tier, _) in TIERS {
        for (region, _, suffix) in REGIONS {
            let _ = write!(
                s,
                "\nstack {tier}_{suffix} {{\n  tier      = {tier}\n  region    = {region}\n  cluster   = \"https://k8s-{tier}-{suffix}.synth.internal\"\n  namespace = \"synth\"\n}}\n"
            );
        }
    }
    s
}

fn resources() -> String {
    "//! Cloud dependencies: a Redis and a Postgres per stack, one shared bucket.\n\n\
     import std.gcp\n\n\
     /// Session cache, one per stack.\n\
     resource cache: gcp.Redis {\n  memory_gb = match tier { latest => 1, staging => 2, prod => 16 }\n}\n\n\
     /// The main database, one per stack.\n\
     resource main_db: gcp.CloudSql {\n  database  = \"main\"\n  tier_size = match tier { prod => \"db-custom-8-32768\", _ => \"db-custom-1-3840\" }\n  disk_gb   = match tier { prod => 500, _ => 20 }\n}\n\n\
     /// Build artifacts, one bucket for every tier.\n\
     shared resource artifacts: gcp.Bucket {\n  bucket_name    = \"synth-artifacts\"\n  versioning     = true\n  retention_days = 30\n}\n"
        .to_string()
}

fn lib() -> String {
    "//! Helpers shared by the services.\n\n\
     /// The internal DNS zone.\n\
     let domain = \"synth.internal\"\n\n\
     /// Log verbosity per tier.\n\
     fn log_level(t: Tier) -> String = match t {\n  latest  => \"debug\"\n  staging => \"debug\"\n  prod    => \"info\"\n}\n\n\
     /// Settings every service gets.\n\
     fn common_env(t: Tier, r: Region, s: Stack) -> {String: String} = {\n  LOG_LEVEL   = log_level(t)\n  SYNTH_TIER   = t.name\n  SYNTH_REGION = r.name\n  SYNTH_STACK  = s.name\n}\n"
        .to_string()
}

fn service_file(range: std::ops::Range<usize>) -> String {
    let mut s = String::from("import std.k8s\n");
    for i in range {
        let name = service_name(i);
        let dns = name.replace('_', "-");
        let _ = write!(
            s,
            r#"
/// Synthetic web service number {i}.
service {name}: k8s.WebService {{
  image  = image("{name}")
  cpu    = match tier {{ prod => 500m, staging => 250m, latest => 100m }}
  memory = match tier {{ prod => 1Gi, _ => 256Mi }}
  env = common_env(tier, region, stack) + {{
    REDIS_URL         = "redis://${{cache.host}}:${{cache.port}}/{db}"
    DATABASE_URL      = main_db.url
    DATABASE_PASSWORD = secret("{dns}-db", "password")
    ARTIFACTS         = "${{artifacts.url}}/{dns}"
    PUBLIC_HOST       = "{dns}.${{domain}}"
  }}
  config = {{
    SERVICE_INDEX = "{i}"
    BATCH_SIZE    = "{batch}"
    FEATURE_FLAGS = "alpha,beta"
  }}
}}
"#,
            db = i % 16,
            batch = 100 + i % 400,
        );
    }
    s
}
