//! Source text to syntax tree: a logos lexer, a LALRPOP grammar, and a canonical printer.

pub(crate) mod actions;
pub mod ast;
pub mod dump;
pub mod lexer;
mod parser;
pub mod print;
pub mod token;

pub use dump::{dump, strip_spans};
pub use print::print;

use crate::error::Diagnostics;
use crate::source::SourceFile;

/// How deep expressions, statements and brackets may nest. Everything downstream recurses over the tree,
/// so this bound is what keeps hostile input from overflowing the stack.
pub const MAX_NESTING: u32 = 200;

/// Parses a file.
pub fn parse(file: &SourceFile) -> Result<ast::Script, Diagnostics> {
    parser::parse(file, 0)
}

/// Parses with every span offset by `base` (program-wide positions for multi-file programs).
pub fn parse_at(file: &SourceFile, base: u32) -> Result<ast::Script, Diagnostics> {
    parser::parse(file, base)
}
