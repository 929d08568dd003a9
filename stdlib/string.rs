//! TEMPORARY bridge until the string helper's branch lands (replaced on merge).
use crate::value::Array;
/// `%` formatting.
pub fn format(_template: &[u8], _values: &Array) -> Result<Vec<u8>, String> {
    Err("formatting is not built yet".into())
}
/// String repetition.
pub fn repeat(bytes: &[u8], count: f64) -> Result<Vec<u8>, String> {
    if count < 0.0 {
        return Err("negative".into());
    }
    Ok(bytes.repeat(count as usize))
}
