//! The IO and MTA tiers (stdlib.md §14, §15): functions that need the network, files, native code or the
//! mail server. They are registered so scripts compile, and every call fails with a clear
//! `not_available` error instead of a silent wrong value.

use crate::error::{ErrorKind, Fallible, RuntimeError};
use crate::module::{Args, NativeClass, NativeCtx, NativeDef, VARIADIC};
use crate::value::Value;

fn needs(args: &Args<'_>) -> &'static str {
    match args.name() {
        "dns_query" | "spf_query" | "http" | "smtp_lookup_rcpt" | "smtp_lookup_auth" => "the network",
        _ => "the Halon MTA",
    }
}

fn not_available(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Err(RuntimeError::new(
        ErrorKind::NotAvailable,
        format!("{}() is not available in this environment (it needs {})", args.name(), needs(args)),
    )
    .into())
}

fn class_not_available(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Err(RuntimeError::new(
        ErrorKind::NotAvailable,
        format!(
            "the {} class is not available in this environment (it needs files, sockets, native code or the MTA)",
            args.name()
        ),
    )
    .into())
}

macro_rules! unavailable {
    ($($name:literal),* $(,)?) => {
        &[$(NativeDef {
            name: $name,
            signature: concat!($name, "(…)"),
            summary: "Not available in this environment (IO or MTA tier).",
            example: "",
            min: 0,
            max: VARIADIC,
            func: not_available,
        }),*]
    };
}

pub(crate) const FUNCTIONS: &[NativeDef] = unavailable!(
    "dns_query",
    "spf_query",
    "http",
    "smtp_lookup_rcpt",
    "smtp_lookup_auth",
    "server_concurrency",
    "queue_suspend",
    "queue_policy",
    "queue_policy_delete",
    "queue_quota",
    "metrics_increment",
    "metrics_decrement",
    "metrics_set",
    "metrics_get",
);

/// The static functions of the `File` class (`File::read`, `File::String`, stdlib.md §14).
fn file_static_not_available(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Err(RuntimeError::new(
        ErrorKind::NotAvailable,
        format!("File::{}() is not available in this environment (it needs files)", args.name()),
    )
    .into())
}

const FILE_STATICS: &[NativeDef] = &[
    NativeDef {
        name: "read",
        signature: "read(string name) → File",
        summary: "Not available in this environment (IO tier).",
        example: "",
        min: 0,
        max: VARIADIC,
        func: file_static_not_available,
    },
    NativeDef {
        name: "String",
        signature: "String(string data) → File",
        summary: "Not available in this environment (IO tier).",
        example: "",
        min: 0,
        max: VARIADIC,
        func: file_static_not_available,
    },
];

macro_rules! unavailable_class {
    ($static:ident, $name:literal) => {
        unavailable_class!($static, $name, &[]);
    };
    ($static:ident, $name:literal, $statics:expr) => {
        /// A class of the IO or MTA tier; constructing it fails with `not_available`.
        pub static $static: NativeClass = NativeClass {
            name: $name,
            summary: "Not available in this environment (IO or MTA tier).",
            constructor: Some(NativeDef {
                name: $name,
                signature: concat!($name, "(…)"),
                summary: "Not available in this environment.",
                example: "",
                min: 0,
                max: VARIADIC,
                func: class_not_available,
            }),
            methods: &[],
            statics: $statics,
        };
    };
}

unavailable_class!(FILE_CLASS, "File", FILE_STATICS);
unavailable_class!(SOCKET_CLASS, "Socket");
unavailable_class!(TLS_SOCKET_CLASS, "TLSSocket");
unavailable_class!(FFI_CLASS, "FFI");
unavailable_class!(MIME_CLASS, "MIME");
unavailable_class!(MAIL_MESSAGE_CLASS, "MailMessage");

/// Every unavailable class.
pub(crate) const CLASSES: &[&NativeClass] =
    &[&FILE_CLASS, &SOCKET_CLASS, &TLS_SOCKET_CLASS, &FFI_CLASS, &MIME_CLASS, &MAIL_MESSAGE_CLASS];

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};
    use crate::value::Value;

    #[test]
    fn io_functions_fail_clearly() {
        assert_eq!(error_kind(call("dns_query", &[Value::from("example.com")])), ErrorKind::NotAvailable);
        assert_eq!(error_kind(call("metrics_get", &[])), ErrorKind::NotAvailable);
    }

    #[test]
    fn file_statics_are_registered_and_fail_clearly() {
        use crate::module::{Args, NativeCtx};
        let read = super::FILE_CLASS.static_fn("read").expect("File::read is registered");
        assert!(super::FILE_CLASS.static_fn("String").is_some());
        let mut runtime = crate::stdlib::testing::TestRuntime::default();
        let values = [Value::from("x.txt")];
        let result = (read.func)(&mut NativeCtx { runtime: &mut runtime }, &Args::new(&values, "read", read.signature));
        assert_eq!(error_kind(result), ErrorKind::NotAvailable);
    }
}
