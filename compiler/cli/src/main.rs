//! `sinfrac`: the sinfra compiler's command line.

#[macro_use]
mod stdout;
mod commands;
use sinfra_loader as loader;
mod outdir;
mod output;
mod render;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// The evaluator allocates many small values; mimalloc is markedly faster than glibc's malloc at that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// sinfra's compiler: typed services and cloud resources across tiers and regions,
/// compiled to Kubernetes manifests and Argo CD Applications.
#[derive(Parser)]
#[command(name = "sinfrac", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered for a terminal (colour unless `NO_COLOR` is set or the output is not a terminal).
    Human,
    /// One JSON document on stdout.
    Json,
    /// SARIF 2.1.0 on stdout, for code-scanning tools.
    Sarif,
}

#[derive(Subcommand)]
enum Command {
    /// Report every problem of the project; writes nothing. Exit 0 clean, 1 errors, 2 usage or I/O.
    Check {
        /// A path inside the project (default: the current directory).
        path: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Write the Kubernetes manifests and Argo CD Applications of every stack, atomically.
    ///
    /// Exit 0 written (or up to date with `--check`), 1 errors (or stale with `--check`),
    /// 2 usage or I/O, 4 a protected object would be deleted (nothing written).
    Build {
        /// A path inside the project (default: the current directory).
        path: Option<PathBuf>,
        /// Output directory (default: `out` of sinfra.toml, relative to the project root).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Build only these stacks (repeatable); other stacks' files are kept.
        #[arg(long = "stack", value_name = "STACK")]
        stacks: Vec<String>,
        /// Write nothing; exit 1 with a diff when the output directory differs from the sources.
        #[arg(long)]
        check: bool,
        /// Keep running: rebuild what each saved edit touches.
        #[arg(long, conflicts_with_all = ["check", "stacks", "allow_delete"])]
        watch: bool,
        /// Allow deleting this protected object, `STACK/KIND/NAME` (repeatable); without it,
        /// removing an object of a protected tier or item is refused with exit code 4.
        #[arg(long = "allow-delete", value_name = "STACK/KIND/NAME")]
        allow_delete: Vec<String>,
        /// Output format of diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show what a build would change, per stack, without writing anything.
    ///
    /// Builds in memory and compares with the previous output object by object: added,
    /// changed (field by field), removed, moved between files; one verdict per stack.
    /// Exit codes: 0 no change, 3 changes, 1 errors in the project, 2 usage or I/O,
    /// 4 a protected object would be deleted without being allowed.
    Plan {
        /// A path inside the project (default: the current directory).
        path: Option<PathBuf>,
        /// The previous output to compare with (default: `out` of sinfra.toml).
        #[arg(long, value_name = "DIR")]
        against: Option<PathBuf>,
        /// Compare with the output committed at this git revision (`main`, `HEAD~1`), read without a checkout.
        #[arg(long, value_name = "REV", conflicts_with = "against")]
        against_rev: Option<String>,
        /// Plan only these stacks (repeatable).
        #[arg(long = "stack", value_name = "STACK")]
        stacks: Vec<String>,
        /// Output format: `markdown` is a pull-request comment, `json` is for bots.
        #[arg(long, value_enum, default_value_t = commands::plan::PlanFormat::Human)]
        format: commands::plan::PlanFormat,
        /// Allow deleting this protected object, `STACK/KIND/NAME` (repeatable).
        #[arg(long = "allow-delete", value_name = "STACK/KIND/NAME")]
        allow_delete: Vec<String>,
    },
    /// Print which service uses which resource, per stack (DOT, Mermaid or JSON).
    ///
    /// Shared resources form their own group, cross-region uses are dashed, uses of
    /// another tier (E0301) are red, protected instances have a double border (DOT) or 🔒.
    Graph {
        /// A path inside the project (default: the current directory).
        path: Option<PathBuf>,
        /// Only these stacks (repeatable).
        #[arg(long = "stack", value_name = "STACK")]
        stacks: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = commands::graph::GraphFormat::Dot)]
        format: commands::graph::GraphFormat,
    },
    /// Print the values the compiler computes for an item in a stack.
    Eval {
        /// A path inside the project (default: the current directory).
        #[arg(conflicts_with = "path_flag")]
        path: Option<PathBuf>,
        /// The item to show (a service, resource or `let`); every instance when omitted.
        #[arg(long)]
        item: Option<String>,
        /// The stack (required when the project has more than one).
        #[arg(long)]
        stack: Option<String>,
        /// The same as the positional PATH (the spelling of earlier versions).
        #[arg(long = "path", hide = true)]
        path_flag: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Yaml)]
        format: EvalFormat,
    },
    /// Rewrite `.sinfra` files in the canonical layout (comments and blank-line groups kept).
    ///
    /// Without a path, every source of the project at `.`; a directory means the sources
    /// below it, a file that file, `-` standard input to standard output. Exit codes:
    /// 0 formatted (or already formatted), 1 with `--check` when a file would change,
    /// 2 a syntax error (the file is left untouched), usage or I/O.
    Fmt {
        /// Files or directories (default: the project at `.`); `-` for standard input.
        paths: Vec<PathBuf>,
        /// Write nothing; list the files that would change and exit 1 if any would.
        #[arg(long)]
        check: bool,
    },
    /// Write the Markdown reference of the standard library: one page per module
    /// (every schema with its fields' types, defaults and docs, every type, function
    /// and constant), read from the doc comments, and a `README.md` index.
    ///
    /// With PATH, the project's own files get a page each too.
    Doc {
        /// A path inside a project whose files are documented too (default: the stdlib only).
        path: Option<PathBuf>,
        /// Output directory; its pages are overwritten.
        #[arg(long, default_value = "sinfra-doc")]
        out: PathBuf,
    },
    /// Explain a diagnostic code, e.g. `sinfrac explain E0301`.
    Explain {
        /// The code (`E0301`); lists every code when omitted.
        code: Option<String>,
    },
    /// Where each field of a generated file comes from: the source line that
    /// computed it (the user's, not the stdlib template that copied it) and
    /// the resources and secrets it is derived from.
    #[command(name = "explain-output")]
    ExplainOutput {
        /// The generated file: `prod-us/api.yaml`, or with the output directory, `deploy/prod-us/api.yaml`.
        file: String,
        /// A YAML path in it (`spec.replicas`, `Deployment.spec.template.spec.containers[0].image`); every field when omitted.
        field: Option<String>,
        /// A path inside the project (default: the current directory).
        #[arg(long)]
        path: Option<PathBuf>,
        /// Output format: `yaml` prints text for people, `json` for tools.
        #[arg(long, value_enum, default_value_t = EvalFormat::Yaml)]
        format: EvalFormat,
    },
}

/// How `eval` prints values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// Whether to colour terminal output.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn main() -> ExitCode {
    // Parse before spawning so that `--help` and usage errors behave as usual.
    let cli = Cli::parse();
    // Deeply nested input recurses deeply; run on a thread with room for it
    // (parallel evaluation has its own pool, with the same room).
    let worker = std::thread::Builder::new().stack_size(sinfra_compiler::parallel::STACK_SIZE).spawn(move || run(cli));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) if stdout::finish() => code,
        Ok(Ok(_)) => ExitCode::FAILURE,
        _ => {
            eprintln!("error: internal error: the compiler crashed; please report this with the input that caused it");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> ExitCode {
    let cwd = PathBuf::from(".");
    let result = match cli.command {
        Command::Check { path, format } => commands::check::run(path.as_deref().unwrap_or(&cwd), format),
        Command::Build { path, out, watch: true, format, .. } => {
            commands::watch::run(path.as_deref().unwrap_or(&cwd), out.as_deref(), format)
        }
        Command::Build { path, out, stacks, check, format, allow_delete, .. } => commands::build::run(
            path.as_deref().unwrap_or(&cwd),
            out.as_deref(),
            &commands::build::Selection { stacks: &stacks, allow_delete: &allow_delete },
            check,
            format,
        ),
        Command::Plan { path, against, against_rev, stacks, format, allow_delete } => commands::plan::run(
            path.as_deref().unwrap_or(&cwd),
            &commands::plan::PlanArgs {
                against: against.as_deref(),
                against_rev: against_rev.as_deref(),
                stacks: &stacks,
                allow_delete: &allow_delete,
                format,
            },
        ),
        Command::Graph { path, stacks, format } => {
            commands::graph::run(path.as_deref().unwrap_or(&cwd), &stacks, format)
        }
        Command::Eval { path, item, stack, path_flag, format } => {
            let path = path.or(path_flag);
            commands::eval::run(path.as_deref().unwrap_or(&cwd), item.as_deref(), stack.as_deref(), format)
        }
        Command::Doc { path, out } => commands::doc::run(path.as_deref(), &out),
        Command::Fmt { paths, check } => commands::fmt::run(&paths, check),
        Command::Explain { code } => commands::explain::run(code.as_deref()),
        Command::ExplainOutput { file, field, path, format } => {
            commands::explain_output::run(path.as_deref().unwrap_or(&cwd), &file, field.as_deref(), format)
        }
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}
