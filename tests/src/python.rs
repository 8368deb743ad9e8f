//! The Python interpreter of the manifest validation tests.
//!
//! `SINFRA_PYTHON` names one when set. Otherwise the tests use a virtual
//! environment of their own under the target directory
//! (`<target>/validation-venv`), created on first use with [`PACKAGES`] —
//! never the system Python, which Debian and Ubuntu refuse to `pip install`
//! into (an "externally managed environment"). Test binaries running at once
//! take a file lock, so the environment is created once.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Python packages `tests/build_support/validate.py` imports.
pub const PACKAGES: &[&str] = &["kubernetes-validate", "jsonschema", "pyyaml", "ruamel.yaml"];

/// The target directory of the running test executable (`<target>/[<triple>/]<profile>/deps/<exe>`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors()
        .find(|d| d.join("CACHEDIR.TAG").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| crate::repo_root().join("target"))
}

/// The interpreter to run the validator with (see the module docs).
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| match std::env::var_os("SINFRA_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => venv(&target_dir().join("validation-venv")),
    })
}

fn venv_python(dir: &Path) -> PathBuf {
    if cfg!(windows) { dir.join("Scripts").join("python.exe") } else { dir.join("bin").join("python") }
}

/// The environment at `dir`, created (under a lock) unless a finished one is there.
fn venv(dir: &Path) -> PathBuf {
    let ready = dir.join(".sinfra-ready");
    let python = venv_python(dir);
    // Ready, and made with the packages wanted now (a package added later rebuilds it).
    let is_ready = || std::fs::read_to_string(&ready).is_ok_and(|made| made == PACKAGES.join("\n"));
    if is_ready() {
        return python;
    }
    std::fs::create_dir_all(dir.parent().expect("a parent")).expect("create the target directory");
    let lock_path = dir.with_extension("lock");
    let lock = std::fs::File::create(&lock_path).expect("create the environment's lock file");
    lock.lock().expect("lock the Python environment");
    if !is_ready() {
        let _ = std::fs::remove_dir_all(dir);
        run(
            Command::new("python3").arg("-m").arg("venv").arg(dir),
            "create a virtual environment (on Debian and Ubuntu: `apt install python3-venv`)",
        );
        run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                .args(PACKAGES),
            "install the validator's packages into it",
        );
        std::fs::write(&ready, PACKAGES.join("\n")).expect("mark the environment ready");
    }
    drop(lock);
    python
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run `{cmd:?}` to {what}: {e}"));
    assert!(
        out.status.success(),
        "`{cmd:?}` failed: cannot {what} for the manifest validation tests (or set SINFRA_PYTHON to an interpreter with {}):\n{}",
        PACKAGES.join(", "),
        String::from_utf8_lossy(&out.stderr)
    );
}
