//! The standard library: every CORE function, one file per category.
//!
//! This module lives in `stdlib/` at the top level and is included with `#[path]` from `src/lib.rs`: a separate
//! crate would need `Value` from `hsl` while `hsl` needs the library back. Each category file exposes a
//! `FUNCTIONS` table of [`NativeDef`] rows (HSL name beside the Rust function) and, where it has them, its
//! builtin classes; [`module`] registers them all.

use crate::module::Module;
#[allow(unused_imports)]
use crate::module::NativeDef;

/// The standard library as one module.
pub fn module() -> Module {
    let mut module = Module::new("stdlib");
    for table in TABLES {
        module.add_defs(table);
    }
    module.add_class(&exception::EXCEPTION_CLASS);
    module.add_class(&regex::REGEX_CLASS);
    module.add_class(&x509::X509_CLASS);
    for class in unavailable::CLASSES {
        module.add_class(class);
    }
    module
}

/// Every category's table, in documentation order.
const TABLES: &[&[NativeDef]] = &[
    types::FUNCTIONS,
    string::FUNCTIONS,
    array::FUNCTIONS,
    math::FUNCTIONS,
    regex::FUNCTIONS,
    json::FUNCTIONS,
    encoding::FUNCTIONS,
    hash::FUNCTIONS,
    time::FUNCTIONS,
    net::FUNCTIONS,
    mail::FUNCTIONS,
    misc::FUNCTIONS,
    legacy::FUNCTIONS,
    unavailable::FUNCTIONS,
];

#[cfg(test)]
#[allow(dead_code)] // used by the unit tests of the category files
pub(crate) mod testing {
    //! A stand-in runtime so library functions can be unit-tested without the evaluator.

    use crate::error::{ErrorKind, Fallible, RuntimeError};
    use crate::module::{Args, NativeCtx, Runtime};
    use crate::shared::SharedState;
    use crate::value::{FunctionKind, Value};

    /// Records echo and log output; calls native function values directly; fixed clock and randomness.
    #[derive(Default)]
    pub struct TestRuntime {
        pub echoed: Vec<Vec<u8>>,
        pub logged: Vec<(String, Vec<u8>)>,
        pub shared: SharedState,
        pub clock: f64,
        pub seed: u64,
    }

    impl Runtime for TestRuntime {
        fn call_value(&mut self, function: &Value, args: &[Value]) -> Fallible<Value> {
            match function {
                Value::Function(f) => match f.kind() {
                    FunctionKind::Native(native) => native.invoke(&mut NativeCtx { runtime: self }, args),
                    _ => Err(RuntimeError::new(ErrorKind::Internal, "TestRuntime calls natives only").into()),
                },
                _ => Err(RuntimeError::new(ErrorKind::UndefinedFunction, "not a function").into()),
            }
        }
        fn echo(&mut self, bytes: &[u8]) {
            self.echoed.push(bytes.to_vec());
        }
        fn log(&mut self, priority: &str, message: &[u8]) {
            self.logged.push((priority.to_string(), message.to_vec()));
        }
        fn shared(&self) -> &SharedState {
            &self.shared
        }
        fn now(&mut self) -> f64 {
            self.clock
        }
        fn execution_time(&self) -> f64 {
            0.0
        }
        fn time_left(&self) -> Option<std::time::Duration> {
            None
        }
        fn interrupted(&self) -> bool {
            false
        }
        fn random_fill(&mut self, buffer: &mut [u8]) {
            for byte in buffer {
                // xorshift: deterministic, good enough for tests
                self.seed ^= self.seed << 13;
                self.seed ^= self.seed >> 7;
                self.seed ^= self.seed << 17;
                self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
                *byte = (self.seed >> 24) as u8;
            }
        }
        fn check_string_size(&self, len: usize) -> Fallible<()> {
            if len > 64 << 20 {
                return Err(RuntimeError::new(ErrorKind::Limit(crate::error::LimitKind::StringSize), "too big").into());
            }
            Ok(())
        }
        fn check_array_size(&self, len: usize) -> Fallible<()> {
            if len > 1 << 20 {
                return Err(RuntimeError::new(ErrorKind::Limit(crate::error::LimitKind::ArraySize), "too big").into());
            }
            Ok(())
        }
        fn hostname(&self) -> String {
            "test.example".to_string()
        }
    }

    /// Calls the standard-library function `name` with `args` on a fresh [`TestRuntime`].
    pub fn call(name: &str, args: &[Value]) -> Fallible<Value> {
        let module = super::module();
        let function = match module.function(name) {
            Some(function) => function.clone(),
            None => {
                let constructor = module.class(name).and_then(|class| class.constructor.as_ref());
                std::sync::Arc::new(crate::module::NativeFunction::from_def(
                    constructor.unwrap_or_else(|| panic!("no function or class {name}")),
                ))
            }
        };
        let mut runtime = TestRuntime { seed: 42, ..TestRuntime::default() };
        function.invoke(&mut NativeCtx { runtime: &mut runtime }, args)
    }

    /// The error kind of a failed call (panics if the call succeeded).
    pub fn error_kind(result: Fallible<Value>) -> ErrorKind {
        match result {
            Ok(value) => panic!("expected an error, got {value:?}"),
            Err(interrupt) => match interrupt.take() {
                crate::error::Interrupt::Error(error) => error.kind,
                other => panic!("expected an error, got {other:?}"),
            },
        }
    }

    #[allow(dead_code)]
    fn _args_are_public(_: &Args<'_>) {}
}

pub mod array;
pub mod encoding;
pub mod exception;
pub mod hash;
pub mod json;
pub mod legacy;
pub mod mail;
pub mod math;
pub mod misc;
pub mod net;
pub mod regex;
pub mod string;
pub mod time;
pub mod types;
pub mod unavailable;
pub mod x509;

/// Converts the content of a data import (`import $x from "file.ext"`, language.md §8.4) at compile time.
pub fn data_import(
    extension: &str,
    bytes: &[u8],
    options: Option<&crate::value::Value>,
) -> Result<crate::value::Value, String> {
    use crate::value::{Array, Value};
    let option = |name: &str| match options {
        Some(Value::Array(array)) => array.get(crate::value::KeyRef::Str(name.as_bytes())).cloned(),
        _ => None,
    };
    match extension {
        "json" => {
            let text = std::str::from_utf8(bytes).map_err(|_| "the JSON file is not UTF-8".to_string())?;
            let json: serde_json::Value =
                serde_json::from_str(&strip_json_comments(text)).map_err(|error| format!("invalid JSON: {error}"))?;
            Ok(crate::value::json::from_json(&json))
        }
        "txt" => {
            if option("array").is_some_and(|v| v.truthy()) {
                let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
                Ok(Value::Array(Array::from_values(
                    text.split(|b| *b == b'\n')
                        .map(|line| Value::from(line.strip_suffix(b"\r").unwrap_or(line).to_vec())),
                )))
            } else {
                Ok(Value::from(bytes.to_vec()))
            }
        }
        "crt" | "pem" => {
            let mut certificates = Vec::new();
            for block in ::x509_parser::pem::Pem::iter_from_buffer(bytes) {
                let block = block.map_err(|error| format!("invalid PEM: {error}"))?;
                if block.label == "CERTIFICATE" {
                    certificates.push(x509::certificate_value(&block.contents)?);
                }
            }
            Ok(Value::Array(Array::from_values(certificates)))
        }
        other => Err(format!("cannot import data from a .{other} file (supported: .json, .txt, .crt, .pem)")),
    }
}

/// Removes `//` and `/* */` comments outside JSON strings (data imports allow comments).
fn strip_json_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for skipped in chars.by_ref() {
                    if previous == '*' && skipped == '/' {
                        break;
                    }
                    previous = skipped;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}
