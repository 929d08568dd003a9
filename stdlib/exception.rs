//! The builtin `Exception` class (stdlib.md §13.3): what `throw Exception("...")` creates and what `catch`
//! receives for the interpreter's own runtime errors.

use crate::error::Fallible;
use crate::module::{Args, NativeClass, NativeCtx, NativeDef, NativeMethodDef};
use crate::value::{Object, Str, Value};

/// What an `Exception` object holds.
#[derive(Clone, Debug)]
pub struct ExceptionState {
    /// The message.
    pub message: Str,
    /// Where a builtin runtime error happened: file, line, column.
    pub location: Option<(Str, f64, f64)>,
    /// The error's kind name for builtin runtime errors (`type`, `index`, ...).
    pub kind: Option<&'static str>,
}

/// The `Exception` class.
pub static EXCEPTION_CLASS: NativeClass = NativeClass {
    name: "Exception",
    summary: "An error value: created by scripts to throw, and by the interpreter for runtime errors.",
    constructor: Some(NativeDef {
        name: "Exception",
        signature: "Exception(string message) → Exception",
        summary: "Creates an exception with a message.",
        example: "throw Exception(\"bad input\");",
        min: 1,
        max: 1,
        func: construct,
    }),
    methods: &[
        NativeMethodDef {
            name: "message",
            signature: "message() → string",
            summary: "The message.",
            min: 0,
            max: 0,
            func: message,
        },
        NativeMethodDef {
            name: "toString",
            signature: "toString() → string",
            summary: "The message, with file, line and column when known.",
            min: 0,
            max: 0,
            func: to_string,
        },
        NativeMethodDef {
            name: "file",
            signature: "file() → string|none",
            summary: "The file of a builtin runtime error; none for exceptions made by scripts.",
            min: 0,
            max: 0,
            func: file,
        },
        NativeMethodDef {
            name: "line",
            signature: "line() → number|none",
            summary: "The line of a builtin runtime error; none for exceptions made by scripts.",
            min: 0,
            max: 0,
            func: line,
        },
        NativeMethodDef {
            name: "column",
            signature: "column() → number|none",
            summary: "The column of a builtin runtime error; none for exceptions made by scripts.",
            min: 0,
            max: 0,
            func: column,
        },
    ],
    statics: &[],
};

/// A new exception object.
pub fn exception(state: ExceptionState) -> Value {
    Value::Object(Object::native(&EXCEPTION_CLASS, state))
}

/// The state of an exception object.
pub fn exception_state(value: &Value) -> Option<&ExceptionState> {
    match value {
        Value::Object(object) if object.is_native(&EXCEPTION_CLASS) => object.native_state::<ExceptionState>(),
        _ => None,
    }
}

fn construct(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let message = args.string(0)?.clone();
    Ok(exception(ExceptionState { message, location: None, kind: None }))
}

fn state(object: &Object) -> Option<&ExceptionState> {
    object.native_state::<ExceptionState>()
}

fn message(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(state(object).map_or(Value::None, |s| Value::String(s.message.clone())))
}

fn to_string(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(state(object).map_or(Value::None, |s| {
        let text = match &s.location {
            Some((file, line, column)) => format!("{} ({file}:{line}:{column})", s.message),
            None => s.message.to_string(),
        };
        Value::from(text)
    }))
}

fn file(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(state(object).and_then(|s| s.location.as_ref()).map_or(Value::None, |l| Value::String(l.0.clone())))
}

fn line(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(state(object).and_then(|s| s.location.as_ref()).map_or(Value::None, |l| Value::number(l.1)))
}

fn column(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(state(object).and_then(|s| s.location.as_ref()).map_or(Value::None, |l| Value::number(l.2)))
}
