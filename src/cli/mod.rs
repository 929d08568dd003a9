//! The `hsl` command line: `run`, `check`, `test`, `repl`, `doc`. Exit codes live here, in one place:
//! 0 success, 1 a script failed (runtime error, failing test), 2 usage, syntax, static or fixture errors.
#![allow(clippy::print_stdout, clippy::print_stderr)] // the CLI is where output goes to the terminal

mod check;
mod doc;
pub mod render;
mod repl;
mod run;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use crate::eval::Limits;

/// Success.
pub const EXIT_OK: u8 = 0;
/// A script failed at run time, or a test failed.
pub const EXIT_FAILED: u8 = 1;
/// Bad usage, or a script/fixture that does not compile or validate.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(name = "hsl", version, about = "Run, check and test HSL (Halon Scripting Language) scripts")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable.
    Text,
    /// Machine-readable JSON.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run a script, optionally as a hook against a fixture.
    Run(run::RunArgs),
    /// Report syntax and static errors.
    Check(check::CheckArgs),
    /// Run `*.test.yaml` suites: scripts against fixtures, compared with expectations.
    Test(test::TestArgs),
    /// An interactive session (line editing, history, multi-line input).
    Repl(repl::ReplArgs),
    /// Show the documentation of a builtin function (or list them all).
    Doc(doc::DocArgs),
}

/// Limits as command-line flags (defaults are the engine's).
#[derive(ClapArgs, Clone, Debug)]
pub struct LimitArgs {
    /// Maximum loop iterations plus calls (0 = unlimited).
    #[arg(long, value_name = "N")]
    max_operations: Option<u64>,
    /// Maximum nested calls.
    #[arg(long, value_name = "N")]
    max_call_depth: Option<u32>,
    /// Wall-clock limit per run, in seconds (0 = none).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Maximum bytes in one string.
    #[arg(long, value_name = "BYTES")]
    max_string_size: Option<usize>,
    /// Maximum entries in one array.
    #[arg(long, value_name = "N")]
    max_array_size: Option<usize>,
    /// Maximum bytes a run may hold (0 = unlimited).
    #[arg(long, value_name = "BYTES")]
    max_memory: Option<usize>,
    /// Fix the clock at this Unix time (reproducible runs).
    #[arg(long, value_name = "UNIX_TIME")]
    time: Option<f64>,
    /// Seed randomness (reproducible runs).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        if let Some(n) = self.max_operations {
            limits.max_operations = (n > 0).then_some(n);
        }
        if let Some(n) = self.max_call_depth {
            limits.max_call_depth = n;
        }
        if let Some(seconds) = self.timeout {
            limits.deadline =
                (seconds > 0.0 && seconds.is_finite()).then(|| std::time::Duration::from_secs_f64(seconds.min(1e9)));
        }
        if let Some(n) = self.max_string_size {
            limits.max_string_size = n;
        }
        if let Some(n) = self.max_array_size {
            limits.max_array_size = n;
        }
        if let Some(n) = self.max_memory {
            limits.max_memory = (n > 0).then_some(n);
        }
        limits
    }

    /// An engine configured by these flags.
    pub fn engine(&self) -> crate::Engine {
        let mut builder = crate::Engine::builder().limits(self.limits());
        if let Some(time) = self.time {
            builder = builder.fixed_time(time);
        }
        if let Some(seed) = self.seed {
            builder = builder.seed(seed);
        }
        builder.build()
    }
}

/// Input files.
#[derive(ClapArgs, Clone, Debug)]
pub struct Files {
    /// Script files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    // Deep recursion in scripts is bounded by the call-depth limit; stacker grows the stack on demand,
    // and a large main stack keeps the common case off the slow path.
    let result = std::thread::Builder::new().stack_size(64 << 20).spawn(move || match cli.command {
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::check(args),
        Command::Test(args) => test::test(args),
        Command::Repl(args) => repl::repl(args),
        Command::Doc(args) => doc::doc(args),
    });
    match result.map(|handle| handle.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => {
            eprintln!("hsl: internal error");
            ExitCode::from(EXIT_FAILED)
        }
    }
}
