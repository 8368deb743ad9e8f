//! Whole-process measurements of a child: wall time and peak RSS from
//! `wait4`'s resource usage.

use std::io;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run of a child process.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// Wall time from spawn to reap.
    pub wall: Duration,
    /// Peak resident set size in bytes (`ru_maxrss`). On Linux it is at least this
    /// process's own at the spawn: measure children before the benchmark grows.
    pub max_rss: u64,
    /// The exit code, `None` when killed by a signal.
    pub code: Option<i32>,
}

/// Runs `cmd` with its output discarded and measures it.
pub fn run(cmd: &mut Command) -> io::Result<Run> {
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let (status, usage) = wait4(pid)?;
    let wall = start.elapsed();
    // The child is reaped; `Child` does not wait on drop.
    drop(child);
    let code = if libc::WIFEXITED(status) { Some(libc::WEXITSTATUS(status)) } else { None };
    // Linux reports `ru_maxrss` in KiB.
    Ok(Run { wall, max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024, code })
}

#[allow(unsafe_code)]
fn wait4(pid: libc::pid_t) -> io::Result<(libc::c_int, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, so all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live, writable locals of the right types.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((status, usage));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// The median of some durations (the mean of the middle two for an even count).
pub fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    match xs.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2,
    }
}
