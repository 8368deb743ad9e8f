//! `sinfra-bench fuzz-check`: the `check` fuzz target on stable Rust.
//!
//! Runs [`CheckTarget::run`] — the per-input function cargo-fuzz runs in
//! `fuzz/fuzz_targets/check.rs` — over a seed corpus, then over random
//! mutations of it for a given time, and prints the executions per second.
//! There is no coverage feedback: an input joins the pool when it produces a
//! set of diagnostic codes not seen before, and replaces the pool's input for
//! a set it reproduces when it is shorter (as libFuzzer's `-reduce_inputs`
//! does), which keeps some variety and lets the pool shrink. The first panic
//! is saved to the crash directory and stops the run.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sinfra_bench::check_target::CheckTarget;

/// What `fuzz-check` is told.
pub struct Settings {
    /// How long to run.
    pub seconds: u64,
    /// Seed inputs (every file of the directory).
    pub corpus: PathBuf,
    /// A libFuzzer-style dictionary (`"token"` lines), used by the mutator.
    pub dict: Option<PathBuf>,
    /// Where a crashing input is written.
    pub crashes: PathBuf,
    /// The random seed.
    pub seed: u64,
    /// The longest input generated, in bytes.
    pub max_len: usize,
}

/// What a run did.
pub struct Outcome {
    /// Inputs executed.
    pub executions: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// The input that panicked, saved here.
    pub crash: Option<PathBuf>,
}

/// Runs the fuzz loop on the current thread (which needs a large stack, as `sinfrac`'s has).
pub fn run(settings: &Settings) -> io::Result<Outcome> {
    let mut pool = read_corpus(&settings.corpus)?;
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    let dict = match &settings.dict {
        Some(path) => read_dict(path)?,
        None => Vec::new(),
    };
    let mut target = CheckTarget::new();
    let mut rng = Rng(settings.seed.max(1));
    // Diagnostic codes reported → the pool entry that reported them.
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(settings.seconds);
    let mut next_report = start + Duration::from_secs(10);
    let mut executions = 0u64;
    let mut slowest = (Duration::ZERO, Vec::new());
    let seeds = pool.len();
    let mut i = 0usize;
    loop {
        let input = if i < seeds { pool[i].clone() } else { mutate(&pool, &dict, &mut rng, settings.max_len) };
        i += 1;
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| target.run(&input)));
        let took = t.elapsed();
        executions += 1;
        let Ok(codes) = result else {
            fs::create_dir_all(&settings.crashes)?;
            let path = settings.crashes.join(format!("crash-{:016x}.sinfra", fnv(&input)));
            fs::write(&path, &input)?;
            eprintln!("panic on an input, saved to {}", path.display());
            return Ok(Outcome { executions, elapsed: start.elapsed(), crash: Some(path) });
        };
        if took > slowest.0 {
            slowest = (took, input.clone());
        }
        match seen.get(&codes) {
            Some(&at) if at >= seeds && input.len() < pool[at].len() => pool[at] = input,
            Some(_) => {}
            None if pool.len() < 4_096 => {
                let at = if i <= seeds { i - 1 } else { pool.len() };
                if at == pool.len() {
                    pool.push(input);
                }
                seen.insert(codes, at);
            }
            None => {}
        }
        let now = Instant::now();
        if now >= next_report {
            report(executions, now - start, pool.len(), slowest.0);
            next_report += Duration::from_secs(10);
        }
        if now >= deadline && i >= seeds {
            break;
        }
    }
    let elapsed = start.elapsed();
    report(executions, elapsed, pool.len(), slowest.0);
    if !slowest.1.is_empty() {
        fs::create_dir_all(&settings.crashes)?;
        fs::write(settings.crashes.join("slowest.sinfra"), &slowest.1)?;
    }
    Ok(Outcome { executions, elapsed, crash: None })
}

fn report(executions: u64, elapsed: Duration, pool: usize, slowest: Duration) {
    let rate = executions as f64 / elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "#{executions} in {:.0} s: {rate:.0} exec/s, pool {pool}, slowest input {:.1} ms",
        elapsed.as_secs_f64(),
        slowest.as_secs_f64() * 1e3
    );
}

fn read_corpus(dir: &Path) -> io::Result<Vec<Vec<u8>>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    paths.sort();
    paths.into_iter().filter(|p| p.is_file()).map(fs::read).collect()
}

/// The quoted tokens of a libFuzzer dictionary (`"let"`, `kw="in"`); `#` starts a comment.
fn read_dict(path: &Path) -> io::Result<Vec<Vec<u8>>> {
    let text = fs::read_to_string(path)?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let start = l.find('"')?;
            let end = l.rfind('"')?;
            (end > start).then(|| l[start + 1..end].replace("\\\"", "\"").replace("\\\\", "\\").into_bytes())
        })
        .collect())
}

/// Single bytes the mutator inserts: the language's punctuation and a few others.
const ALPHABET: &[u8] = b"{}[]()=,.\"$\n +-*/!<>?@:0aZ_\\\0";

/// A mutation of a pool entry: one to four edits (flip, insert a token,
/// delete, duplicate, splice with another entry).
fn mutate(pool: &[Vec<u8>], dict: &[Vec<u8>], rng: &mut Rng, max_len: usize) -> Vec<u8> {
    let mut data = pool[rng.below(pool.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        let at = rng.below(len + 1);
        match rng.below(6) {
            0 if len > 0 => data[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if !dict.is_empty() => {
                let tok = &dict[rng.below(dict.len())];
                data.splice(at..at, tok.iter().copied().chain([b' ']));
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(len);
                data.drain(at.min(end)..end);
            }
            3 => {
                let end = (at + 1 + rng.below(64)).min(len);
                let piece = data[at.min(end)..end].to_vec();
                data.splice(at..at, piece);
            }
            4 => {
                let other = &pool[rng.below(pool.len())];
                let from = rng.below(other.len() + 1);
                let end = (from + 1 + rng.below(256)).min(other.len());
                data.splice(at..at, other[from.min(end)..end].iter().copied());
            }
            _ => data.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
        }
    }
    data.truncate(max_len);
    data
}

/// xorshift64*: reproducible, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// FNV-1a, to name crash files by content.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
