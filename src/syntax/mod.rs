//! Source text to syntax tree: a logos lexer, a LALRPOP grammar, and a canonical printer.

pub mod ast;
