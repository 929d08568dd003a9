//! `hsl check FILE...`: syntax and static errors, as miette diagnostics or JSON lines.

use clap::Args;

use super::render::{diagnostic_json, render};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, Files, Format};

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    files: Files,
    /// Check as a script of this hook (its globals and actions are in scope).
    #[arg(long)]
    hook: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn check(args: CheckArgs) -> u8 {
    let engine = crate::Engine::new();
    if let Some(hook) = &args.hook
        && engine.hook(hook).is_none()
    {
        let known: Vec<&str> = engine.hook_names().collect();
        eprintln!("hsl: unknown hook `{hook}` (known: {})", known.join(", "));
        return EXIT_USAGE;
    }
    let mut failed = false;
    for path in &args.files.files {
        match engine.compile_file(path, args.hook.as_deref()) {
            Ok(_) => {
                if args.format == Format::Text {
                    eprintln!("{}: ok", path.display());
                }
            }
            Err(diagnostics) => {
                failed = true;
                for diagnostic in &diagnostics.0 {
                    match args.format {
                        Format::Text => eprint!("{}", render(diagnostic)),
                        Format::Json => println!("{}", diagnostic_json(diagnostic)),
                    }
                }
            }
        }
    }
    if failed { EXIT_FAILED } else { EXIT_OK }
}
