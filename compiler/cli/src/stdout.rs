//! Standard output that may be closed early (`sinfrac plan | head`): the
//! rest of the output is dropped quietly, as `cat` does, instead of the
//! panic `print!` raises. Any other failure (a full disk behind a
//! redirection) is reported once on standard error and fails the command.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static FAILED: AtomicBool = AtomicBool::new(false);
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `args` to standard output; see the module documentation.
pub fn write(args: fmt::Arguments<'_>) {
    if CLOSED.load(Ordering::Relaxed) || FAILED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    match out.write_fmt(args) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => CLOSED.store(true, Ordering::Relaxed),
        Err(e) => {
            FAILED.store(true, Ordering::Relaxed);
            eprintln!("error: cannot write to standard output: {e}");
        }
    }
}

/// Flushes standard output; whether everything written so far arrived
/// (a closed pipe counts as arrived: its reader wanted no more).
pub fn finish() -> bool {
    if !CLOSED.load(Ordering::Relaxed)
        && let Err(e) = std::io::stdout().lock().flush()
        && e.kind() != ErrorKind::BrokenPipe
        && !FAILED.swap(true, Ordering::Relaxed)
    {
        eprintln!("error: cannot write to standard output: {e}");
    }
    !FAILED.load(Ordering::Relaxed)
}

/// `print!` through [`write`].
macro_rules! out {
    ($($t:tt)*) => { $crate::stdout::write(format_args!($($t)*)) };
}

/// `println!` through [`write`].
macro_rules! outln {
    ($($t:tt)*) => { $crate::stdout::write(format_args!("{}\n", format_args!($($t)*))) };
}
