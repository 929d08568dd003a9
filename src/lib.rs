//! `hsl`: a fast, embeddable interpreter for HSL, the Halon Scripting Language.
//!
//! Compile a hook script once, run it for every connection:
//!
//! ```
//! use hsl::Engine;
//!
//! let engine = Engine::new();
//! let script = engine
//!     .compile_hook("disconnect", "log.hsl", r#"
//!         $n = ($context["closed"] ?? 0) + 1;
//!         $context = ["closed" => $n];
//!         echo "closed by " . $arguments["close"];
//!         Pass();
//!     "#)
//!     .expect("compiles");
//! let spec = engine.hook("disconnect").expect("built in");
//! let inputs = hsl::hook::fixture::inputs_from_json(
//!     spec,
//!     &serde_json::json!({
//!         "arguments": {"close": "remote"},
//!         "connection": {"id": "c1", "serverid": "inbound"}
//!     }),
//!     std::path::Path::new("."),
//! )
//! .expect("valid inputs");
//! let mut echoed = Vec::new();
//! let outcome = script.run_hook(&inputs, &mut echoed, &Default::default());
//! assert_eq!(&*outcome.action, "Pass");
//! assert_eq!(outcome.how.name(), "explicit");
//! assert_eq!(echoed, b"closed by remote\n");
//! assert_eq!(outcome.context().to_display_string(), r#"["closed"=>1]"#);
//! ```

pub mod cli;
pub mod compile;
pub mod engine;
pub mod error;
pub mod eval;
pub mod hook;
pub mod ir;
pub mod memory;
pub mod module;
pub mod output;
pub mod shared;
pub mod source;
pub mod span;
pub mod syntax;
pub mod value;

#[path = "../stdlib/mod.rs"]
pub mod stdlib;

pub use engine::{Engine, EngineBuilder, RunOptions, Script};
pub use error::{Diagnostic, Diagnostics, ErrorKind, LimitKind, RuntimeError};
pub use eval::Limits;
pub use hook::{HookSpec, How, Outcome};
pub use memory::TrackingAllocator;
pub use module::{Args, Module, NativeCtx};
pub use output::Output;
pub use value::Value;
