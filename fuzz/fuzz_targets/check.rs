//! The whole checker never panics: arbitrary bytes as the single file of a
//! project, through `project_diagnostics` and the emitter. One database is
//! kept across inputs (see `sinfra_bench::check_target`), so the stdlib is
//! parsed and checked once, not once per input.
#![no_main]

use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use sinfra_bench::check_target::CheckTarget;

static TARGET: Mutex<Option<CheckTarget>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let mut target = TARGET.lock().unwrap_or_else(|e| e.into_inner());
    target.get_or_insert_with(CheckTarget::new).run(data);
});
