//! The embedding API: an [`Engine`] configured once, [`Script`]s compiled once and run many times, on
//! many threads.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;

use crate::compile::{self, Environment, HostGlobal, Loader};
use crate::error::{Diagnostics, Fallible, RuntimeError, RuntimeReport};
use crate::eval::{self, Clock, Limits, RunConfig, RunResult};
use crate::hook::fixture::HookInputs;
use crate::hook::{self, Access, HookSpec, Outcome};
use crate::ir::Program;
use crate::module::{Args, Module, NativeCtx};
use crate::output::Output;
use crate::shared::SharedState;
use crate::source::SourceFile;
use crate::value::Value;

/// Configures an [`Engine`].
pub struct EngineBuilder {
    natives: Module,
    hooks: IndexMap<&'static str, HookSpec>,
    limits: Limits,
    loader: Arc<Loader>,
    clock: Clock,
    seed: Option<u64>,
    /// `None`: read from the system when a script first asks.
    hostname: Option<String>,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        let mut hooks = IndexMap::new();
        let disconnect = hook::disconnect();
        hooks.insert(disconnect.name, disconnect);
        EngineBuilder {
            natives: crate::stdlib::module(),
            hooks,
            limits: Limits::default(),
            loader: Arc::new(|path: &Path| std::fs::read_to_string(path)),
            clock: Clock::System,
            seed: None,
            hostname: None,
        }
    }
}

/// The system's host name (read only when a script calls `gethostname()`: most runs never do).
pub(crate) fn system_hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into())
}

impl EngineBuilder {
    /// The standard library and the built-in hooks, with default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a host function callable from every script.
    ///
    /// ```
    /// use hsl::{Engine, Value};
    /// let engine = Engine::builder()
    ///     .function("double", 1, 1, |_, args| Ok(Value::number(args.number(0)? * 2.0)))
    ///     .build();
    /// let script = engine.compile("t.hsl", "echo double(21);").unwrap();
    /// assert_eq!(script.run_to_string().unwrap(), "42\n");
    /// ```
    pub fn function(
        mut self,
        name: &str,
        min_args: usize,
        max_args: usize,
        body: impl Fn(&mut NativeCtx<'_>, &Args<'_>) -> Fallible<Value> + Send + Sync + 'static,
    ) -> Self {
        self.natives.add_host_fn(name, min_args, max_args, body);
        self
    }

    /// Adds every function and class of a host module.
    pub fn module(mut self, module: &Module) -> Self {
        self.natives.merge(module);
        self
    }

    /// Adds (or replaces) a hook.
    pub fn hook(mut self, spec: HookSpec) -> Self {
        self.hooks.insert(spec.name, spec);
        self
    }

    /// Sets the limits of every run.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how `import`/`include` read files (sandboxing, virtual files).
    pub fn loader(mut self, loader: impl Fn(&Path) -> std::io::Result<String> + Send + Sync + 'static) -> Self {
        self.loader = Arc::new(loader);
        self
    }

    /// Fixes the clock every run sees (reproducible tests).
    pub fn fixed_time(mut self, unix_time: f64) -> Self {
        self.clock = Clock::Fixed(unix_time);
        self
    }

    /// Makes randomness reproducible.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets what `gethostname()` returns.
    pub fn hostname(mut self, name: impl Into<String>) -> Self {
        self.hostname = Some(name.into());
        self
    }

    /// Finishes the engine.
    pub fn build(self) -> Engine {
        Engine(Arc::new(EngineInner {
            natives: self.natives,
            hooks: self.hooks,
            limits: self.limits,
            loader: self.loader,
            shared: SharedState::default(),
            clock: self.clock,
            seed: self.seed,
            hostname: self.hostname.map(OnceLock::from).unwrap_or_default(),
        }))
    }
}

struct EngineInner {
    natives: Module,
    hooks: IndexMap<&'static str, HookSpec>,
    limits: Limits,
    loader: Arc<Loader>,
    shared: SharedState,
    clock: Clock,
    seed: Option<u64>,
    hostname: OnceLock<String>,
}

/// A configured interpreter: natives, hooks, limits and the engine-wide shared state (`memory_*`, `cache`).
/// Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Engine(Arc<EngineInner>);

impl Default for Engine {
    fn default() -> Self {
        EngineBuilder::new().build()
    }
}

impl Engine {
    /// An engine with the standard library and the built-in hooks.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// A builder for custom engines.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::new()
    }

    /// A hook by name.
    pub fn hook(&self, name: &str) -> Option<&HookSpec> {
        self.0.hooks.get(name)
    }

    /// Names of the known hooks.
    pub fn hook_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.hooks.keys().copied()
    }

    /// Every native function and class (the standard library plus host additions).
    pub fn natives(&self) -> &Module {
        &self.0.natives
    }

    /// The limits runs get.
    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    /// Compiles a plain script (no hook globals).
    ///
    /// ```
    /// let engine = hsl::Engine::new();
    /// let script = engine.compile("hello.hsl", r#"echo "hello";"#).unwrap();
    /// assert_eq!(script.run_to_string().unwrap(), "hello\n");
    /// ```
    pub fn compile(&self, name: &str, source: &str) -> Result<Script, Diagnostics> {
        self.compile_source(SourceFile::new(name, source), None, None)
    }

    /// Compiles a script file; imports and includes resolve relative to it.
    pub fn compile_file(&self, path: &Path, hook: Option<&str>) -> Result<Script, Diagnostics> {
        let text = (self.0.loader)(path).map_err(|error| {
            let file = SourceFile::new(path.display().to_string(), "");
            Diagnostics(vec![crate::error::Diagnostic::new(
                "hsl::check::file_not_found",
                format!("cannot read {}: {error}", path.display()),
                &file,
                crate::span::Span::point(0),
                "",
            )])
        })?;
        self.compile_source(SourceFile::new(path.display().to_string(), text), Some(path.to_path_buf()), hook)
    }

    /// Compiles a hook script: the hook's globals and actions are in scope.
    ///
    /// ```
    /// let engine = hsl::Engine::new();
    /// let script = engine.compile_hook("disconnect", "t.hsl", "Pass();").unwrap();
    /// assert!(engine.compile_hook("disconnect", "t.hsl", "Accept();").is_err());
    /// ```
    pub fn compile_hook(&self, hook: &str, name: &str, source: &str) -> Result<Script, Diagnostics> {
        self.compile_source(SourceFile::new(name, source), None, Some(hook))
    }

    /// Compiles one entry of an interactive session (the REPL): `globals` are the session's variables so
    /// far, writable, in slots right after the hook's globals. Run the script with
    /// [`Script::run_raw`] passing their values in that order, and read them back with
    /// [`Script::global_names`] and the result's `globals`.
    pub fn compile_session(
        &self,
        name: &str,
        source: &str,
        hook: Option<&str>,
        globals: &[String],
    ) -> Result<Script, Diagnostics> {
        self.compile_with(SourceFile::new(name, source), None, hook, globals)
    }

    fn compile_source(
        &self,
        file: SourceFile,
        path: Option<PathBuf>,
        hook: Option<&str>,
    ) -> Result<Script, Diagnostics> {
        self.compile_with(file, path, hook, &[])
    }

    fn compile_with(
        &self,
        file: SourceFile,
        path: Option<PathBuf>,
        hook: Option<&str>,
        extra_globals: &[String],
    ) -> Result<Script, Diagnostics> {
        let spec = match hook {
            Some(name) => Some(self.0.hooks.get(name).cloned().ok_or_else(|| {
                let known: Vec<&str> = self.0.hooks.keys().copied().collect();
                Diagnostics(vec![crate::error::Diagnostic::new(
                    "hsl::check::unknown_hook",
                    format!("unknown hook `{name}` (known: {})", known.join(", ")),
                    &file,
                    crate::span::Span::point(0),
                    "",
                )])
            })?),
            None => None,
        };
        let mut natives;
        let natives = match &spec {
            Some(spec) => {
                natives = self.0.natives.clone();
                natives.merge(&spec.actions);
                &natives
            }
            None => &self.0.natives,
        };
        let mut globals: Vec<HostGlobal> = spec
            .as_ref()
            .map(|spec| {
                spec.globals
                    .iter()
                    .map(|g| HostGlobal { name: g.name.to_string(), read_only: g.access == Access::ReadOnly })
                    .collect()
            })
            .unwrap_or_default();
        for name in extra_globals {
            if !globals.iter().any(|g| &g.name == name) {
                globals.push(HostGlobal { name: name.clone(), read_only: false });
            }
        }
        let foreign: Vec<(&str, &str)> = hook::KNOWN_ACTIONS
            .iter()
            .filter(|(action, _)| spec.as_ref().is_none_or(|spec| spec.actions.function(action).is_none()))
            .copied()
            .collect();
        let env = Environment {
            natives,
            globals: &globals,
            hook: spec.as_ref().map(|spec| spec.name),
            foreign_actions: &foreign,
            loader: &*self.0.loader,
        };
        let program = compile::compile(file, path.as_deref(), &env)?;
        Ok(Script(Arc::new(CompiledScript { program, hook: spec, engine: self.clone() })))
    }
}

struct CompiledScript {
    program: Program,
    hook: Option<HookSpec>,
    engine: Engine,
}

/// A compiled program: immutable, shareable across threads (`Clone` is an `Arc` clone).
#[derive(Clone)]
pub struct Script(Arc<CompiledScript>);

/// Per-run options beyond the engine's defaults.
#[derive(Default)]
pub struct RunOptions {
    /// Overrides the engine's limits for this run.
    pub limits: Option<Limits>,
    /// Set from another thread to stop the run.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl Script {
    /// The compiled program.
    pub fn program(&self) -> &Program {
        &self.0.program
    }

    /// Names of the main module's globals by slot (hook globals first, then session globals, then the
    /// script's own).
    pub fn global_names(&self) -> Vec<&str> {
        self.0.program.modules.first().map(|m| m.globals.iter().map(|n| &**n).collect()).unwrap_or_default()
    }

    /// The hook it was compiled for.
    pub fn hook(&self) -> Option<&HookSpec> {
        self.0.hook.as_ref()
    }

    /// Runs with raw inputs for the main module's first global slots.
    pub fn run_raw(&self, globals: Vec<Option<Value>>, output: &mut dyn Output, options: &RunOptions) -> RunResult {
        let engine = &self.0.engine.0;
        let limits = options.limits.as_ref().unwrap_or(&engine.limits);
        let config = RunConfig {
            limits,
            output,
            shared: &engine.shared,
            interrupt: options.interrupt.clone(),
            clock: engine.clock,
            seed: engine.seed,
            hostname: &engine.hostname,
        };
        eval::run(&self.0.program, globals, config)
    }

    /// Runs a plain script; `Err` carries a runtime error (a hook action also counts as a normal end).
    pub fn run(&self, output: &mut dyn Output) -> Result<(), Box<RuntimeError>> {
        match self.run_raw(Vec::new(), output, &RunOptions::default()).ending {
            eval::Ending::Failed(error) => Err(error),
            _ => Ok(()),
        }
    }

    /// Runs a plain script and returns its echo output.
    pub fn run_to_string(&self) -> Result<String, Box<RuntimeError>> {
        let mut buffer = Vec::new();
        self.run(&mut buffer)?;
        Ok(String::from_utf8_lossy(&buffer).into_owned())
    }

    /// Runs a hook script with validated inputs and maps the ending to the hook's outcome. Inputs passed by
    /// value become the run's globals as they are; borrowed ones are cloned first (a reference-count
    /// increment per global).
    ///
    /// ```
    /// use hsl::Engine;
    /// let engine = Engine::new();
    /// let spec = engine.hook("disconnect").unwrap().clone();
    /// let script = engine.compile_hook("disconnect", "t.hsl", r#"$context = ["seen" => true]; Pass();"#).unwrap();
    /// let inputs = hsl::hook::fixture::inputs_from_json(
    ///     &spec,
    ///     &serde_json::json!({"arguments": {"close": "remote"}, "connection": {"id": "c1", "serverid": "in"}}),
    ///     std::path::Path::new("."),
    /// ).unwrap();
    /// let outcome = script.run_hook(&inputs, &mut Vec::new(), &Default::default());
    /// assert_eq!(outcome.how.name(), "explicit");
    /// assert_eq!(outcome.context().to_display_string(), r#"["seen"=>true]"#);
    /// ```
    pub fn run_hook(&self, inputs: impl Into<HookInputs>, output: &mut dyn Output, options: &RunOptions) -> Outcome {
        let Some(spec) = &self.0.hook else {
            let result = self.run_raw(Vec::new(), output, options);
            let plain = HookSpec {
                name: "script",
                globals: Vec::new(),
                actions: Module::new("none"),
                on_fallthrough: "end",
                on_error: "end",
            };
            return hook::finish(&plain, result);
        };
        // The main module's globals live in one vector with room for all of them up front, so that it never
        // grows, and `finish` keeps it as this thread's spare. The host's vector is that vector when it has
        // the room (one from `HookInputs::for_hook`); otherwise its values are moved into the spare one.
        let slots = self.0.program.modules.first().map_or(0, |module| module.globals.len());
        let inputs = inputs.into().values;
        let globals = match inputs.capacity() >= slots {
            true => inputs,
            false => {
                let mut globals = crate::eval::scratch::take_globals();
                globals.reserve(slots.max(inputs.len()));
                globals.extend(inputs);
                globals
            }
        };
        let result = self.run_raw(globals, output, options);
        hook::finish(spec, result)
    }

    /// Attaches the source to a runtime error of this script for rendering.
    pub fn report(&self, error: RuntimeError) -> RuntimeReport {
        RuntimeReport::new(error, |span| self.0.program.locate(span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_leave_no_interrupt_pending() {
        let engine = Engine::new();
        for source in [
            r#"try { throw "caught"; } catch ($e) { echo $e; }"#,
            r#"echo "x" ?? "y"; $a = []; echo $a["missing"]["deeper"] ?? "fallback";"#,
            r#"function f() { return 1 / "x"; } f();"#,
            r#"Pass();"#,
        ] {
            let script = engine.compile_hook("disconnect", "t.hsl", source).expect("compiles");
            let outcome = script.run_hook(HookInputs::default(), &mut Vec::new(), &RunOptions::default());
            assert!(crate::error::nothing_pending(), "{source} ended as {}", outcome.how.name());
        }
    }

    #[test]
    fn inputs_for_a_hook_reuse_the_vector_the_last_run_kept() {
        std::thread::spawn(|| {
            let engine = Engine::new();
            let spec = engine.hook("disconnect").expect("built in");
            let script = engine.compile_hook("disconnect", "t.hsl", "$a = 1; $b = 2; $c = 3; $context = $a;").unwrap();
            let slot = spec.global_index("arguments").unwrap();
            let mut inputs = HookInputs::for_hook(spec);
            assert_eq!(inputs.values.len(), spec.globals.len());
            assert!(inputs.values.iter().all(Option::is_none));
            inputs.values[slot] = Some(Value::from("first"));
            script.run_hook(inputs, &mut Vec::new(), &RunOptions::default());

            // The run handed its globals' vector back; the next inputs are built in it, unset again.
            let inputs = HookInputs::for_hook(spec);
            let kept = inputs.values.as_ptr();
            assert!(inputs.values.capacity() >= script.0.program.modules[0].globals.len());
            assert!(inputs.values.iter().all(Option::is_none));
            let outcome = script.run_hook(inputs, &mut Vec::new(), &RunOptions::default());
            assert_eq!(outcome.context().to_display_string(), "1");
            assert_eq!(HookInputs::for_hook(spec).values.as_ptr(), kept);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn engine_and_script_are_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        assert_send_sync::<Script>();
        assert_send_sync::<Outcome>();
    }
}
