//! `hsl run [--hook NAME --fixture FILE] SCRIPT`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::render::{render, runtime_json};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, Format, LimitArgs};
use crate::hook::How;
use crate::hook::fixture::{HookInputs, inputs_from_json, load_fixture};
use crate::output::WriteOutput;

#[derive(Args)]
pub struct RunArgs {
    /// The script.
    script: PathBuf,
    /// Run as this hook (e.g. `disconnect`).
    #[arg(long)]
    hook: Option<String>,
    /// JSON or YAML file with the hook's globals.
    #[arg(long, requires = "hook")]
    fixture: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    limits: LimitArgs,
}

pub fn run(args: RunArgs) -> u8 {
    let engine = args.limits.engine();
    let spec = match &args.hook {
        Some(name) => match engine.hook(name) {
            Some(spec) => Some(spec.clone()),
            None => {
                let known: Vec<&str> = engine.hook_names().collect();
                eprintln!("hsl: unknown hook `{name}` (known: {})", known.join(", "));
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let inputs = match (&spec, &args.fixture) {
        (Some(spec), Some(path)) => match load_fixture(spec, path) {
            Ok(inputs) => inputs,
            Err(diagnostics) => {
                for diagnostic in &diagnostics {
                    eprint!("{}", render(diagnostic));
                }
                return EXIT_USAGE;
            }
        },
        (Some(spec), None) => match inputs_from_json(spec, &json!({}), std::path::Path::new(".")) {
            Ok(inputs) => inputs,
            Err(errors) => {
                for error in errors {
                    eprintln!("hsl: no --fixture given; {}: {}", error.path, error.message);
                }
                return EXIT_USAGE;
            }
        },
        _ => HookInputs::default(),
    };
    let script = match engine.compile_file(&args.script, args.hook.as_deref()) {
        Ok(script) => script,
        Err(diagnostics) => {
            for diagnostic in &diagnostics.0 {
                eprint!("{}", render(diagnostic));
            }
            return EXIT_USAGE;
        }
    };
    let json_output = args.format == Format::Json;
    let mut captured = Vec::new();
    let stdout = std::io::stdout();
    let mut live = WriteOutput(stdout.lock());
    let output: &mut dyn crate::Output = if json_output { &mut captured } else { &mut live };
    let outcome = script.run_hook(&inputs, output, &Default::default());
    drop(live);
    let report = outcome.error().map(|error| script.report(error.clone()));
    if json_output {
        let value = json!({
            "outcome": outcome.action.to_lowercase(),
            "how": outcome.how.name(),
            "echo": String::from_utf8_lossy(&captured),
            "context": crate::value::json::to_json(outcome.context()),
            "error": report.as_ref().map(runtime_json),
        });
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{value}");
    } else {
        if let Some(report) = &report {
            eprint!("{}", render(report));
        }
        if spec.is_some() {
            eprintln!("{} ({})", outcome.action.to_lowercase(), outcome.how.name());
        }
    }
    match outcome.how {
        How::Error(_) => EXIT_FAILED,
        _ => EXIT_OK,
    }
}
