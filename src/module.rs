//! Native functions and classes: one registry for the standard library, host functions and hook actions.
//!
//! A native is registered with its HSL name, a signature line for docs and messages, and its arity, so the
//! compiler can check argument counts before anything runs.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use rustc_hash::FxHashMap;

use crate::error::{ErrorKind, Fallible, Interrupt, Interrupted, RuntimeError};
use crate::shared::SharedState;
use crate::value::{Array, Object, Str, Value};

/// Marks a native that takes any number of trailing arguments.
pub const VARIADIC: usize = usize::MAX;

/// How many arguments a callable takes, in words: `2`, `1 to 3`, `at least 1`.
pub fn arity_text(min: usize, max: usize) -> String {
    if min == max {
        format!("{min}")
    } else if max == VARIADIC {
        format!("at least {min}")
    } else {
        format!("{min} to {max}")
    }
}

/// The one wording of a wrong argument count, at check time and at run time.
pub fn arity_message(name: &str, min: usize, max: usize, given: usize) -> String {
    let noun = if min == 1 && (max == 1 || max == VARIADIC) { "argument" } else { "arguments" };
    let verb = if given == 1 { "was" } else { "were" };
    format!("`{name}` takes {} {noun}, but {given} {verb} given", arity_text(min, max))
}

/// A native function body.
pub type NativeFnPtr = fn(&mut NativeCtx<'_>, &Args<'_>) -> Fallible<Value>;

/// A builtin-class method body; receives the instance.
pub type NativeMethodPtr = fn(&mut NativeCtx<'_>, &Object, &Args<'_>) -> Fallible<Value>;

/// A host function: any thread-safe Rust closure.
pub type HostFn = Arc<dyn Fn(&mut NativeCtx<'_>, &Args<'_>) -> Fallible<Value> + Send + Sync>;

/// The static description of a builtin function (one row of a `stdlib/` table).
#[derive(Clone, Copy, Debug)]
pub struct NativeDef {
    /// HSL name, exactly the spec's.
    pub name: &'static str,
    /// Signature line, e.g. `str_repeat(string s, number n) → string`.
    pub signature: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// A short HSL example.
    pub example: &'static str,
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments ([`VARIADIC`] for no limit).
    pub max: usize,
    /// The body.
    pub func: NativeFnPtr,
}

/// The static description of a builtin-class method.
#[derive(Clone, Copy, Debug)]
pub struct NativeMethodDef {
    /// Method name.
    pub name: &'static str,
    /// Signature line.
    pub signature: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments.
    pub max: usize,
    /// The body.
    pub func: NativeMethodPtr,
}

/// A builtin class: constructor, methods and static functions.
#[derive(Debug)]
pub struct NativeClass {
    /// Class name (`X509`).
    pub name: &'static str,
    /// What the class is for.
    pub summary: &'static str,
    /// Called as `X509(...)`; `None` when the class cannot be constructed by scripts.
    pub constructor: Option<NativeDef>,
    /// Instance methods.
    pub methods: &'static [NativeMethodDef],
    /// Static functions (`X509::String`).
    pub statics: &'static [NativeDef],
}

impl NativeClass {
    /// An instance method by name.
    pub fn method(&self, name: &[u8]) -> Option<&'static NativeMethodDef> {
        let methods: &'static [NativeMethodDef] = self.methods;
        methods.iter().find(|method| method.name.as_bytes() == name)
    }

    /// A static function by name.
    pub fn static_fn(&self, name: &str) -> Option<&'static NativeDef> {
        let statics: &'static [NativeDef] = self.statics;
        statics.iter().find(|def| def.name == name)
    }
}

/// How a [`NativeFunction`] runs.
#[derive(Clone)]
pub enum NativeImpl {
    /// A plain function pointer (the standard library).
    Static(NativeFnPtr),
    /// A host closure.
    Host(HostFn),
}

/// A callable native: what function values and call sites hold.
pub struct NativeFunction {
    /// HSL name.
    pub name: Cow<'static, str>,
    /// Signature line for messages.
    pub signature: Cow<'static, str>,
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments ([`VARIADIC`] for no limit).
    pub max: usize,
    /// The body.
    pub body: NativeImpl,
}

impl std::fmt::Debug for NativeFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<native {}>", self.name)
    }
}

impl NativeFunction {
    /// From a static definition (borrows its texts: nothing is allocated but the function itself).
    pub fn from_def(def: &NativeDef) -> NativeFunction {
        NativeFunction {
            name: Cow::Borrowed(def.name),
            signature: Cow::Borrowed(def.signature),
            min: def.min,
            max: def.max,
            body: NativeImpl::Static(def.func),
        }
    }

    /// Whether both are the same function: the same table row (a row becomes a new `NativeFunction` each
    /// time the compiler looks it up), or the same host closure.
    pub fn same(&self, other: &NativeFunction) -> bool {
        match (&self.body, &other.body) {
            (NativeImpl::Static(_), NativeImpl::Static(_)) => self.name == other.name,
            (NativeImpl::Host(a), NativeImpl::Host(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Runs it.
    pub fn invoke(&self, ctx: &mut NativeCtx<'_>, values: &[Value]) -> Fallible<Value> {
        let args = Args { values, name: &self.name, signature: &self.signature };
        match &self.body {
            NativeImpl::Static(func) => func(ctx, &args),
            NativeImpl::Host(func) => func(ctx, &args),
        }
    }
}

/// A named set of natives and builtin classes. The standard library is one; each hook's actions are another;
/// hosts add their own.
///
/// Static tables are registered as they are and looked up by name on demand: a process that compiles an
/// empty script, or one that calls five functions, does not pay for building hundreds of function objects.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// The module's name (`stdlib`, `disconnect`, ...).
    pub name: String,
    /// `stdlib/`-style tables, in registration order (a later row of the same name wins).
    tables: Vec<&'static [NativeDef]>,
    /// Name → row over every table, built on the first lookup.
    index: OnceLock<FxHashMap<&'static str, &'static NativeDef>>,
    /// Host functions; they win over table rows of the same name.
    host: IndexMap<Arc<str>, Arc<NativeFunction>>,
    classes: IndexMap<&'static str, &'static NativeClass>,
}

impl Module {
    /// An empty module.
    pub fn new(name: impl Into<String>) -> Module {
        Module { name: name.into(), ..Module::default() }
    }

    /// Adds every function of a `stdlib/` table.
    pub fn add_defs(&mut self, defs: &'static [NativeDef]) {
        self.tables.push(defs);
        self.index = OnceLock::new();
    }

    /// Adds a builtin class.
    pub fn add_class(&mut self, class: &'static NativeClass) {
        self.classes.insert(class.name, class);
    }

    /// Adds a host function with an arity range.
    pub fn add_host_fn(
        &mut self,
        name: &str,
        min: usize,
        max: usize,
        body: impl Fn(&mut NativeCtx<'_>, &Args<'_>) -> Fallible<Value> + Send + Sync + 'static,
    ) {
        let function = NativeFunction {
            name: Cow::Owned(name.into()),
            signature: Cow::Owned(format!("{name}(…)")),
            min,
            max,
            body: NativeImpl::Host(Arc::new(body)),
        };
        self.host.insert(name.into(), Arc::new(function));
    }

    fn index(&self) -> &FxHashMap<&'static str, &'static NativeDef> {
        self.index.get_or_init(|| {
            let mut index = FxHashMap::default();
            index.reserve(self.tables.iter().map(|table| table.len()).sum());
            for def in self.tables.iter().flat_map(|table| table.iter()) {
                index.insert(def.name, def);
            }
            index
        })
    }

    /// A function by name.
    pub fn function(&self, name: &str) -> Option<Arc<NativeFunction>> {
        if let Some(function) = self.host.get(name) {
            return Some(function.clone());
        }
        self.doc(name).map(|def| Arc::new(NativeFunction::from_def(def)))
    }

    /// A builtin class by name.
    pub fn class(&self, name: &str) -> Option<&'static NativeClass> {
        self.classes.get(name).copied()
    }

    /// Every function's name: table rows in registration order, then host functions.
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        let rows = self.tables.iter().flat_map(|table| table.iter()).map(|def| def.name);
        rows.chain(self.host.keys().map(|name| &**name))
    }

    /// Every builtin class.
    pub fn classes(&self) -> impl Iterator<Item = &'static NativeClass> + '_ {
        self.classes.values().copied()
    }

    /// The documentation row of a function, if it has one.
    pub fn doc(&self, name: &str) -> Option<&'static NativeDef> {
        self.index().get(name).copied()
    }

    /// Every documented function, in registration order.
    pub fn docs(&self) -> impl Iterator<Item = &'static NativeDef> + '_ {
        let index = self.index();
        // A row shadowed by a later row of the same name is not listed.
        self.tables.iter().flat_map(|table| table.iter()).filter(move |def| std::ptr::eq(index[def.name], *def))
    }

    /// Adds everything from another module (later names win).
    pub fn merge(&mut self, other: &Module) {
        self.tables.extend(other.tables.iter().copied());
        self.index = OnceLock::new();
        self.host.extend(other.host.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.classes.extend(other.classes.iter().map(|(k, v)| (*k, *v)));
    }
}

/// What natives can ask of the running interpreter.
pub(crate) trait Runtime {
    /// Calls an HSL function value.
    fn call_value(&mut self, function: &Value, args: &[Value]) -> Fallible<Value>;
    /// Writes one `echo` line.
    fn echo(&mut self, bytes: &[u8]);
    /// Writes a log line (`syslog`).
    fn log(&mut self, priority: &str, message: &[u8]);
    /// Engine-wide shared state (`memory_*`, `cache`, `barrier`).
    fn shared(&self) -> &SharedState;
    /// Unix time in seconds (deterministic when the host fixed the clock).
    fn now(&mut self) -> f64;
    /// Seconds since this execution started.
    fn execution_time(&self) -> f64;
    /// Wall-clock time left before the run's deadline; `None` without a deadline.
    fn time_left(&self) -> Option<std::time::Duration>;
    /// Whether the host asked the run to stop.
    fn interrupted(&self) -> bool;
    /// Fills `buffer` with random bytes (seeded when the host fixed the seed).
    fn random_fill(&mut self, buffer: &mut [u8]);
    /// Fails when a string of `len` bytes would exceed the string-size limit.
    fn check_string_size(&self, len: usize) -> Fallible<()>;
    /// Fails when an array of `len` entries would exceed the array-size limit.
    fn check_array_size(&self, len: usize) -> Fallible<()>;
    /// The host name `gethostname()` reports.
    fn hostname(&self) -> String;
}

/// The handle a native gets to the running interpreter.
pub struct NativeCtx<'a> {
    pub(crate) runtime: &'a mut dyn Runtime,
}

impl NativeCtx<'_> {
    /// Calls an HSL function value (callbacks of `array_map` and friends).
    pub fn call(&mut self, function: &Value, args: &[Value]) -> Fallible<Value> {
        self.runtime.call_value(function, args)
    }

    /// Writes one echo line to the run's output.
    pub fn echo(&mut self, bytes: &[u8]) {
        self.runtime.echo(bytes)
    }

    /// Writes a log line.
    pub fn log(&mut self, priority: &str, message: &[u8]) {
        self.runtime.log(priority, message)
    }

    /// Engine-wide shared state.
    pub fn shared(&self) -> &SharedState {
        self.runtime.shared()
    }

    /// Unix time in seconds.
    pub fn now(&mut self) -> f64 {
        self.runtime.now()
    }

    /// Wall-clock time left before the run's deadline (`None` without one); natives that block must not
    /// wait longer.
    pub fn time_left(&self) -> Option<std::time::Duration> {
        self.runtime.time_left()
    }

    /// Whether the host asked the run to stop; natives that block check it while they wait.
    pub fn interrupted(&self) -> bool {
        self.runtime.interrupted()
    }

    /// Seconds since this execution started.
    pub fn execution_time(&self) -> f64 {
        self.runtime.execution_time()
    }

    /// Random bytes from the run's source of randomness.
    pub fn random_fill(&mut self, buffer: &mut [u8]) {
        self.runtime.random_fill(buffer)
    }

    /// A uniformly random `u64`.
    pub fn random_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.runtime.random_fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    /// A uniformly random double in `[0, 1)`.
    pub fn random_unit(&mut self) -> f64 {
        (self.random_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Checks a string length against the run's limit before building it.
    pub fn check_string_size(&self, len: usize) -> Fallible<()> {
        self.runtime.check_string_size(len)
    }

    /// Checks an array length against the run's limit before building it.
    pub fn check_array_size(&self, len: usize) -> Fallible<()> {
        self.runtime.check_array_size(len)
    }

    /// The host name.
    pub fn hostname(&self) -> String {
        self.runtime.hostname()
    }

    /// Ends the script with a hook action (`Pass()`); never returns normally.
    pub fn end_with_action(&mut self, name: impl Into<Cow<'static, str>>, args: Vec<Value>) -> Fallible<Value> {
        Err(Interrupt::Action { name: name.into(), args }.into())
    }
}

/// The arguments of one native call, with helpers that produce errors naming the function and argument.
pub struct Args<'a> {
    values: &'a [Value],
    name: &'a str,
    signature: &'a str,
}

impl<'a> Args<'a> {
    /// Arguments for a call of `name` with `signature` (used by methods and tests).
    pub fn new(values: &'a [Value], name: &'a str, signature: &'a str) -> Args<'a> {
        Args { values, name, signature }
    }

    /// How many were passed.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether none were passed.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// All of them.
    pub fn values(&self) -> &'a [Value] {
        self.values
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        self.name
    }

    /// Argument `index`, if passed.
    pub fn get(&self, index: usize) -> Option<&'a Value> {
        self.values.get(index)
    }

    /// Argument `index` of any type (none when missing; arity is checked before the call).
    pub fn any(&self, index: usize) -> &'a Value {
        self.values.get(index).unwrap_or(&Value::None)
    }

    /// The name of parameter `index` as the signature spells it.
    fn param_name(&self, index: usize) -> Option<String> {
        let inner = self.signature.split_once('(')?.1.rsplit_once(')')?.0;
        let param = inner.split(',').nth(index)?;
        let name = param.split('=').next()?.split_whitespace().last()?;
        Some(name.trim_start_matches("...").trim_end_matches('?').to_string())
    }

    /// A type error for argument `index`.
    pub fn type_error(&self, index: usize, expected: &str) -> Interrupted {
        let found = self.values.get(index).map_or("nothing", Value::type_name);
        let param = self.param_name(index).map(|name| format!(" ({name})")).unwrap_or_default();
        RuntimeError::new(
            ErrorKind::Type,
            format!("{}(): argument {}{param} must be {expected}, found {found}", self.name, index + 1),
        )
        .into()
    }

    /// A value error naming the function.
    pub fn value_error(&self, message: impl std::fmt::Display) -> Interrupted {
        RuntimeError::new(ErrorKind::Value, format!("{}(): {message}", self.name)).into()
    }

    /// Argument `index` as a string.
    pub fn string(&self, index: usize) -> Fallible<&'a Str> {
        match self.values.get(index) {
            Some(Value::String(text)) => Ok(text),
            _ => Err(self.type_error(index, "a string")),
        }
    }

    /// Argument `index` as bytes.
    pub fn bytes(&self, index: usize) -> Fallible<&'a [u8]> {
        self.string(index).map(Str::as_bytes)
    }

    /// Argument `index` as a number (booleans are not accepted).
    pub fn number(&self, index: usize) -> Fallible<f64> {
        match self.values.get(index) {
            Some(Value::Number(number)) => Ok(number.get()),
            _ => Err(self.type_error(index, "a number")),
        }
    }

    /// Argument `index` as a boolean.
    pub fn boolean(&self, index: usize) -> Fallible<bool> {
        match self.values.get(index) {
            Some(Value::Bool(flag)) => Ok(flag.get()),
            _ => Err(self.type_error(index, "a boolean")),
        }
    }

    /// Argument `index` as an array.
    pub fn array(&self, index: usize) -> Fallible<&'a Array> {
        match self.values.get(index) {
            Some(Value::Array(array)) => Ok(array),
            _ => Err(self.type_error(index, "an array")),
        }
    }

    /// Argument `index` as a callable value.
    pub fn function(&self, index: usize) -> Fallible<&'a Value> {
        match self.values.get(index) {
            Some(value @ Value::Function(_)) => Ok(value),
            _ => Err(self.type_error(index, "a function")),
        }
    }

    /// Optional string argument.
    pub fn opt_string(&self, index: usize) -> Fallible<Option<&'a Str>> {
        if index < self.values.len() { self.string(index).map(Some) } else { Ok(None) }
    }

    /// Optional number argument with a default.
    pub fn opt_number(&self, index: usize, default: f64) -> Fallible<f64> {
        if index < self.values.len() { self.number(index) } else { Ok(default) }
    }

    /// Optional boolean argument with a default.
    pub fn opt_boolean(&self, index: usize, default: bool) -> Fallible<bool> {
        if index < self.values.len() { self.boolean(index) } else { Ok(default) }
    }

    /// The options array at `index` (absent means empty); unknown keys are errors (Q-LIB-1).
    pub fn options(&self, index: usize, known: &[&str]) -> Fallible<Options<'a>> {
        let array = match self.values.get(index) {
            None => None,
            Some(Value::Array(array)) => Some(array),
            Some(_) => return Err(self.type_error(index, "an options array")),
        };
        if let Some(array) = array {
            for key in array.keys() {
                let key_text = key.to_value().to_display_string();
                if !known.contains(&key_text.as_str()) {
                    return Err(self.value_error(format!(
                        "unknown option \"{key_text}\" (known: {})",
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    )));
                }
            }
        }
        Ok(Options { array, name: self.name.to_string() })
    }
}

/// A validated options array.
pub struct Options<'a> {
    array: Option<&'a Array>,
    name: String,
}

impl<'a> Options<'a> {
    /// The raw option value, if given.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.array?.get(crate::value::KeyRef::Str(key.as_bytes()))
    }

    fn type_error(&self, key: &str, expected: &str, found: &Value) -> Interrupted {
        RuntimeError::new(
            ErrorKind::Type,
            format!("{}(): option \"{key}\" must be {expected}, found {}", self.name, found.type_name()),
        )
        .into()
    }

    /// A boolean option.
    pub fn boolean(&self, key: &str, default: bool) -> Fallible<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(flag)) => Ok(flag.get()),
            Some(other) => Err(self.type_error(key, "a boolean", other)),
        }
    }

    /// A number option.
    pub fn number(&self, key: &str, default: f64) -> Fallible<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Number(number)) => Ok(number.get()),
            Some(other) => Err(self.type_error(key, "a number", other)),
        }
    }

    /// A string option.
    pub fn string(&self, key: &str) -> Fallible<Option<&'a Str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.type_error(key, "a string", other)),
        }
    }

    /// An array option.
    pub fn array(&self, key: &str) -> Fallible<Option<&'a Array>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(array)) => Ok(Some(array)),
            Some(other) => Err(self.type_error(key, "an array", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(_: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
        Ok(Value::number(1.0))
    }
    fn two(_: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
        Ok(Value::number(2.0))
    }

    const fn row(name: &'static str, func: NativeFnPtr) -> NativeDef {
        NativeDef { name, signature: name, summary: "", example: "", min: 0, max: 0, func }
    }

    static FIRST: [NativeDef; 2] = [row("a", one), row("b", one)];
    static SECOND: [NativeDef; 1] = [row("b", two)];

    fn number(module: &Module, name: &str) -> Option<f64> {
        let function = module.function(name)?;
        let mut runtime = crate::stdlib::testing::TestRuntime::default();
        match function.invoke(&mut NativeCtx { runtime: &mut runtime }, &[]) {
            Ok(Value::Number(number)) => Some(number.get()),
            _ => None,
        }
    }

    #[test]
    fn later_rows_win_and_host_functions_win_over_rows() {
        let mut module = Module::new("test");
        module.add_defs(&FIRST);
        assert_eq!(number(&module, "b"), Some(1.0));
        module.add_defs(&SECOND); // the index built by the lookup above is rebuilt
        assert_eq!(number(&module, "b"), Some(2.0));
        assert_eq!(number(&module, "missing"), None);
        module.add_host_fn("a", 0, 0, |_, _| Ok(Value::number(3.0)));
        assert_eq!(number(&module, "a"), Some(3.0));
        let names: Vec<&str> = module.function_names().collect();
        assert_eq!(names, ["a", "b", "b", "a"]);
        let documented: Vec<&NativeDef> = module.docs().collect();
        assert!(
            documented.len() == 2 && std::ptr::eq(documented[0], &FIRST[0]) && std::ptr::eq(documented[1], &SECOND[0])
        );
    }

    #[test]
    fn lookups_of_one_row_are_the_same_function() {
        let mut module = Module::new("test");
        module.add_defs(&FIRST);
        module.add_host_fn("h", 0, 0, |_, _| Ok(Value::None));
        let (a1, a2, b) = (module.function("a").unwrap(), module.function("a").unwrap(), module.function("b").unwrap());
        assert!(!Arc::ptr_eq(&a1, &a2));
        assert!(a1.same(&a2));
        assert!(!a1.same(&b));
        let (h1, h2) = (module.function("h").unwrap(), module.function("h").unwrap());
        assert!(h1.same(&h2));
        assert!(!h1.same(&a1));
    }

    #[test]
    fn merge_brings_rows_hosts_and_classes() {
        let mut base = Module::new("base");
        base.add_defs(&FIRST);
        let mut other = Module::new("other");
        other.add_defs(&SECOND);
        other.add_host_fn("h", 0, 0, |_, _| Ok(Value::None));
        base.merge(&other);
        assert_eq!(number(&base, "b"), Some(2.0));
        assert!(base.function("h").is_some());
    }
}
