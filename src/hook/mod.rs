//! Hooks as data: a hook is a name, a set of globals (each with a schema and an access mode), a module of
//! action functions, and what falling off the end or a runtime error means. Adding `connect` or `eod` is
//! adding one [`HookSpec`]; the evaluator never mentions a hook.

mod disconnect;
pub mod fixture;
pub mod schema;

use std::borrow::Cow;

pub use disconnect::{connection_schema, disconnect};
use schema::Schema;

use crate::error::RuntimeError;
use crate::eval::{Ending, RunResult};
use crate::module::Module;
use crate::value::Value;

/// Whether scripts may write a global.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Assigning it (or any element of it) is an error.
    ReadOnly,
    /// Scripts may change it; the final value is part of the outcome.
    Writable,
}

/// One global of a hook.
#[derive(Clone, Debug)]
pub struct GlobalSpec {
    /// Name without `$`.
    pub name: &'static str,
    /// Read-only or writable.
    pub access: Access,
    /// Expected shape of host inputs.
    pub schema: Schema,
    /// Whether a fixture must supply it (otherwise it defaults: arrays to `[]`, anything else to none).
    pub required: bool,
}

/// A hook definition.
#[derive(Clone, Debug)]
pub struct HookSpec {
    /// `disconnect`.
    pub name: &'static str,
    /// Globals, in slot order.
    pub globals: Vec<GlobalSpec>,
    /// Action functions (natives that end the script), callable by plain name.
    pub actions: Module,
    /// The action taken when the script falls off its end.
    pub on_fallthrough: &'static str,
    /// The action taken after a runtime error.
    pub on_error: &'static str,
}

/// Actions of every known hook, so a script that calls another hook's action gets a precise message
/// (disconnect.md §6.1).
pub const KNOWN_ACTIONS: &[(&str, &str)] = &[
    ("Accept", "connect"),
    ("Reject", "connect"),
    ("Defer", "connect"),
    ("Reply", "proxy"),
    ("Try", "predelivery"),
    ("Queue", "predelivery"),
    ("Bounce", "predelivery"),
    ("Delete", "predelivery"),
    ("Default", "postdelivery"),
    ("SetMetaData", "predelivery"),
    ("GetMetaData", "predelivery"),
    ("Pass", "disconnect"),
];

impl HookSpec {
    /// Index of a global by name.
    pub fn global_index(&self, name: &str) -> Option<usize> {
        self.globals.iter().position(|global| global.name == name)
    }

    /// The default value of a global a host did not supply.
    pub fn default_value(&self, index: usize) -> Value {
        match self.globals.get(index).map(|g| &g.schema) {
            Some(Schema::Empty | Schema::Record(_) | Schema::List(_)) => Value::Array(crate::value::Array::new()),
            _ => Value::None,
        }
    }
}

/// How the script reached its action.
#[derive(Debug)]
pub enum How {
    /// The script called the action.
    Explicit,
    /// The script fell off its end.
    Implicit,
    /// A runtime error or uncaught throw ended it.
    Error(Box<RuntimeError>),
}

impl How {
    /// `explicit`, `implicit` or `error`.
    pub fn name(&self) -> &'static str {
        match self {
            How::Explicit => "explicit",
            How::Implicit => "implicit",
            How::Error(_) => "error",
        }
    }
}

/// The result of running a hook script.
#[derive(Debug)]
pub struct Outcome {
    /// The action (`Pass`).
    pub action: Cow<'static, str>,
    /// The action's arguments.
    pub args: Vec<Value>,
    /// How it was reached.
    pub how: How,
    /// Final values of the writable globals (`context`); `None` when unset. Kept inline: a hook has one
    /// or two, and an outcome is made per connection.
    pub writable: Writable,
}

/// The writable globals of an [`Outcome`], by name.
pub type Writable = smallvec::SmallVec<[(&'static str, Option<Value>); 2]>;

impl Outcome {
    /// The final value of a writable global (none when unset or unknown).
    pub fn global(&self, name: &str) -> &Value {
        const NONE: &Value = &Value::None;
        self.writable.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.as_ref()).unwrap_or(NONE)
    }

    /// The final `$context`.
    pub fn context(&self) -> &Value {
        self.global("context")
    }

    /// The runtime error, when the script failed.
    pub fn error(&self) -> Option<&RuntimeError> {
        match &self.how {
            How::Error(error) => Some(error),
            _ => None,
        }
    }
}

/// Maps how a run ended to the hook's outcome: finished → fall-through action (implicit), action → that
/// action (explicit), error → error action (error). Reads the writable globals back.
pub fn finish(spec: &HookSpec, result: RunResult) -> Outcome {
    let (action, args, how) = match result.ending {
        Ending::Finished => (Cow::Borrowed(spec.on_fallthrough), Vec::new(), How::Implicit),
        Ending::Action { name, args } => (name, args, How::Explicit),
        Ending::Failed(error) => (Cow::Borrowed(spec.on_error), Vec::new(), How::Error(error)),
    };
    let mut globals = result.globals;
    let writable = spec
        .globals
        .iter()
        .enumerate()
        .filter(|(_, global)| global.access == Access::Writable)
        .map(|(index, global)| (global.name, globals.get_mut(index).and_then(Option::take)))
        .collect();
    crate::eval::scratch::give_back_globals(globals);
    Outcome { action, args, how, writable }
}
