//! `hsl`: an interpreter for HSL, the Halon Scripting Language.

pub mod error;
pub mod module;
pub mod shared;
pub mod source;
pub mod span;
pub mod syntax;
pub mod value;

#[path = "../stdlib/mod.rs"]
pub mod stdlib;
pub mod compile;
pub mod eval;
pub mod ir;
pub mod output;
