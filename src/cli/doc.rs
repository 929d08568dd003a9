//! `hsl doc [NAME]`: documentation of builtin functions, from the same registry that registers them.

use clap::Args;

use super::{EXIT_FAILED, EXIT_OK};

#[derive(Args)]
pub struct DocArgs {
    /// A function or class name; without it, every function is listed.
    name: Option<String>,
    /// Print the full reference as a Markdown table.
    #[arg(long)]
    markdown: bool,
}

pub fn doc(args: DocArgs) -> u8 {
    let engine = crate::Engine::new();
    let natives = engine.natives();
    if args.markdown {
        println!("| function | signature | description |\n|---|---|---|");
        for def in natives.docs() {
            println!(
                "| `{}` | `{}` | {} |",
                def.name,
                def.signature.replace('|', "\\|"),
                def.summary.replace('|', "\\|")
            );
        }
        for class in natives.classes() {
            println!("| `{}` (class) | | {} |", class.name, class.summary);
        }
        return EXIT_OK;
    }
    match &args.name {
        None => {
            for def in natives.docs() {
                println!("{:<28} {}", def.name, def.summary);
            }
            for class in natives.classes() {
                println!("{:<28} (class) {}", class.name, class.summary);
            }
            EXIT_OK
        }
        Some(name) => {
            if let Some(def) = natives.doc(name) {
                println!("{}\n\n{}\n\nExample:\n    {}", def.signature, def.summary, def.example);
                return EXIT_OK;
            }
            if let Some(class) = natives.class(name) {
                println!("class {}\n\n{}", class.name, class.summary);
                if let Some(constructor) = &class.constructor {
                    println!("\n{}", constructor.signature);
                }
                for def in class.statics {
                    println!("{}::{}  {}", class.name, def.signature, def.summary);
                }
                for method in class.methods {
                    println!("->{}  {}", method.signature, method.summary);
                }
                return EXIT_OK;
            }
            eprintln!("hsl: no builtin function or class named `{name}`");
            EXIT_FAILED
        }
    }
}
