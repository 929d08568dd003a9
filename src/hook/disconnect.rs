//! The disconnect hook (disconnect.md): four globals and one action, `Pass()`, which every ending maps to.

use super::schema::{Field, Schema};
use super::{Access, GlobalSpec, HookSpec};
use crate::error::Fallible;
use crate::module::{Args, Module, NativeCtx, NativeDef};
use crate::value::Value;

fn pass(ctx: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
    ctx.end_with_action("Pass", Vec::new())
}

const ACTIONS: &[NativeDef] = &[NativeDef {
    name: "Pass",
    signature: "Pass() → never",
    summary: "Ends the disconnect script at once; the connection is done either way.",
    example: "Pass();",
    min: 0,
    max: 0,
    func: pass,
}];

fn reply() -> Schema {
    Schema::Record(vec![
        Field::required("code", Schema::Number),
        Field::optional("enhanced", Schema::List(Box::new(Schema::Number))),
        Field::required("reason", Schema::List(Box::new(Schema::String))),
        Field::required("state", Schema::String),
    ])
}

fn error() -> Schema {
    Schema::Record(vec![
        Field::required("reason", Schema::String),
        Field::optional("type", Schema::String),
        Field::required("code", Schema::Number),
    ])
}

/// `$connection` as the SMTP-side hooks after connect see it (disconnect.md §2.2).
pub fn connection_schema() -> Schema {
    let x509 = || Schema::Resource("X509Resource");
    Schema::Record(vec![
        Field::required("id", Schema::String),
        Field::optional("priority", Schema::Number),
        // Q-HOOK-3: addresses may be absent for UNIX-socket listeners.
        Field::optional("remoteip", Schema::String),
        Field::optional("remoteport", Schema::Number),
        Field::optional("remoteptr", Schema::String),
        Field::optional("remoteuid", Schema::Number),
        Field::optional("localip", Schema::String),
        Field::optional("localport", Schema::Number),
        Field::required("serverid", Schema::String),
        Field::optional(
            "helo",
            Schema::Record(vec![Field::required("verb", Schema::String), Field::required("host", Schema::String)]),
        ),
        Field::optional(
            "tls",
            Schema::Record(vec![
                Field::required("protocol", Schema::String),
                Field::required("cipher", Schema::String),
                Field::required("keysize", Schema::Number),
                Field::optional("sni", Schema::String),
                Field::optional(
                    "peercert",
                    Schema::Record(vec![
                        Field::required("x509", x509()),
                        Field::optional("chain", Schema::List(Box::new(x509()))),
                        Field::required("error", Schema::Number),
                    ]),
                ),
            ]),
        ),
        Field::optional(
            "auth",
            Schema::Record(vec![
                Field::required("mechanism", Schema::String),
                Field::optional("username", Schema::String),
            ]),
        ),
    ])
}

/// The disconnect hook's definition.
pub fn disconnect() -> HookSpec {
    let mut actions = Module::new("disconnect");
    actions.add_defs(ACTIONS);
    HookSpec {
        name: "disconnect",
        globals: vec![
            GlobalSpec {
                name: "arguments",
                access: Access::ReadOnly,
                schema: Schema::Record(vec![
                    Field::required("close", Schema::String),
                    Field::optional("reply", reply()),
                    Field::optional("error", error()),
                ]),
                required: true,
            },
            GlobalSpec { name: "connection", access: Access::ReadOnly, schema: connection_schema(), required: true },
            GlobalSpec { name: "transaction", access: Access::ReadOnly, schema: Schema::Empty, required: false },
            GlobalSpec { name: "context", access: Access::Writable, schema: Schema::Any, required: false },
        ],
        actions,
        on_fallthrough: "Pass",
        on_error: "Pass",
    }
}
