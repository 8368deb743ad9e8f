//! The parts of `sinfra-bench` other crates use: the per-input function of
//! the `check` fuzz target, shared by cargo-fuzz (`fuzz/`) and the stable
//! driver (`sinfra-bench fuzz-check`).

pub mod check_target;
