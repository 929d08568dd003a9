//! TEMPORARY bridge until the regex helper's branch lands (replaced on merge).
use crate::error::{ErrorKind, Fallible, RuntimeError};
use crate::value::Value;
/// Compiles a regex literal.
pub fn compile_literal(_pattern: &[u8], _flags: &str) -> Result<Value, String> {
    Err("regular expressions are not built yet".into())
}
/// Matches.
pub fn is_match(_pattern: &Value, _subject: &[u8]) -> Fallible<bool> {
    Err(RuntimeError::new(ErrorKind::Regex, "regular expressions are not built yet").into())
}
