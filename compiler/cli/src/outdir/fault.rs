//! Crash injection for the tests of the protocol: with
//! `SINFRAC_TEST_CRASH_AFTER=N`, the process exits at once with [`CODE`] (no
//! destructor runs, as under `kill -9`) at the N-th step that changes the
//! output directory, so a test can crash a build at every one of its steps in
//! turn.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The exit code of an injected crash.
pub const CODE: i32 = 86;

/// The variable that arms the crash.
const VAR: &str = "SINFRAC_TEST_CRASH_AFTER";

fn remaining() -> Option<&'static AtomicU64> {
    static LEFT: OnceLock<Option<AtomicU64>> = OnceLock::new();
    LEFT.get_or_init(|| std::env::var(VAR).ok()?.parse().ok().map(AtomicU64::new)).as_ref()
}

/// Marks one step that changes the output directory, just done (or about to be).
pub fn point() {
    if let Some(left) = remaining()
        && left.fetch_sub(1, Ordering::SeqCst) == 1
    {
        std::process::exit(CODE);
    }
}
