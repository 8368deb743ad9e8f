//! The thread pool of parallel evaluation. Its threads get large stacks:
//! evaluation recurses as deep as the source nests (chains of `let`s become
//! chains of queries), and a worker must have the room the main thread has.

use std::sync::OnceLock;

/// Stack size of evaluation threads (reserved, not committed, until used).
pub const STACK_SIZE: usize = 256 * 1024 * 1024;

/// The shared pool (one thread per core).
pub fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("sinfra-eval-{i}"))
            .build()
            .unwrap_or_else(|_| rayon::ThreadPoolBuilder::new().build().expect("a thread pool"))
    })
}
