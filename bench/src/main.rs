//! `sinfra-bench`: the synthetic project generator and the benchmark driver
//! for `sinfrac`. See `docs/performance.md`.

mod disk;
mod fuzz;
mod generate;
mod inproc;
mod lsp;
mod measure;
mod run;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The allocator `sinfrac` uses, so that in-process timings compare.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Synthetic projects and benchmarks for sinfrac.
#[derive(Parser)]
#[command(name = "sinfra-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes a synthetic project shaped like examples/acme.
    Generate {
        /// Number of services.
        #[arg(long, default_value_t = 100)]
        services: usize,
        /// Services per file.
        #[arg(long, default_value_t = generate::DEFAULT_PER_FILE)]
        per_file: usize,
        /// The project directory (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Generates projects and times `sinfrac check` and `sinfrac build` on them.
    Run {
        /// Numbers of services, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "100,1000")]
        sizes: Vec<usize>,
        /// The sinfrac binary; by default the one next to this binary.
        #[arg(long)]
        sinfrac: Option<PathBuf>,
        /// Timed runs per measurement (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Services per generated file.
        #[arg(long, default_value_t = generate::DEFAULT_PER_FILE)]
        per_file: usize,
        /// The example project to time as well (skipped when missing).
        #[arg(long, default_value = "examples/acme")]
        example: PathBuf,
        /// Where to generate projects; a fresh directory under the system temp dir by default.
        #[arg(long)]
        work: Option<PathBuf>,
        /// Where to time rebuilds into an existing output: a directory on the disk you
        /// work on; by default beside this binary in cargo's target directory.
        #[arg(long, value_name = "DIR")]
        disk_work: Option<PathBuf>,
        /// Do not time rebuilds on the working disk.
        #[arg(long, conflicts_with = "disk_work")]
        no_disk: bool,
        /// Keep the generated projects and build outputs.
        #[arg(long)]
        keep: bool,
    },
    /// Times the language server over stdio on a generated project: first
    /// diagnostics, edit → diagnostics, hover and completion (p50/p95), memory.
    Lsp {
        /// Number of services.
        #[arg(long, default_value_t = 1000)]
        services: usize,
        /// Edits, hovers and completions, each.
        #[arg(long, default_value_t = 100)]
        repeat: usize,
        /// The sinfra-lsp binary; by default the one next to this binary.
        #[arg(long)]
        server: Option<PathBuf>,
        /// Where to generate the project.
        #[arg(long)]
        work: Option<PathBuf>,
    },
    /// Times `sinfrac build --watch` on a generated project: one service edited,
    /// the time until its files are rewritten (p50/p95), and where it goes.
    Watch {
        /// Number of services.
        #[arg(long, default_value_t = 1000)]
        services: usize,
        /// Edits timed.
        #[arg(long, default_value_t = 20)]
        edits: usize,
        /// The sinfrac binary; by default the one next to this binary.
        #[arg(long)]
        sinfrac: Option<PathBuf>,
        /// Where to generate the project; a fresh directory under the system temp dir by default.
        #[arg(long)]
        work: Option<PathBuf>,
        /// The output directory (default: the project's own, under `--work`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Runs the `check` fuzz target on stable Rust: the seed corpus, then random
    /// mutations of it, for a given time; prints executions per second.
    FuzzCheck {
        /// How long to run, in seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// The seed corpus directory.
        #[arg(long, default_value = "tests/corpus/check")]
        corpus: PathBuf,
        /// A libFuzzer dictionary for the mutator.
        #[arg(long, default_value = "fuzz/sinfra.dict")]
        dict: PathBuf,
        /// Where a crashing input (and the slowest input) is written.
        #[arg(long, default_value = "fuzz-crashes")]
        crashes: PathBuf,
        /// The random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The longest input generated, in bytes.
        #[arg(long, default_value_t = 16_384)]
        max_len: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Generate { services, per_file, out } => generate::write_project(&out, services, per_file).map(|()| {
            eprintln!(
                "wrote {services} services to {} ({} stacks; `sinfrac build` writes {} documents)",
                out.display(),
                generate::STACKS,
                generate::expected_documents(services)
            );
        }),
        Cmd::Run { sizes, sinfrac, runs, per_file, example, work, disk_work, no_disk, keep } => {
            let sinfrac = sinfrac.unwrap_or_else(default_sinfrac);
            let work =
                work.unwrap_or_else(|| std::env::temp_dir().join(format!("sinfra-bench-{}", std::process::id())));
            let disk = (!no_disk).then(|| disk_work.unwrap_or_else(disk::default_dir));
            let settings = run::Settings { sizes, sinfrac, runs, per_file, example: Some(example), work, disk, keep };
            run::run(&settings).map(|_| ())
        }
        Cmd::Lsp { services, repeat, server, work } => {
            let exe_dir = std::env::current_exe().ok().and_then(|e| e.parent().map(PathBuf::from)).unwrap_or_default();
            let server = server.unwrap_or_else(|| lsp::default_server(&exe_dir));
            let work =
                work.unwrap_or_else(|| std::env::temp_dir().join(format!("sinfra-bench-lsp-{}", std::process::id())));
            lsp::run(&lsp::Settings { services, repeat, server, work })
        }
        Cmd::Watch { services, edits, sinfrac, work, out } => {
            let sinfrac = sinfrac.unwrap_or_else(default_sinfrac);
            let work =
                work.unwrap_or_else(|| std::env::temp_dir().join(format!("sinfra-bench-watch-{}", std::process::id())));
            watch::run(&watch::Settings { services, edits, sinfrac, work, out })
        }
        Cmd::FuzzCheck { seconds, corpus, dict, crashes, seed, max_len } => {
            let settings = fuzz::Settings { seconds, corpus, dict: Some(dict), crashes, seed, max_len };
            // On a thread with the stack `sinfrac` gives the compiler.
            let worker = std::thread::Builder::new()
                .stack_size(sinfra_compiler::parallel::STACK_SIZE)
                .spawn(move || fuzz::run(&settings));
            match worker.map(|w| w.join()) {
                Ok(Ok(Ok(outcome))) if outcome.crash.is_some() => return ExitCode::FAILURE,
                Ok(Ok(Ok(outcome))) => {
                    eprintln!("{} executions in {:.1} s, no panic", outcome.executions, outcome.elapsed.as_secs_f64());
                    Ok(())
                }
                Ok(Ok(Err(e))) => Err(e),
                Ok(Err(_)) => Err(std::io::Error::other("the fuzz thread panicked")),
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `sinfrac` next to this binary (both live in `target/<profile>/`).
fn default_sinfrac() -> PathBuf {
    let name = format!("sinfrac{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join(&name)))
        .unwrap_or_else(|| PathBuf::from(name))
}
