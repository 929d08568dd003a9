//! Types and conversion (stdlib.md §2).

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::Value;

fn length(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(match args.any(0) {
        Value::Array(array) => Value::from(array.len()),
        Value::String(text) => Value::from(text.len()),
        _ => Value::None,
    })
}

fn boolean(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::bool(args.any(0).truthy()))
}

fn number(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(args.any(0).to_number()))
}

fn string(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(match args.any(0) {
        Value::String(text) => Value::String(text.clone()),
        other => Value::from(other.to_display()),
    })
}

fn is_array(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::bool(matches!(args.any(0), Value::Array(_))))
}

fn is_boolean(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::bool(matches!(args.any(0), Value::Bool(_))))
}

fn is_function(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::bool(matches!(args.any(0), Value::Function(_))))
}

fn is_number(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::bool(matches!(args.any(0), Value::Number(_))))
}

/// Q-LIB-17: true for class instances and every builtin object (X509, Exception, Regex), false for resources.
fn is_object(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::bool(matches!(args.any(0), Value::Object(_))))
}

fn is_string(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::bool(matches!(args.any(0), Value::String(_))))
}

macro_rules! def {
    ($name:ident, $signature:literal, $summary:literal, $example:literal) => {
        NativeDef {
            name: stringify!($name),
            signature: $signature,
            summary: $summary,
            example: $example,
            min: 1,
            max: 1,
            func: $name,
        }
    };
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    def!(
        length,
        "length(any v) → number|none",
        "Element count of an array, byte count of a string, none otherwise.",
        "echo length([1, 2]); // 2"
    ),
    def!(boolean, "boolean(any v) → boolean", "Truthiness of a value.", "echo boolean(\"0\"); // true"),
    def!(
        number,
        "number(any v) → number",
        "Numeric value; decimal and 0x strings are parsed, anything else is 0.",
        "echo number(\"0x1F\"); // 31"
    ),
    def!(string, "string(any v) → string", "The string form of a value.", "echo string([1]); // [0=>1]"),
    def!(is_array, "is_array(any v) → boolean", "Whether the value is an array.", "echo is_array([]); // true"),
    def!(
        is_boolean,
        "is_boolean(any v) → boolean",
        "Whether the value is a boolean.",
        "echo is_boolean(false); // true"
    ),
    def!(
        is_function,
        "is_function(any v) → boolean",
        "Whether the value is callable.",
        "echo is_function(strlen); // true"
    ),
    def!(is_number, "is_number(any v) → boolean", "Whether the value is a number.", "echo is_number(\"1\"); // false"),
    def!(
        is_object,
        "is_object(any v) → boolean",
        "Whether the value is an object (class or builtin-class instance).",
        "echo is_object(Exception(\"x\")); // true"
    ),
    def!(is_string, "is_string(any v) → boolean", "Whether the value is a string.", "echo is_string(\"\"); // true"),
];

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::call;
    use crate::value::{Array, Value};

    #[test]
    fn length_counts_bytes_and_entries() {
        assert_eq!(call("length", &[Value::from("é")]).unwrap().to_number(), 2.0);
        assert_eq!(call("length", &[Value::Array(Array::from_values([Value::None]))]).unwrap().to_number(), 1.0);
        assert!(call("length", &[Value::number(5.0)]).unwrap().is_none());
    }

    #[test]
    fn conversions() {
        assert_eq!(call("number", &[Value::from(" 12 ")]).unwrap().to_number(), 12.0);
        assert_eq!(call("number", &[Value::from("12abc")]).unwrap().to_number(), 0.0);
        assert_eq!(call("string", &[Value::bool(true)]).unwrap().to_display_string(), "true");
        assert!(call("boolean", &[Value::from("0")]).unwrap().truthy());
        assert!(call("is_string", &[Value::None]).unwrap().strict_eq(&Value::bool(false)));
    }
}
