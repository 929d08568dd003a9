//! The tree-walking evaluator: runs an [`ir::Program`] with per-run state in a `Machine`.
//!
//! Variables live in slots chosen by the compiler; no name is looked up at run time. Control flow
//! (`break`, `continue`, `return`) is a `Flow` value, never an error; errors and hook actions travel as an
//! `Interrupted` marker with the interrupt parked beside it, so a `Fallible<Value>` comes back in two registers.

pub mod budget;
pub(crate) mod constants;
pub mod ops;
mod place;
pub(crate) mod scratch;

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use parking_lot::Mutex;

use crate::error::{ErrorKind, Fallible, Interrupt, Interrupted, LimitKind, RuntimeError, StackEntry};
use crate::ir::{self, ArrayItem, Call, Callee, Expr, Member, Part, Path, Place, Program, Stmt, VarSlot, slot_in};
use crate::module::{Args, NativeClass, NativeCtx, NativeFunction, Runtime, VARIADIC};
use crate::output::Output;
use crate::shared::SharedState;
use crate::span::Span;
use crate::stdlib::exception::{ExceptionState, exception, exception_state};
use crate::syntax::ast::BinaryOp;
use crate::value::{
    Array, ByteSink, Cell, ClassId, ClassRef, FieldAt, Fields, FnId, Function, FunctionKind, Number, Object, Str,
    TextBuffer, Value, new_cell, truncate,
};

pub use budget::{Budget, Limits};
use scratch::Scratch;

/// What a statement tells its enclosing block. A returned value waits in [`Machine::returned`], so a flow
/// is one byte and travels back up the statement levels in a register rather than as a copied value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Next,
    Break,
    Continue,
    Return,
}

/// The clock a run sees.
#[derive(Clone, Copy, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A fixed Unix time (reproducible tests).
    Fixed(f64),
}

/// Everything a run needs besides the program.
pub struct RunConfig<'a> {
    /// Limits.
    pub limits: &'a Limits,
    /// Where `echo` goes.
    pub output: &'a mut dyn Output,
    /// Engine-wide shared state.
    pub shared: &'a SharedState,
    /// Set by the host to stop the run.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// The clock.
    pub clock: Clock,
    /// Seed for reproducible randomness; `None` for OS randomness.
    pub seed: Option<u64>,
    /// What `gethostname()` returns.
    pub hostname: &'a std::sync::OnceLock<String>,
}

/// How a run ended.
#[derive(Debug)]
pub enum Ending {
    /// Control fell off the end of the main script.
    Finished,
    /// A hook action ended the script.
    Action {
        /// The action.
        name: Cow<'static, str>,
        /// Its arguments.
        args: Vec<Value>,
    },
    /// A runtime error or uncaught throw.
    Failed(Box<RuntimeError>),
}

/// The result of a run: how it ended and the final values of the main module's globals.
#[derive(Debug)]
pub struct RunResult {
    /// How it ended.
    pub ending: Ending,
    /// Main-module globals by slot (`None` = unset); hook globals come first.
    pub globals: Vec<Option<Value>>,
}

/// Runs a program. `host_globals` fill the first slots of the main module (the hook's globals).
pub fn run<'p>(program: &'p Program, host_globals: Vec<Option<Value>>, config: RunConfig<'p>) -> RunResult {
    let mut machine = Machine::new(program, config, host_globals);
    let ending = match machine.run_module(0) {
        Ok(()) => Ending::Finished,
        Err(interrupt) => match interrupt.take() {
            Interrupt::Action { name, args } => Ending::Action { name, args },
            Interrupt::Error(error) => Ending::Failed(Box::new(error)),
        },
    };
    RunResult { ending, globals: machine.finish() }
}

/// Stores `value` in `slot`. The old value goes through the out-of-line drop glue only when it may own
/// something: most stores overwrite nothing (a variable's first assignment) or a number.
#[inline(always)]
fn overwrite(slot: &mut Option<Value>, value: Option<Value>) {
    match slot {
        None | Some(Value::None | Value::Bool(_) | Value::Number(_)) => {
            // Owns nothing: skipping its drop leaks nothing.
            std::mem::forget(std::mem::replace(slot, value));
        }
        _ => *slot = value,
    }
}

/// One call frame: where its plain slots start on the machine's value stack, its cells (shared with
/// closures), and the function it runs.
#[derive(Default)]
struct Frame {
    base: usize,
    cells: Vec<Cell>,
    function: Option<FnId>,
}

/// Per-run mutable state.
pub(crate) struct Machine<'p> {
    program: &'p Program,
    /// The main module's globals: most code runs at the top of the main script, and its variables are
    /// these, so they sit one indirection away (`globals[0]` stays empty).
    main_globals: Vec<Option<Value>>,
    /// Every imported module's globals, by module index.
    globals: Vec<Vec<Option<Value>>>,
    statics: Vec<Vec<Value>>,
    module_started: Vec<bool>,
    frame: Frame,
    /// Plain local slots of every active call, one contiguous stack: a call reserves its slots on top and
    /// clears them on return, so calls allocate nothing. Slots from `stack_top` on are always unset, and
    /// the vector never shrinks, so reserving a frame is an index bump.
    stack: Vec<Option<Value>>,
    stack_top: usize,
    /// The value of the `return` being carried out (see [`Flow`]).
    returned: Value,
    /// Reusable argument vectors for native calls.
    arg_pool: Vec<Vec<Value>>,
    /// Reusable buffer that interpolation renders into before the string is made.
    text: TextBuffer,
    /// (function, call-site span) of each active user call.
    calls: Vec<(FnId, Span)>,
    depth: u32,
    output: &'p mut dyn Output,
    shared: &'p SharedState,
    limits: &'p Limits,
    budget: Budget,
    clock: Clock,
    rng_state: Option<u64>,
    started: Instant,
    hostname: &'p std::sync::OnceLock<String>,
    /// This thread's copies of the program's string constants.
    constant_copies: &'p std::cell::RefCell<constants::Copies>,
}

impl<'p> Machine<'p> {
    /// A machine for one run; `host_globals` become the first globals of the main module, in place (the
    /// vector is the main module's storage, so a run allocates no second one).
    /// The other buffers are this thread's from its previous run (see the `scratch` module).
    fn new(program: &'p Program, config: RunConfig<'p>, mut host_globals: Vec<Option<Value>>) -> Machine<'p> {
        let Scratch { mut globals, mut statics, mut module_started, stack, arg_pool, calls, text } = Scratch::take();
        globals.extend(program.modules.iter().enumerate().map(|(index, module)| match index {
            0 => {
                // `resize_with`, not `resize`: cloning a `None` per slot goes through `Value::clone`.
                host_globals.resize_with(module.globals.len(), || None);
                Vec::new()
            }
            _ => std::iter::repeat_with(|| None).take(module.globals.len()).collect(),
        }));
        statics
            .extend(program.classes.iter().map(|class| class.statics.iter().map(|field| field.init.clone()).collect()));
        module_started.resize(program.modules.len(), false);
        let started = Instant::now();
        Machine {
            program,
            main_globals: host_globals,
            globals,
            statics,
            module_started,
            frame: Frame::default(),
            stack,
            stack_top: 0,
            returned: Value::None,
            arg_pool,
            text,
            calls,
            depth: 0,
            output: config.output,
            shared: config.shared,
            limits: config.limits,
            budget: Budget::starting_at(started, config.limits, config.interrupt),
            clock: config.clock,
            rng_state: config.seed,
            started,
            hostname: config.hostname,
            constant_copies: program.constant_copies.for_this_thread(),
        }
    }

    /// Ends the run: hands the buffers back to the thread for its next run and returns the main module's
    /// globals. Taking the machine apart moves each buffer out once; a `Drop` that took them would leave
    /// empty ones behind for the drop glue to visit. (A machine dropped instead, by a panic, frees them.)
    fn finish(self) -> Vec<Option<Value>> {
        let Machine { main_globals, globals, statics, module_started, stack, arg_pool, text, calls, .. } = self;
        Scratch { globals, statics, module_started, stack, arg_pool, text, calls }.give_back();
        main_globals
    }

    fn run_module(&mut self, module: u16) -> Fallible<()> {
        if std::mem::replace(&mut self.module_started[module as usize], true) {
            return Ok(());
        }
        let program = self.program;
        let saved = std::mem::replace(&mut self.frame, Frame { base: self.stack_top, ..Frame::default() });
        let result = self.exec_block(&program.modules[module as usize].body);
        self.frame = saved;
        // A top-level `return` ends the module; its value goes nowhere.
        self.returned = Value::None;
        result.map(|_| ())
    }

    // ------------------------------------------------------------------ errors

    /// A runtime error at `span` with the current HSL call stack.
    fn error(&self, kind: ErrorKind, message: impl Into<String>, span: Span) -> Interrupted {
        let mut error = RuntimeError::new(kind, message).at(span);
        error.stack = self.stack();
        error.into()
    }

    fn stack(&self) -> Vec<StackEntry> {
        self.calls
            .iter()
            .map(|(id, span)| StackEntry { function: self.program.functions[id.0 as usize].name.clone(), span: *span })
            .collect()
    }

    /// Gives an error raised without a position (natives, operators) the position of `span`.
    #[cold]
    #[inline(never)]
    fn locate(&self, mut interrupt: Interrupted, span: Span) -> Interrupted {
        interrupt.update(|interrupt| {
            if let Interrupt::Error(error) = interrupt {
                self.place_error(error, span);
            }
        });
        interrupt
    }

    #[cold]
    #[inline(never)]
    fn op_error(&self, mut error: RuntimeError, span: Span) -> Interrupted {
        self.place_error(&mut error, span);
        error.into()
    }

    /// Gives `error` the position `span` and the current call stack, unless it has a position already.
    fn place_error(&self, error: &mut RuntimeError, span: Span) {
        if error.span.is_none() {
            error.span = span;
            if error.stack.is_empty() {
                error.stack = self.stack();
            }
        }
    }

    fn variable_name(&self, span: Span) -> String {
        let (file, local) = self.program.locate(span);
        file.text().get(local.start as usize..local.end as usize).unwrap_or("$?").to_string()
    }

    #[cold]
    #[inline(never)]
    fn undefined(&self, span: Span) -> Interrupted {
        let name = self.variable_name(span);
        self.error(ErrorKind::UndefinedVariable, format!("undefined variable `{name}`"), span)
    }

    // ------------------------------------------------------------------ statements

    fn exec_block(&mut self, block: &[Stmt]) -> Fallible<Flow> {
        for stmt in block {
            match self.exec(stmt)? {
                Flow::Next => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Next)
    }

    fn exec(&mut self, stmt: &Stmt) -> Fallible<Flow> {
        match stmt {
            // `$x = expr;`, the commonest statement, without the two calls of the general path.
            Stmt::Expr(Expr::Assign(place, value)) => {
                let value = self.eval(value)?;
                match **place {
                    Place::Var(slot, _) => self.store(slot, value),
                    _ => self.assign(place, value)?,
                }
            }
            Stmt::Expr(expr) => {
                self.eval_discard(expr)?;
            }
            Stmt::Echo(Expr::Interpolate(parts)) => {
                let text = self.render(parts)?;
                self.output.echo(text.as_bytes());
                self.text = text;
            }
            Stmt::Echo(expr) => {
                let value = self.eval(expr)?;
                match &value {
                    Value::String(text) => self.output.echo(text.as_bytes()),
                    other => self.output.echo(&other.to_display()),
                }
            }
            Stmt::If(cond, then, otherwise) => {
                let branch = if self.eval_truthy(cond)? { then } else { otherwise };
                return self.exec_block(branch);
            }
            Stmt::Loop { cond, step, body } => loop {
                self.budget.tick()?;
                if let Some(cond) = cond
                    && !self.eval_truthy(cond)?
                {
                    break;
                }
                match self.exec_block(body)? {
                    Flow::Break => break,
                    Flow::Return => return Ok(Flow::Return),
                    Flow::Next | Flow::Continue => {}
                }
                if let Some(step) = step {
                    self.eval_discard(step)?;
                }
            },
            Stmt::Foreach { subject, key, value, body, span } => {
                return self.foreach(subject, *key, *value, body, *span);
            }
            Stmt::Switch { subject, cases, default, body } => {
                let subject = self.eval(subject)?;
                let mut start = *default;
                for (label, index) in cases.iter() {
                    if self.eval(label)?.loose_eq(&subject) {
                        start = Some(*index);
                        break;
                    }
                }
                if let Some(start) = start {
                    match self.exec_block(&body[start..])? {
                        Flow::Break | Flow::Next => {}
                        other => return Ok(other),
                    }
                }
            }
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Return(value) => {
                let value = match value {
                    Some(expr) => match self.number_operand(expr) {
                        Some(number) => Value::number(number),
                        None => self.operand(expr)?,
                    },
                    None => Value::None,
                };
                // The caller took the previous value, so this is none: skip the out-of-line drop call.
                let previous = std::mem::replace(&mut self.returned, value);
                if matches!(previous, Value::None | Value::Bool(_) | Value::Number(_)) {
                    std::mem::forget(previous);
                }
                return Ok(Flow::Return);
            }
            Stmt::Throw(expr, span) => {
                let value = self.eval(expr)?;
                let message = match exception_state(&value) {
                    Some(state) => state.message.to_string(),
                    None => value.to_display_string(),
                };
                let mut error =
                    RuntimeError::new(ErrorKind::Thrown, format!("uncaught exception: {message}")).at(*span);
                error.stack = self.stack();
                error.thrown = Some(value);
                return Err(error.into());
            }
            Stmt::Try { body, var, handler } => {
                let depth = self.depth;
                let calls = self.calls.len();
                match self.exec_block(body) {
                    Ok(flow) => return Ok(flow),
                    Err(interrupt) => match interrupt.take() {
                        Interrupt::Error(error) if error.kind.catchable() => {
                            self.depth = depth;
                            self.calls.truncate(calls);
                            let caught = self.caught_value(error);
                            self.store(*var, caught);
                            return self.exec_block(handler);
                        }
                        other => return Err(other.into()),
                    },
                }
            }
            Stmt::Barrier { name, var, body, span } => {
                let name = match self.eval(name)? {
                    Value::String(text) => text,
                    other => {
                        return Err(self.error(
                            ErrorKind::Type,
                            format!("a barrier name must be a string, found {}", other.type_name()),
                            *span,
                        ));
                    }
                };
                let cell = self.shared.barrier(name.as_bytes());
                let mut guard = cell.lock();
                if let Some(var) = var {
                    self.store_option(*var, guard.clone());
                }
                let result = self.exec_block(body);
                if let Some(var) = var {
                    *guard = self.load_option(*var);
                }
                return result;
            }
            Stmt::InitModule(module) => self.run_module(*module)?,
            Stmt::Block(block) => return self.exec_block(block),
            Stmt::GlobalAfterLocal(local, span) => {
                if self.load_option(*local).is_some() {
                    let name = self.variable_name(*span);
                    return Err(self.error(
                        ErrorKind::Value,
                        format!("`global {name}`: {name} is already a local variable of this function"),
                        *span,
                    ));
                }
            }
        }
        Ok(Flow::Next)
    }

    /// The value `catch` receives: what was thrown, or an `Exception` for builtin runtime errors.
    fn caught_value(&self, error: RuntimeError) -> Value {
        if let Some(value) = error.thrown {
            return value;
        }
        let (file, local) = self.program.locate(error.span);
        let location = (!error.span.is_none()).then(|| {
            let (line, column) = file.line_column(local.start);
            (Str::from(file.name()), line as f64, column as f64)
        });
        exception(ExceptionState { message: error.message.into(), location, kind: Some(error.kind.name()) })
    }

    fn foreach(
        &mut self,
        subject: &Expr,
        key: Option<VarSlot>,
        value: VarSlot,
        body: &[Stmt],
        span: Span,
    ) -> Fallible<Flow> {
        let array = match self.eval(subject)? {
            Value::Array(array) => array,
            other => {
                return Err(self.error(
                    ErrorKind::Type,
                    format!("foreach needs an array, found {}", other.type_name()),
                    span,
                ));
            }
        };
        // Iterating the snapshot: writes to the variable inside the loop copy on write.
        for index in 0..array.len() {
            self.budget.tick()?;
            let entry_value = match key {
                Some(key) => {
                    let Some((entry_key, entry_value)) = array.get_index(index) else { break };
                    self.store(key, entry_key.to_value());
                    entry_value
                }
                None => {
                    let Some(entry_value) = array.value_at(index) else { break };
                    entry_value
                }
            };
            self.store(value, entry_value.clone());
            match self.exec_block(body)? {
                Flow::Break => break,
                Flow::Return => return Ok(Flow::Return),
                Flow::Next | Flow::Continue => {}
            }
        }
        Ok(Flow::Next)
    }

    // ------------------------------------------------------------------ variables

    #[inline(always)]
    fn store(&mut self, slot: VarSlot, value: Value) {
        self.store_option(slot, Some(value));
    }

    #[inline(always)]
    fn store_option(&mut self, slot: VarSlot, value: Option<Value>) {
        match slot {
            VarSlot::Local(index) => overwrite(&mut self.stack[self.frame.base + index as usize], value),
            VarSlot::Cell(index) => self.store_cell(index, value),
            VarSlot::Global(module, index) => overwrite(self.global_mut(module, index), value),
        }
    }

    #[inline(never)]
    fn store_cell(&mut self, index: u32, value: Option<Value>) {
        *self.frame.cells[index as usize].lock() = value;
    }

    /// A module global's storage.
    #[inline(always)]
    fn global(&self, module: u16, index: u32) -> &Option<Value> {
        match module {
            0 => &self.main_globals[index as usize],
            _ => &self.globals[module as usize][index as usize],
        }
    }

    #[inline(always)]
    fn global_mut(&mut self, module: u16, index: u32) -> &mut Option<Value> {
        match module {
            0 => &mut self.main_globals[index as usize],
            _ => &mut self.globals[module as usize][index as usize],
        }
    }

    fn load_option(&self, slot: VarSlot) -> Option<Value> {
        match slot {
            VarSlot::Local(index) => self.stack[self.frame.base + index as usize].clone(),
            VarSlot::Cell(index) => self.frame.cells[index as usize].lock().clone(),
            VarSlot::Global(module, index) => self.global(module, index).clone(),
        }
    }

    #[inline(always)]
    fn load(&self, slot: VarSlot, span: Span) -> Fallible<Value> {
        let stored = match slot {
            VarSlot::Local(index) => &self.stack[self.frame.base + index as usize],
            VarSlot::Global(module, index) => self.global(module, index),
            VarSlot::Cell(index) => return self.load_cell(index, span),
        };
        match stored {
            Some(Value::Number(number)) => Ok(Value::Number(*number)),
            Some(value) => Ok(value.clone()),
            None => Err(self.undefined(span)),
        }
    }

    /// A borrow of a plain local's or global's storage; `None` for cells (they sit behind a lock).
    #[inline(always)]
    fn peek(&self, slot: VarSlot) -> Option<&Option<Value>> {
        match slot {
            VarSlot::Local(index) => Some(&self.stack[self.frame.base + index as usize]),
            VarSlot::Global(module, index) => Some(self.global(module, index)),
            VarSlot::Cell(_) => None,
        }
    }

    /// A mutable borrow of a plain local's or global's storage; `None` for cells.
    #[inline(always)]
    fn peek_mut(&mut self, slot: VarSlot) -> Option<&mut Option<Value>> {
        match slot {
            VarSlot::Local(index) => Some(&mut self.stack[self.frame.base + index as usize]),
            VarSlot::Global(module, index) => Some(self.global_mut(module, index)),
            VarSlot::Cell(_) => None,
        }
    }

    /// `$var[k1][k2]...` with constant or variable keys, over arrays only: the element found through
    /// borrows, cloning nothing on the way (`Some(None)` when a key is missing, or when an element on the
    /// way is missing or none: indexing none reads as none).
    /// `None` when the expression is anything else (an unset variable, a cell, a string or object base, a
    /// key that is not a plain number or string): the general path then evaluates it, which is safe because
    /// such a chain has no side effects.
    fn element_ref<'a>(&'a self, expr: &'a Expr) -> Option<Option<&'a Value>> {
        match expr {
            Expr::Load(slot, _) => Some(Some(self.peek(*slot)?.as_ref()?)),
            Expr::Path(path) => self.path_ref(path),
            Expr::Index(target, key, _) => {
                let base = self.element_ref(target)?;
                let computed;
                let key = match &**key {
                    Expr::ConstKey(constant) => {
                        return match base {
                            Some(Value::Array(array)) => Some(array.get_key(&constant.key)),
                            None | Some(Value::None) => Some(None),
                            Some(_) => None,
                        };
                    }
                    Expr::Const(value) => value,
                    Expr::Load(slot, _) => self.peek(*slot)?.as_ref()?,
                    // Number arithmetic (`$labels[$n - 1]`) is worked out without building a value.
                    other => {
                        computed = Value::number(self.number_operand(other)?);
                        &computed
                    }
                };
                let array = match base {
                    Some(Value::Array(array)) => array,
                    // Indexing none (or a missing element) reads as none, whatever the key.
                    None | Some(Value::None) => return Some(None),
                    Some(_) => return None,
                };
                Some(match key {
                    Value::String(text) => array.get(crate::value::KeyRef::from_bytes(text.as_bytes())),
                    Value::Number(number)
                        if let Some(index) = crate::value::whole_number(number.get())
                            && (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&index) =>
                    {
                        array.get(crate::value::KeyRef::Int(index))
                    }
                    _ => return None,
                })
            }
            _ => None,
        }
    }

    /// [`Machine::element_ref`] of a [`Path`]: the keys walked in a loop from the variable's value.
    #[inline]
    fn path_ref<'a>(&'a self, path: &'a Path) -> Option<Option<&'a Value>> {
        let mut value = self.peek(path.root)?.as_ref()?;
        for key in path.keys.iter() {
            value = match value {
                Value::Array(array) => match array.get_key(key) {
                    Some(element) => element,
                    None => return Some(None),
                },
                // Indexing none reads as none, whatever the key.
                Value::None => return Some(None),
                _ => return None,
            };
        }
        Some(Some(value))
    }

    fn load_cell(&self, index: u32, span: Span) -> Fallible<Value> {
        let value = self.frame.cells[index as usize].lock().clone();
        value.ok_or_else(|| self.undefined(span))
    }

    // ------------------------------------------------------------------ expressions

    /// Evaluates an operand, handling the leaves (constants and variables) inline: most operands are
    /// leaves, and skipping the recursive `eval` call for them is the cheapest win a tree-walker has.
    #[inline(always)]
    fn operand(&mut self, expr: &Expr) -> Fallible<Value> {
        match expr {
            Expr::Const(Value::Number(number)) => Ok(Value::Number(*number)),
            Expr::Load(slot, span) => self.load(*slot, *span),
            other => self.eval(other),
        }
    }

    /// The number an operand evaluates to when it is pure number arithmetic (number constants, plain locals
    /// and globals holding numbers, and `+ - * / %` over those), computed without building values; `None`
    /// for anything else. Such operands have no side effects, so a caller that gets `None` evaluates the
    /// operand normally (the tree's depth is bounded by the parser, and so is this recursion).
    #[inline(always)]
    fn number_operand(&self, expr: &Expr) -> Option<f64> {
        match expr {
            Expr::Const(Value::Number(number)) => Some(number.get()),
            Expr::Load(slot, _) => match self.peek(*slot)? {
                Some(Value::Number(number)) => Some(number.get()),
                _ => None,
            },
            Expr::Binary(op, left, right, _) => self.number_arithmetic(*op, left, right),
            _ => None,
        }
    }

    fn number_arithmetic(&self, op: BinaryOp, left: &Expr, right: &Expr) -> Option<f64> {
        if !ops::is_arithmetic(op) {
            return None;
        }
        ops::number_arithmetic(op, self.number_operand(left)?, self.number_operand(right)?)
    }

    /// Replaces the number in a plain local or global with `update(number)`; false (nothing done) when the
    /// slot is a cell, does not hold a number, or `update` declines. Statement-level `$i++` and `$sum += ...` take this path: no
    /// value is built or returned (returning one through memory cost a store-forwarding stall per update).
    #[inline(always)]
    fn update_number_var(&mut self, slot: VarSlot, update: impl FnOnce(f64) -> Option<f64>) -> bool {
        let Some(stored) = self.peek_mut(slot) else { return false };
        match stored {
            Some(Value::Number(number)) => match update(number.get()) {
                Some(result) => {
                    *number = Number::new(result);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// `a op b` for two evaluated operands. Numbers take the fast path and are forgotten rather than
    /// dropped (they own nothing, and the drop call is measurable in tight loops).
    #[inline(always)]
    fn binary_values(&mut self, op: BinaryOp, a: Value, b: Value, span: Span) -> Fallible<Value> {
        if let (Value::Number(x), Value::Number(y)) = (&a, &b)
            && let Some(result) = ops::number_binary(op, x.get(), y.get())
        {
            std::mem::forget(a);
            std::mem::forget(b);
            return Ok(result);
        }
        self.binary_general(op, &a, &b, span)
    }

    fn eval_truthy(&mut self, expr: &Expr) -> Fallible<bool> {
        if let Expr::Binary(op, left, right, span) = expr {
            // Comparisons of numbers answer without building a value.
            let x = self.number_operand(left);
            if let Some(x) = x
                && let Some(y) = self.number_operand(right)
                && let Some(result) = ops::number_binary(*op, x, y)
            {
                return Ok(result.truthy());
            }
            return Ok(self.binary_expr_after(x, *op, left, right, *span)?.truthy());
        }
        Ok(self.eval(expr)?.truthy())
    }

    /// `left op right`. Each operand is evaluated once: pure number arithmetic without building values, a
    /// constant or variable (or an array element reached through them) by borrowing it, anything else (say
    /// a call) normally. Borrowing skips a reference-count increment and decrement per string or array
    /// operand, which also keeps threads that share a compiled script's constants off each other's cache
    /// lines. Only the number cases are inlined into the callers.
    #[inline(always)]
    fn binary_expr(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: Span) -> Fallible<Value> {
        let x = self.number_operand(left);
        self.binary_expr_after(x, op, left, right, span)
    }

    /// [`Machine::binary_expr`] with the left operand's pure number arithmetic already tried (`x`).
    #[inline(always)]
    fn binary_expr_after(
        &mut self,
        x: Option<f64>,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        span: Span,
    ) -> Fallible<Value> {
        let x = match x {
            Some(number) => number,
            None if is_leaf(left) => return self.binary_leaf_left(op, left, right, span),
            None => return self.binary_other_left(op, left, right, span),
        };
        if let Some(y) = self.number_operand(right)
            && let Some(result) = ops::number_binary(op, x, y)
        {
            return Ok(result);
        }
        let b = self.operand(right)?;
        self.binary_values(op, Value::number(x), b, span)
    }

    /// [`Machine::binary_expr`] when the left operand is neither number arithmetic nor a leaf. Out of line,
    /// so the number and leaf cases inlined into the callers stay small.
    ///
    /// `$host[-12:] == ".example.com"` compares the borrowed bytes of a string slice with number bounds
    /// (strings are equal, loosely or strictly, when their bytes are) instead of building the slice as a
    /// string first.
    #[inline(never)]
    fn binary_other_left(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: Span) -> Fallible<Value> {
        use crate::syntax::ast::BinaryOp::{Eq, NotEq, StrictEq, StrictNotEq};
        if let (Eq | NotEq | StrictEq | StrictNotEq, Expr::Slice(target, parts, _)) = (op, left)
            && is_leaf(target)
            && parts[2].is_none()
            && let [start, stop] = [&parts[0], &parts[1]].map(|part| match part {
                None => Some(None),
                Some(Expr::Const(Value::Number(number))) => Some(Some(number.get())),
                Some(_) => None,
            })
            && let (Some(start), Some(stop)) = (start, stop)
            && let Some(Value::String(text)) = self.operand_ref(target)
            && let Some(Value::String(other)) = self.operand_ref(right)
        {
            let equal = text.as_bytes()[ops::slice_range(text.len(), start, stop)] == *other.as_bytes();
            return Ok(Value::bool(equal == matches!(op, Eq | StrictEq)));
        }
        let a = self.operand(left)?;
        if let Value::Number(x) = a {
            if let Some(y) = self.number_operand(right)
                && let Some(result) = ops::number_binary(op, x.get(), y)
            {
                return Ok(result);
            }
        } else if is_leaf(right) {
            return self.binary_leaf_right(op, a, right, span);
        }
        let b = self.operand(right)?;
        self.binary_values(op, a, b, span)
    }

    /// [`Machine::binary_expr`] when the left operand is a leaf that is not a number.
    #[inline(never)]
    fn binary_leaf_left(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: Span) -> Fallible<Value> {
        if let Some(a) = self.operand_ref(left)
            && let Some(b) = self.operand_ref(right)
        {
            let result = ops::binary(op, a, b);
            return self.binary_result(op, result, span);
        }
        let a = self.operand(left)?;
        self.binary_leaf_right(op, a, right, span)
    }

    /// [`Machine::binary_expr`] once the left operand is evaluated (whatever it did happened before the
    /// right one is read).
    #[inline(never)]
    fn binary_leaf_right(&mut self, op: BinaryOp, a: Value, right: &Expr, span: Span) -> Fallible<Value> {
        if let Some(b) = self.operand_ref(right) {
            let result = ops::binary(op, &a, b);
            return self.binary_result(op, result, span);
        }
        let b = self.operand(right)?;
        self.binary_values(op, a, b, span)
    }

    /// A borrow of a leaf operand's value: a constant, a set plain variable, or an array element reached
    /// through them (a missing element reads as none, as in [`Machine::eval`]). `None` when the operand has
    /// to be evaluated.
    #[inline(always)]
    fn operand_ref<'a>(&'a self, expr: &'a Expr) -> Option<&'a Value> {
        match expr {
            Expr::Const(value) => Some(value),
            Expr::ConstKey(constant) => Some(&constant.value),
            Expr::Load(slot, _) => self.peek(*slot)?.as_ref(),
            Expr::Index(..) => self.element_ref(expr).map(|found| found.unwrap_or(&Value::None)),
            Expr::Path(path) => self.path_ref(path).map(|found| found.unwrap_or(&Value::None)),
            _ => None,
        }
    }

    /// Evaluates for side effects only (statement position): assignments skip building their result.
    fn eval_discard(&mut self, expr: &Expr) -> Fallible<()> {
        match expr {
            Expr::Assign(place, value) => {
                let value = self.eval(value)?;
                self.assign(place, value)
            }
            Expr::IncDec { place, increment, span, .. } => {
                if let Place::Var(slot, _) = &**place
                    && self.update_number_var(*slot, |number| Some(number + if *increment { 1.0 } else { -1.0 }))
                {
                    return Ok(());
                }
                self.inc_dec(place, *increment, true, *span)?;
                Ok(())
            }
            Expr::CompoundAssign(op, place, value, span) => {
                if let Place::Var(slot, _) = &**place
                    && let Some(operand) = self.number_operand(value)
                    && let Some(Some(Value::Number(number))) = self.peek_mut(*slot)
                    && let Some(result) = ops::number_arithmetic(*op, number.get(), operand)
                {
                    *number = Number::new(result);
                    return Ok(());
                }
                let value = self.operand(value)?;
                self.compound_assign(*op, place, value, *span)?;
                Ok(())
            }
            other => self.eval(other).map(drop),
        }
    }

    pub(crate) fn eval(&mut self, expr: &Expr) -> Fallible<Value> {
        match expr {
            Expr::Const(Value::String(text)) => Ok(Value::String(constants::owned(self.constant_copies, text))),
            Expr::Const(value) => Ok(value.clone()),
            Expr::ConstKey(constant) => Ok(constant.value.clone()),
            Expr::Load(slot, span) => self.load(*slot, *span),
            Expr::LoadStatic(class, index) => Ok(self.statics[class.0 as usize][*index as usize].clone()),
            Expr::Interpolate(parts) => self.interpolate(parts),
            Expr::Array(items, span) => self.array(items, *span),
            Expr::Closure(id, cells) => {
                let captures: Box<[Cell]> =
                    cells.iter().map(|index| self.frame.cells[*index as usize].clone()).collect();
                Ok(Value::Function(Function::new(FunctionKind::User { id: *id, captures })))
            }
            Expr::FunctionRef(id) | Expr::StaticMethodRef(id) => {
                Ok(Value::Function(Function::new(FunctionKind::User { id: *id, captures: Box::new([]) })))
            }
            Expr::ClassRef(id) => Ok(Value::Function(Function::new(FunctionKind::Class(*id)))),
            Expr::NativeRef(native) => Ok(Value::Function(Function::new(FunctionKind::Native(native.clone())))),
            Expr::NativeClassRef(class) => Ok(Value::Function(Function::new(FunctionKind::NativeClass(class)))),
            Expr::Unary(op, operand, span) => {
                let value = self.eval(operand)?;
                ops::unary(*op, &value).map_err(|e| self.op_error(e, *span))
            }
            Expr::Binary(op, left, right, span) => self.binary_expr(*op, left, right, *span),
            Expr::Concat(first, rest) => self.concat(first, rest),
            Expr::And(left, right) => Ok(Value::bool(self.eval(left)?.truthy() && self.eval(right)?.truthy())),
            Expr::Or(left, right) => Ok(Value::bool(self.eval(left)?.truthy() || self.eval(right)?.truthy())),
            Expr::Coalesce(left, right) => match self.eval_quiet(left)? {
                Value::None => self.eval(right),
                value => Ok(value),
            },
            Expr::Ternary(cond, then, otherwise) => {
                let value = self.eval(cond)?;
                if value.truthy() {
                    match then {
                        Some(then) => self.eval(then),
                        None => Ok(value),
                    }
                } else {
                    self.eval(otherwise)
                }
            }
            Expr::Path(path) => match self.path_ref(path) {
                Some(found) => Ok(found.cloned().unwrap_or_default()),
                None => self.eval(&path.general),
            },
            Expr::Index(target, key, span) => {
                if let Some(found) = self.element_ref(expr) {
                    return Ok(found.cloned().unwrap_or_default());
                }
                let base = self.operand(target)?;
                let key = self.operand(key)?;
                self.index(&base, &key, *span)
            }
            Expr::Slice(target, parts, span) => {
                // `$text[-12:]`: number bounds (nothing to evaluate, nothing to fail) over a borrowed base.
                if is_leaf(target)
                    && parts.iter().all(|part| matches!(part, None | Some(Expr::Const(Value::Number(_)))))
                {
                    let bounds = self.slice_bounds(parts, *span)?;
                    if let Some(base) = self.operand_ref(target) {
                        return self.slice_with(base, bounds, *span);
                    }
                }
                let base = self.eval(target)?;
                self.slice(&base, parts, *span)
            }
            Expr::Property(target, member, span) => {
                if let Some(value) = self.own_field(target, member) {
                    return Ok(value);
                }
                let base = self.eval(target)?;
                self.property(&base, &member.name, member.slot, *span, false)
            }
            Expr::Call(call) => self.call(call),
            Expr::Assign(place, value) => {
                let value = self.eval(value)?;
                self.assign(place, value.clone())?;
                Ok(value)
            }
            Expr::CompoundAssign(op, place, value, span) => {
                let value = self.eval(value)?;
                self.compound_assign(*op, place, value, *span)
            }
            Expr::CoalesceAssign(place, value) => {
                let resolved = self.resolve(place)?;
                match self.read_resolved(&resolved)? {
                    Some(existing) if !existing.is_none() => Ok(existing),
                    _ => {
                        let value = self.eval(value)?;
                        self.write_resolved(&resolved, value.clone())?;
                        Ok(value)
                    }
                }
            }
            Expr::IncDec { place, increment, prefix, span } => self.inc_dec(place, *increment, *prefix, *span),
            Expr::Destructure(items, value) => {
                let value = self.eval(value)?;
                self.destructure(items, &value)?;
                Ok(value)
            }
            Expr::Isset(place) => self.isset(place).map(Value::bool),
            Expr::Unset(place) => self.unset(place).map(Value::bool),
            Expr::Match { subject, arms, default, span } => self.match_arms(subject, arms, default.as_deref(), *span),
            Expr::Cache { options, call, name } => self.cache(options, call, name),
        }
    }

    #[inline(never)]
    fn binary_general(&mut self, op: BinaryOp, a: &Value, b: &Value, span: Span) -> Fallible<Value> {
        let result = ops::binary(op, a, b);
        self.binary_result(op, result, span)
    }

    /// Charges, locates and checks what an operator computed.
    fn binary_result(&mut self, op: BinaryOp, result: ops::OpResult, span: Span) -> Fallible<Value> {
        if matches!(op, BinaryOp::RegexMatch | BinaryOp::RegexNotMatch) {
            // Charged whether it matched, failed or hit PCRE2's match limit (the slow case).
            self.budget.tick_costly().map_err(|interrupt| self.locate(interrupt, span))?;
        }
        let result = result.map_err(|e| self.op_error(e, span))?;
        if let Value::String(text) = &result {
            self.check_string(text.len(), span)?;
        }
        Ok(result)
    }

    /// `"...$var..."`.
    fn interpolate(&mut self, parts: &[Part]) -> Fallible<Value> {
        let rendered = self.render(parts)?;
        let text = Str::new(rendered.as_bytes());
        self.text = rendered;
        Ok(Value::String(text))
    }

    /// Renders an interpolation into the machine's reusable buffer (which the thread also keeps across runs)
    /// and hands the buffer over; the caller gives it back in `self.text`. A string is then one copy of it
    /// and one allocation, and `echo` of an interpolation writes the buffer out without making a string.
    /// (Writing straight into a string's block would skip the copy, but an interpolation is mostly short
    /// pieces, and the buffer appends those more cheaply than a string, which must check it is not shared
    /// first.)
    fn render(&mut self, parts: &[Part]) -> Fallible<TextBuffer> {
        let mut bytes = std::mem::take(&mut self.text);
        bytes.clear();
        for part in parts.iter() {
            match part {
                Part::Literal(text) => bytes.put(text.as_bytes()),
                // Plain locals and globals render from a borrow; cells are read through their lock.
                Part::Var(slot, span) => match self.peek(*slot) {
                    Some(Some(value)) => value.write_display(&mut bytes),
                    Some(None) => return Err(self.undefined(*span)),
                    None => self.load(*slot, *span)?.write_display(&mut bytes),
                },
            }
        }
        self.check_string(bytes.len(), Span::NONE)?;
        Ok(bytes)
    }

    /// `match`: the first arm with a value strictly equal to the subject.
    fn match_arms(
        &mut self,
        subject: &Expr,
        arms: &[(Box<[Expr]>, Expr)],
        default: Option<&Expr>,
        span: Span,
    ) -> Fallible<Value> {
        let subject = self.eval(subject)?;
        for (patterns, result) in arms {
            for pattern in patterns.iter() {
                if self.eval(pattern)?.strict_eq(&subject) {
                    return self.eval(result);
                }
            }
        }
        match default {
            Some(result) => self.eval(result),
            None => Err(self.error(ErrorKind::NoMatch, format!("no match arm for {}", short(&subject)), span)),
        }
    }

    /// `a . b . c ...` into one buffer, with the checks and error positions of the nested binary form:
    /// none on either side of a `.` is an error at that `.`, and so is a result over the string limit.
    fn concat(&mut self, first: &Expr, rest: &[(Expr, Span)]) -> Fallible<Value> {
        // Built in the string's own block, sized like an interpolation's: usually one allocation.
        let estimate = |operand: &Expr| match operand {
            Expr::Const(Value::String(literal)) => literal.len(),
            _ => 16,
        };
        let capacity = estimate(first) + rest.iter().map(|(operand, _)| estimate(operand)).sum::<usize>();
        let mut text = Str::with_capacity(capacity);
        let first_present = self.append_display(first, &mut text)?;
        for (index, (operand, span)) in rest.iter().enumerate() {
            let present = self.append_display(operand, &mut text)?;
            if !present || (index == 0 && !first_present) {
                return Err(self.error(ErrorKind::Type, "cannot concatenate none (use `??` to give a default)", *span));
            }
            self.check_string(text.len(), *span)?;
        }
        Ok(Value::String(text))
    }

    /// Appends an operand's string form to `text` (variables render from a borrow); `Ok(false)`, appending
    /// nothing, when the operand is none.
    fn append_display(&mut self, expr: &Expr, text: &mut Str) -> Fallible<bool> {
        if let Expr::Load(slot, span) = expr
            && let Some(stored) = self.peek(*slot)
        {
            return match stored {
                Some(Value::None) => Ok(false),
                Some(value) => {
                    value.write_display(text);
                    Ok(true)
                }
                None => Err(self.undefined(*span)),
            };
        }
        let value = self.operand(expr)?;
        if value.is_none() {
            return Ok(false);
        }
        value.write_display(text);
        Ok(true)
    }

    /// Evaluates the left side of `??`: a missing variable, key or property is none, not an error.
    fn eval_quiet(&mut self, expr: &Expr) -> Fallible<Value> {
        match expr {
            Expr::Load(slot, _) => Ok(self.load_option(*slot).unwrap_or_default()),
            Expr::Path(path) => match self.path_ref(path) {
                Some(found) => Ok(found.cloned().unwrap_or_default()),
                None => self.eval_quiet(&path.general),
            },
            Expr::Index(target, key, span) => {
                if let Some(found) = self.element_ref(expr) {
                    return Ok(found.cloned().unwrap_or_default());
                }
                let base = self.eval_quiet(target)?;
                let key = self.eval(key)?;
                match base {
                    Value::Array(_) | Value::None | Value::Object(_) => self.index(&base, &key, *span),
                    _ => Ok(Value::None),
                }
            }
            Expr::Property(target, member, span) => {
                let base = self.eval_quiet(target)?;
                match base {
                    Value::Object(_) => self.property(&base, &member.name, member.slot, *span, true),
                    _ => Ok(Value::None),
                }
            }
            other => self.eval(other),
        }
    }

    fn check_string(&self, len: usize, span: Span) -> Fallible<()> {
        self.budget.check_memory().map_err(|e| self.locate(e, span))?;
        if len > self.limits.max_string_size {
            return Err(self.error(
                ErrorKind::Limit(LimitKind::StringSize),
                format!(
                    "limit exceeded (string_size): a string of {len} bytes is over the {} byte limit",
                    self.limits.max_string_size
                ),
                span,
            ));
        }
        Ok(())
    }

    fn check_array(&self, len: usize, span: Span) -> Fallible<()> {
        self.budget.check_memory().map_err(|e| self.locate(e, span))?;
        if len > self.limits.max_array_size {
            return Err(self.error(
                ErrorKind::Limit(LimitKind::ArraySize),
                format!(
                    "limit exceeded (array_size): an array of {len} entries is over the {} entry limit",
                    self.limits.max_array_size
                ),
                span,
            ));
        }
        Ok(())
    }

    fn array(&mut self, items: &[ArrayItem], span: Span) -> Fallible<Value> {
        let mut array = Array::with_capacity(items.len());
        for item in items {
            match item {
                ArrayItem::Value(expr) => {
                    let value = self.eval(expr)?;
                    array.make_mut().push(value);
                }
                ArrayItem::Keyed(key, value) => {
                    let key = self.eval(key)?;
                    let key = ops::to_key(&key).map_err(|e| self.op_error(e, span))?;
                    let value = self.eval(value)?;
                    array.make_mut().insert(key, value);
                }
                ArrayItem::Spread(expr) => match self.eval(expr)? {
                    Value::Array(spread) => {
                        let data = array.make_mut();
                        for (key, value) in spread.iter() {
                            match key {
                                crate::value::Key::Str(_) => data.insert(key.clone(), value.clone()),
                                crate::value::Key::Int(_) => {
                                    data.push(value.clone());
                                }
                            }
                        }
                    }
                    other => {
                        return Err(self.error(
                            ErrorKind::Type,
                            format!("only arrays can be spread, found {}", other.type_name()),
                            span,
                        ));
                    }
                },
            }
        }
        self.check_array(array.len(), span)?;
        Ok(Value::Array(array))
    }

    fn index(&self, base: &Value, key: &Value, span: Span) -> Fallible<Value> {
        match base {
            Value::Array(array) => {
                let value = match key {
                    Value::String(text) => array.get(crate::value::KeyRef::from_bytes(text.as_bytes())),
                    other => {
                        let key = ops::to_key(other).map_err(|e| self.op_error(e, span))?;
                        array.get(key.as_ref())
                    }
                };
                Ok(value.cloned().unwrap_or_default())
            }
            Value::None => Ok(Value::None),
            Value::String(text) => {
                let position = match ops::to_key(key).map_err(|e| self.op_error(e, span))? {
                    crate::value::Key::Int(position) => position,
                    crate::value::Key::Str(_) => {
                        return Err(self.error(ErrorKind::Index, "a string index must be a number", span));
                    }
                };
                Ok(usize::try_from(position)
                    .ok()
                    .and_then(|p| text.as_bytes().get(p))
                    .map_or(Value::None, |byte| Value::String(Str::new(vec![*byte]))))
            }
            Value::Object(_) => match key {
                Value::String(name) => self.property(base, name, None, span, false),
                other => Err(self.error(
                    ErrorKind::Index,
                    format!("an object member name must be a string, found {}", other.type_name()),
                    span,
                )),
            },
            other => Err(self.error(ErrorKind::Index, format!("cannot index a {}", other.type_name()), span)),
        }
    }

    fn slice_bounds(&mut self, parts: &[Option<Expr>; 3], span: Span) -> Fallible<[Option<f64>; 3]> {
        let mut bounds = [None; 3];
        for (bound, part) in bounds.iter_mut().zip(parts.iter()) {
            if let Some(expr) = part {
                match self.eval(expr)? {
                    Value::Number(number) => *bound = Some(number.get()),
                    Value::None => {}
                    other => {
                        return Err(self.error(
                            ErrorKind::Type,
                            format!("slice bounds must be numbers, found {}", other.type_name()),
                            span,
                        ));
                    }
                }
            }
        }
        Ok(bounds)
    }

    fn slice(&mut self, base: &Value, parts: &[Option<Expr>; 3], span: Span) -> Fallible<Value> {
        let bounds = self.slice_bounds(parts, span)?;
        self.slice_with(base, bounds, span)
    }

    fn slice_with(&self, base: &Value, [start, stop, step]: [Option<f64>; 3], span: Span) -> Fallible<Value> {
        // Step 1 (the usual `[a:b]`) selects a contiguous range: no list of positions.
        let contiguous = step.is_none_or(|s| truncate(s) == 1.0);
        match base {
            Value::String(text) if contiguous => {
                Ok(Value::String(Str::from(&text.as_bytes()[ops::slice_range(text.len(), start, stop)])))
            }
            Value::Array(array) if contiguous => Ok(Value::Array(Array::from_values(
                ops::slice_range(array.len(), start, stop).filter_map(|p| array.value_at(p)).cloned(),
            ))),
            Value::String(text) => {
                let positions =
                    ops::slice_positions(text.len(), start, stop, step).map_err(|e| self.op_error(e, span))?;
                let bytes = text.as_bytes();
                Ok(Value::String(Str::new(positions.iter().map(|p| bytes[*p]).collect::<Vec<u8>>())))
            }
            Value::Array(array) => {
                let positions =
                    ops::slice_positions(array.len(), start, stop, step).map_err(|e| self.op_error(e, span))?;
                Ok(Value::Array(Array::from_values(
                    positions.iter().filter_map(|p| array.get_index(*p)).map(|(_, v)| v.clone()),
                )))
            }
            other => Err(self.error(ErrorKind::Type, format!("cannot slice a {}", other.type_name()), span)),
        }
    }

    /// The class of the function now running (for `private` and `readonly` checks).
    fn current_class(&self) -> Option<ClassId> {
        self.frame.function.and_then(|id| self.program.functions[id.0 as usize].class)
    }

    /// The properties and slot of `$var->name` when the compiler resolved `name` to a slot of the running
    /// class and the variable holds an instance of that class, borrowing the object (no privacy check: the
    /// code runs inside the class). `None` sends the access down the general path.
    #[inline]
    fn own_slot<'a>(&'a self, target: &Expr, member: &Member) -> Option<(&'a Mutex<Fields>, FieldAt<'static>)> {
        let (class, index) = member.slot?;
        let Expr::Load(slot, _) = target else { return None };
        let Some(Value::Object(object)) = self.peek(*slot)? else { return None };
        match object.class() {
            ClassRef::User(own, _) if *own == class => Some((object.fields()?, FieldAt::Declared(index as usize))),
            _ => None,
        }
    }

    /// `$var->name` read through [`Machine::own_slot`].
    #[inline]
    fn own_field(&self, target: &Expr, member: &Member) -> Option<Value> {
        let (fields, at) = self.own_slot(target, member)?;
        fields.lock().get(at).cloned()
    }

    /// `base->name`; `slot` is the compiler's resolution of `name` in the running class (see [`Member`]).
    fn property(
        &self,
        base: &Value,
        name: &Str,
        slot: Option<(ClassId, u32)>,
        span: Span,
        quiet: bool,
    ) -> Fallible<Value> {
        let Value::Object(object) = base else {
            if quiet {
                return Ok(Value::None);
            }
            return Err(self.error(
                ErrorKind::Type,
                format!("cannot read property `{name}` of a {}", base.type_name()),
                span,
            ));
        };
        match object.class() {
            ClassRef::User(class, _) => {
                let def = &self.program.classes[class.0 as usize];
                let inside = || self.current_class() == Some(*class);
                let at = match slot_in(slot, *class) {
                    // Resolved by the compiler inside the class itself: visible.
                    Some(index) => FieldAt::Declared(index),
                    None => match def.field(name.as_bytes()) {
                        Some((_, field)) if field.private && !inside() => {
                            return Err(self.error(ErrorKind::Access, format!("`{name}` is private"), span));
                        }
                        Some((index, _)) => FieldAt::Declared(index),
                        None => FieldAt::Added(name),
                    },
                };
                if let Some(fields) = object.fields()
                    && let Some(value) = fields.lock().get(at)
                {
                    return Ok(value.clone());
                }
                if let Some(method) = def.method(name.as_bytes())
                    && !method.is_static
                {
                    if method.private && !inside() {
                        return Err(self.error(ErrorKind::Access, format!("`{name}` is private"), span));
                    }
                    return Ok(Value::Function(Function::new(FunctionKind::Method {
                        object: object.clone(),
                        id: method.function,
                    })));
                }
                Ok(Value::None)
            }
            ClassRef::Native(class) => {
                if class.method(name.as_bytes()).is_some() {
                    return Ok(Value::Function(Function::new(FunctionKind::NativeMethod {
                        object: object.clone(),
                        name: name.clone(),
                    })));
                }
                Ok(Value::None)
            }
        }
    }

    // ------------------------------------------------------------------ calls

    fn call(&mut self, call: &Call) -> Fallible<Value> {
        match &call.callee {
            Callee::User(id) | Callee::Static(_, id) if !call.has_spread => {
                self.call_user_args(*id, &call.args, &[], None, call.span)
            }
            Callee::Class(id) if !call.has_spread => match self.program.classes[id.0 as usize].constructor {
                Some(constructor) => self.construct_direct(*id, constructor, call),
                None => {
                    let args = self.eval_args(&call.args)?;
                    self.construct(*id, args, call.span)
                }
            },
            Callee::Native(native) if !call.has_spread => {
                // Argument vectors come from a pool: natives are called often and allocate nothing here.
                let mut args = self.arg_pool.pop().unwrap_or_default();
                let mut result = Ok(Value::None);
                for arg in call.args.iter() {
                    match self.operand(&arg.expr) {
                        Ok(value) => args.push(value),
                        Err(error) => {
                            result = Err(error);
                            break;
                        }
                    }
                }
                if result.is_ok() {
                    result = self.call_native(native, &args, call.span);
                }
                args.clear();
                self.arg_pool.push(args);
                result
            }
            Callee::Value(expr) if !call.has_spread => {
                let function = self.eval(expr)?;
                if let Value::Function(callee) = &function
                    && let FunctionKind::User { id, captures } = callee.kind()
                {
                    return self.call_user_args(*id, &call.args, captures, None, call.span);
                }
                let args = self.eval_args(&call.args)?;
                self.call_value(&function, args, call.span)
            }
            Callee::Method(object, name, cache) => {
                let object = self.operand(object)?;
                if !call.has_spread
                    && let Some(result) = self.call_method_direct(&object, name, cache, call)
                {
                    return result;
                }
                let args = self.eval_args(&call.args)?;
                self.call_method(&object, name, args, call.span)
            }
            callee => {
                let args = self.eval_args(&call.args)?;
                let function = match callee {
                    Callee::User(id) | Callee::Static(_, id) => {
                        return self.call_user(*id, args.into_iter(), &[], None, call.span);
                    }
                    Callee::Native(native) => return self.call_native(native, &args, call.span),
                    Callee::Class(id) => return self.construct(*id, args, call.span),
                    Callee::NativeClass(class) => return self.construct_native(class, args, call.span),
                    Callee::NativeStatic(def) => {
                        let native = NativeFunction::from_def(def);
                        return self.call_native(&native, &args, call.span);
                    }
                    Callee::Value(expr) => self.eval(expr)?,
                    Callee::Method(..) => return Ok(Value::None),
                };
                self.call_value(&function, args, call.span)
            }
        }
    }

    fn eval_args(&mut self, args: &[ir::Arg]) -> Fallible<Vec<Value>> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            let value = self.eval(&arg.expr)?;
            if arg.spread {
                match value {
                    Value::Array(array) => values.extend(array.values().cloned()),
                    other => {
                        return Err(self.error(
                            ErrorKind::Type,
                            format!("only arrays can be unpacked into arguments, found {}", other.type_name()),
                            arg.span,
                        ));
                    }
                }
            } else {
                values.push(value);
            }
        }
        Ok(values)
    }

    /// Calls any function value.
    pub(crate) fn call_value(&mut self, function: &Value, args: Vec<Value>, span: Span) -> Fallible<Value> {
        let Value::Function(function) = function else {
            return Err(self.error(
                ErrorKind::UndefinedFunction,
                format!("a {} is not callable", function.type_name()),
                span,
            ));
        };
        match function.kind() {
            FunctionKind::User { id, captures } => self.call_user(*id, args.into_iter(), captures, None, span),
            FunctionKind::Native(native) => self.call_native(native, &args, span),
            FunctionKind::Method { object, id } => {
                self.call_user(*id, args.into_iter(), &[], Some(object.clone()), span)
            }
            FunctionKind::NativeMethod { object, name } => {
                self.call_method(&Value::Object(object.clone()), name, args, span)
            }
            FunctionKind::Class(id) => self.construct(*id, args, span),
            FunctionKind::NativeClass(class) => self.construct_native(class, args, span),
        }
    }

    /// Calls a function value with borrowed arguments (callbacks from natives): user functions copy them
    /// straight into their frame, without an argument vector.
    fn call_value_ref(&mut self, function: &Value, args: &[Value], span: Span) -> Fallible<Value> {
        if let Value::Function(callee) = function {
            match callee.kind() {
                FunctionKind::User { id, captures } => {
                    return self.call_user(*id, args.iter().cloned(), captures, None, span);
                }
                FunctionKind::Native(native) => return self.call_native(native, args, span),
                _ => {}
            }
        }
        self.call_value(function, args.to_vec(), span)
    }

    fn call_native(&mut self, native: &NativeFunction, args: &[Value], span: Span) -> Fallible<Value> {
        if args.len() < native.min || (native.max != VARIADIC && args.len() > native.max) {
            return Err(self.arity_error(&native.name, native.min, native.max, args.len(), span));
        }
        // Charged before the call (so that a limit it runs into stops the call from starting), and whether
        // the call fails or not: a failure can be as slow (a regex at its match limit).
        self.budget.tick_costly().map_err(|interrupt| self.locate(interrupt, span))?;
        native.invoke(&mut NativeCtx { runtime: self }, args).map_err(|failure| self.locate(failure, span))
    }

    fn arity_error(&self, name: &str, min: usize, max: usize, given: usize, span: Span) -> Interrupted {
        self.error(ErrorKind::Arity, crate::module::arity_message(name, min, max, given), span)
    }

    #[inline(always)]
    fn enter(&mut self, id: FnId, span: Span) -> Fallible<()> {
        if self.depth >= self.limits.max_call_depth {
            return Err(self.call_depth_error(span));
        }
        self.budget.tick()?;
        self.depth += 1;
        self.calls.push((id, span));
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn call_depth_error(&self, span: Span) -> Interrupted {
        self.error(
            ErrorKind::Limit(LimitKind::CallDepth),
            format!("limit exceeded (call_depth): more than {} nested calls", self.limits.max_call_depth),
            span,
        )
    }

    /// Reserves a callee's plain slots on top of the stack and makes its cells.
    #[inline(always)]
    fn new_frame(&mut self, def: &ir::FunctionDef, id: FnId, captures: &[Cell]) -> Frame {
        let base = self.stack_top;
        self.stack_top = base + def.locals as usize;
        if self.stack_top > self.stack.len() {
            self.grow_stack();
        }
        let cells = if def.cells == 0 { Vec::new() } else { make_cells(def, captures) };
        Frame { base, cells, function: Some(id) }
    }

    /// Makes the value stack reach `stack_top` (rare: the stack never shrinks).
    #[cold]
    #[inline(never)]
    fn grow_stack(&mut self) {
        self.stack.resize_with(self.stack_top, || None);
    }

    /// Drops the values of the slots from `base` up and makes `base` the top again.
    #[inline]
    fn release_slots(&mut self, base: usize) {
        for slot in &mut self.stack[base..self.stack_top] {
            overwrite(slot, None);
        }
        self.stack_top = base;
    }

    /// Stores a value into a slot of `frame` (a frame being set up, not yet current).
    #[inline(always)]
    fn set_slot(&mut self, frame: &Frame, slot: VarSlot, value: Value) {
        match slot {
            VarSlot::Local(index) => {
                // The slots of a frame being set up are unset, so there is nothing to drop (this skips an
                // out-of-line drop call per argument).
                let old = self.stack[frame.base + index as usize].replace(value);
                debug_assert!(old.is_none(), "a fresh frame's slot was set");
                std::mem::forget(old);
            }
            VarSlot::Cell(index) => *frame.cells[index as usize].lock() = Some(value),
            VarSlot::Global(..) => {}
        }
    }

    /// Runs a function body in `frame`, then restores the caller's frame and releases the callee's slots.
    fn run_body(&mut self, def: &'p ir::FunctionDef, frame: Frame) -> Fallible<Value> {
        let caller = std::mem::replace(&mut self.frame, frame);
        let result = stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, || self.exec_block(&def.body));
        let callee = std::mem::replace(&mut self.frame, caller);
        self.release_slots(callee.base);
        if callee.cells.capacity() == 0 {
            // Most functions have no cells; an unallocated vector needs no (out-of-line) drop.
            std::mem::forget(callee.cells);
        }
        self.depth -= 1;
        self.calls.pop();
        match result? {
            // Nothing runs between a `return` storing its value and this point.
            Flow::Return => Ok(std::mem::take(&mut self.returned)),
            _ => Ok(Value::None),
        }
    }

    /// A call of a user function with its arguments evaluated straight into the callee's slots (no argument
    /// vector). Variadic functions, and methods called without an instance, take the general path.
    fn call_user_args(
        &mut self,
        id: FnId,
        args: &[ir::Arg],
        captures: &[Cell],
        this: Option<Object>,
        span: Span,
    ) -> Fallible<Value> {
        let program = self.program;
        let def = &program.functions[id.0 as usize];
        if def.variadic.is_some() || (def.this_slot.is_some() && this.is_none()) {
            let values = self.eval_args(args)?;
            return self.call_user(id, values.into_iter(), captures, this, span);
        }
        if args.len() < def.min_args || args.len() > def.max_args {
            return Err(self.arity_error(&def.name, def.min_args, def.max_args, args.len(), span));
        }
        // Calls made while evaluating the arguments push above the reserved slots and pop back to them.
        let frame = self.new_frame(def, id, captures);
        for (index, param) in def.params.iter().enumerate() {
            let value = match args.get(index) {
                // Number arguments are built in registers, not returned through memory by `eval`.
                Some(arg) => match self.number_operand(&arg.expr) {
                    Some(number) => Value::number(number),
                    None => match self.operand(&arg.expr) {
                        Ok(value) => value,
                        Err(error) => {
                            self.release_slots(frame.base);
                            return Err(error);
                        }
                    },
                },
                None => param.default.clone().unwrap_or_default(),
            };
            self.set_slot(&frame, param.slot, value);
        }
        if let (Some(slot), Some(object)) = (def.this_slot, this) {
            self.set_slot(&frame, slot, Value::Object(object));
        }
        if let Err(error) = self.enter(id, span) {
            self.release_slots(frame.base);
            return Err(error);
        }
        self.run_body(def, frame)
    }

    /// `$object->name(args)` when it names an instance method the caller may call: arguments go straight
    /// into the method's frame. `None` when the general path must decide (and report errors).
    fn call_method_direct(
        &mut self,
        object: &Value,
        name: &Str,
        cache: &ir::MethodCache,
        call: &Call,
    ) -> Option<Fallible<Value>> {
        let Value::Object(object) = object else { return None };
        let ClassRef::User(class, _) = object.class() else { return None };
        let function = match cache.get(*class) {
            Some(function) => function,
            None => {
                let method = self.program.classes[class.0 as usize].method(name.as_bytes())?;
                if method.is_static || (method.private && self.current_class() != Some(*class)) {
                    return None;
                }
                cache.set(*class, method.function);
                method.function
            }
        };
        Some(self.call_user_args(function, &call.args, &[], Some(object.clone()), call.span))
    }

    /// `Class(args)` for a user class with a constructor.
    fn construct_direct(&mut self, id: ClassId, constructor: FnId, call: &Call) -> Fallible<Value> {
        let object = self.instantiate(id);
        self.call_user_args(constructor, &call.args, &[], Some(object.clone()), call.span)?;
        Ok(Value::Object(object))
    }

    /// A new instance with its declared fields at their initial values, one slot each.
    fn instantiate(&mut self, id: ClassId) -> Object {
        let def = &self.program.classes[id.0 as usize];
        let declared = def.fields.iter().map(|field| Some(field.init.clone())).collect();
        Object::instance(id, def.name.clone(), Fields::new(declared))
    }

    fn call_user(
        &mut self,
        id: FnId,
        args: impl ExactSizeIterator<Item = Value>,
        captures: &[Cell],
        this: Option<Object>,
        span: Span,
    ) -> Fallible<Value> {
        let program = self.program;
        let def = &program.functions[id.0 as usize];
        if args.len() < def.min_args || (def.variadic.is_none() && args.len() > def.max_args) {
            return Err(self.arity_error(&def.name, def.min_args, def.max_args, args.len(), span));
        }
        if def.this_slot.is_some() && this.is_none() {
            return Err(self.error(
                ErrorKind::UndefinedFunction,
                format!("`{}` needs an instance; call it with `->`", def.name),
                span,
            ));
        }
        self.enter(id, span)?;
        let frame = self.new_frame(def, id, captures);
        let mut args = args;
        for param in &def.params {
            // A plain match: the Option combinators made LLVM shuffle the value through misaligned stack
            // copies (store-forwarding stalls, three quarters of a native-to-closure call's time).
            let value = match args.next() {
                Some(value) => value,
                None => param.default.clone().unwrap_or_default(),
            };
            self.set_slot(&frame, param.slot, value);
        }
        if let Some(slot) = def.variadic {
            self.set_slot(&frame, slot, Value::Array(Array::from_values(args)));
        }
        if let (Some(slot), Some(object)) = (def.this_slot, this) {
            self.set_slot(&frame, slot, Value::Object(object));
        }
        self.run_body(def, frame)
    }

    fn construct(&mut self, id: ClassId, args: Vec<Value>, span: Span) -> Fallible<Value> {
        let program = self.program;
        let def = &program.classes[id.0 as usize];
        let object = self.instantiate(id);
        match def.constructor {
            Some(constructor) => {
                self.call_user(constructor, args.into_iter(), &[], Some(object.clone()), span)?;
            }
            None if !args.is_empty() => {
                return Err(self.arity_error(&def.name, 0, 0, args.len(), span));
            }
            None => {}
        }
        Ok(Value::Object(object))
    }

    fn construct_native(&mut self, class: &'static NativeClass, args: Vec<Value>, span: Span) -> Fallible<Value> {
        match &class.constructor {
            Some(def) => {
                let native = NativeFunction::from_def(def);
                self.call_native(&native, &args, span)
            }
            None => Err(self.error(
                ErrorKind::UndefinedFunction,
                format!("`{}` cannot be constructed by scripts", class.name),
                span,
            )),
        }
    }

    fn call_method(&mut self, object: &Value, name: &Str, args: Vec<Value>, span: Span) -> Fallible<Value> {
        let Value::Object(object) = object else {
            return Err(self.error(
                ErrorKind::UndefinedFunction,
                format!("cannot call method `{name}` on a {}", object.type_name()),
                span,
            ));
        };
        match object.class() {
            ClassRef::User(class, class_name) => {
                let program = self.program;
                let def = &program.classes[class.0 as usize];
                if let Some(method) = def.method(name.as_bytes()) {
                    if method.private && self.current_class() != Some(*class) {
                        return Err(self.error(ErrorKind::Access, format!("`{class_name}::{name}` is private"), span));
                    }
                    if method.is_static {
                        return Err(self.error(
                            ErrorKind::UndefinedFunction,
                            format!("`{name}` is static; call it as `{class_name}::{name}()`"),
                            span,
                        ));
                    }
                    return self.call_user(method.function, args.into_iter(), &[], Some(object.clone()), span);
                }
                let field = object.fields().and_then(|fields| fields.lock().get(def.field_at(name)).cloned());
                match field {
                    Some(function @ Value::Function(_)) => self.call_value(&function, args, span),
                    _ => Err(self.error(
                        ErrorKind::UndefinedFunction,
                        format!("class `{class_name}` has no method `{name}`"),
                        span,
                    )),
                }
            }
            ClassRef::Native(class) => match class.method(name.as_bytes()) {
                Some(method) => {
                    if args.len() < method.min || (method.max != VARIADIC && args.len() > method.max) {
                        return Err(self.arity_error(method.name, method.min, method.max, args.len(), span));
                    }
                    let qualified = format!("{}->{}", class.name, method.name);
                    let call_args = Args::new(&args, &qualified, method.signature);
                    self.budget.tick_costly().map_err(|interrupt| self.locate(interrupt, span))?;
                    (method.func)(&mut NativeCtx { runtime: self }, object, &call_args)
                        .map_err(|failure| self.locate(failure, span))
                }
                None => Err(self.error(
                    ErrorKind::UndefinedFunction,
                    format!("class `{}` has no method `{name}`", class.name),
                    span,
                )),
            },
        }
    }

    fn cache(&mut self, options: &Expr, call: &Call, name: &Str) -> Fallible<Value> {
        let options = self.eval(options)?;
        let args = self.eval_args(&call.args)?;
        let options = CacheOptions::parse(&options).map_err(|e| self.op_error(e, call.span))?;
        let mut key = options.namespace.clone();
        key.push(0);
        key.extend_from_slice(name.as_bytes());
        let mut key_args = Vec::new();
        for (index, arg) in args.iter().enumerate() {
            if options.argv_filter.as_ref().is_none_or(|filter| filter.contains(&(index + 1))) {
                key_args.push(arg.clone());
            }
        }
        let argument_key = Value::Array(Array::from_values(key_args)).to_display();
        let cache_name = key;
        let now = self.now();
        if !options.force {
            let mut caches = self.shared.caches.lock();
            let cache = caches.entry(cache_name.clone()).or_default();
            cache.clock += 1;
            let clock = cache.clock;
            if let Some(entry) = cache.entries.get_mut(&argument_key)
                && entry.expires > now
            {
                entry.last_used = clock;
                return Ok(entry.value.clone());
            }
        }
        let result = match &call.callee {
            Callee::User(id) | Callee::Static(_, id) => self.call_user(*id, args.into_iter(), &[], None, call.span)?,
            Callee::Native(native) => self.call_native(native, &args, call.span)?,
            Callee::NativeStatic(def) => self.call_native(&NativeFunction::from_def(def), &args, call.span)?,
            Callee::Value(expr) => {
                let function = self.eval(expr)?;
                self.call_value(&function, args, call.span)?
            }
            Callee::Method(object, method, _) => {
                let object = self.eval(object)?;
                self.call_method(&object, method, args, call.span)?
            }
            Callee::Class(id) => self.construct(*id, args, call.span)?,
            Callee::NativeClass(class) => self.construct_native(class, args, call.span)?,
        };
        let mut ttl = options.ttl;
        if let Some(overrides) = &options.ttl_override {
            for (key, value) in overrides.iter() {
                if key.to_value().loose_eq(&result) || key.to_value().to_display() == result.to_display() {
                    ttl = value.to_number();
                }
            }
        }
        if let Some(function) = &options.ttl_function {
            ttl = self.call_value_ref(function, std::slice::from_ref(&result), call.span)?.to_number();
        }
        let mut stored = result.clone();
        if let Some(function) = &options.update_function {
            let old = self
                .shared
                .caches
                .lock()
                .get(&cache_name)
                .and_then(|c| c.entries.get(&argument_key))
                .map(|e| e.value.clone());
            if let Some(old) = old {
                stored = self.call_value_ref(function, &[old, result.clone()], call.span)?;
            }
        }
        if ttl > 0.0 {
            let mut caches = self.shared.caches.lock();
            let cache = caches.entry(cache_name).or_default();
            cache.size = if cache.size == 0 { options.size } else { cache.size.min(options.size) };
            cache.clock += 1;
            let clock = cache.clock;
            while cache.entries.len() >= cache.size.max(1) && !cache.entries.contains_key(&argument_key) {
                let victim = if options.lru {
                    cache.entries.iter().min_by_key(|(_, e)| e.last_used).map(|(k, _)| k.clone())
                } else {
                    cache.entries.iter().min_by(|a, b| a.1.expires.total_cmp(&b.1.expires)).map(|(k, _)| k.clone())
                };
                match victim {
                    Some(victim) => {
                        cache.entries.remove(&victim);
                    }
                    None => break,
                }
            }
            cache.entries.insert(
                argument_key,
                crate::shared::CacheEntry { value: stored, expires: now + ttl, last_used: clock },
            );
        }
        Ok(result)
    }
}

/// Whether [`Machine::operand_ref`] may be able to borrow the operand's value.
#[inline(always)]
fn is_leaf(expr: &Expr) -> bool {
    matches!(expr, Expr::Const(_) | Expr::ConstKey(_) | Expr::Load(..) | Expr::Index(..) | Expr::Path(_))
}

/// The cells of a new frame: the closure's captured cells first, then fresh ones.
#[inline(never)]
fn make_cells(def: &ir::FunctionDef, captures: &[Cell]) -> Vec<Cell> {
    let mut cells = Vec::with_capacity(def.cells as usize);
    cells.extend(captures.iter().take(def.captured as usize).cloned());
    while cells.len() < def.cells as usize {
        cells.push(new_cell(None));
    }
    cells
}

/// A short description of a value for messages.
fn short(value: &Value) -> String {
    let text = value.to_display_string();
    if text.len() > 40 { format!("{}…", &text[..text.floor_char_boundary(40)]) } else { text }
}

/// Parsed `cache [...]` options (language.md §5.17).
struct CacheOptions {
    ttl: f64,
    ttl_override: Option<Array>,
    ttl_function: Option<Value>,
    update_function: Option<Value>,
    argv_filter: Option<Vec<usize>>,
    force: bool,
    size: usize,
    namespace: Vec<u8>,
    lru: bool,
}

impl CacheOptions {
    fn parse(value: &Value) -> Result<CacheOptions, RuntimeError> {
        let mut options = CacheOptions {
            ttl: 60.0,
            ttl_override: None,
            ttl_function: None,
            update_function: None,
            argv_filter: None,
            force: false,
            size: 32,
            namespace: Vec::new(),
            lru: true,
        };
        let Value::Array(array) = value else {
            return Err(RuntimeError::new(ErrorKind::Type, "cache options must be an array"));
        };
        for (key, value) in array.iter() {
            let name = key.to_value().to_display_string();
            let bad = |expected: &str| {
                RuntimeError::new(ErrorKind::Type, format!("cache option \"{name}\" must be {expected}"))
            };
            match (name.as_str(), value) {
                ("ttl", Value::Number(n)) => options.ttl = n.get(),
                ("ttl_override", Value::Array(a)) => options.ttl_override = Some(a.clone()),
                ("ttl_function", f @ Value::Function(_)) => options.ttl_function = Some(f.clone()),
                ("update_function", f @ Value::Function(_)) => options.update_function = Some(f.clone()),
                ("argv_filter", Value::Array(a)) => {
                    options.argv_filter = Some(a.values().map(|v| v.to_number().max(0.0) as usize).collect())
                }
                ("force", Value::Bool(b)) => options.force = b.get(),
                ("size", Value::Number(n)) => options.size = n.get().max(1.0) as usize,
                ("namespace", Value::String(s)) => options.namespace = s.as_bytes().to_vec(),
                ("lru", Value::Bool(b)) => options.lru = b.get(),
                ("per_message", Value::Bool(_)) => {}
                ("ttl" | "size", _) => return Err(bad("a number")),
                ("ttl_override" | "argv_filter", _) => return Err(bad("an array")),
                ("ttl_function" | "update_function", _) => return Err(bad("a function")),
                ("force" | "lru" | "per_message", _) => return Err(bad("a boolean")),
                ("namespace", _) => return Err(bad("a string")),
                _ => {
                    return Err(RuntimeError::new(ErrorKind::Value, format!("unknown cache option \"{name}\"")));
                }
            }
        }
        Ok(options)
    }
}

impl Runtime for Machine<'_> {
    fn call_value(&mut self, function: &Value, args: &[Value]) -> Fallible<Value> {
        Machine::call_value_ref(self, function, args, Span::NONE)
    }
    fn echo(&mut self, bytes: &[u8]) {
        self.output.echo(bytes)
    }
    fn log(&mut self, priority: &str, message: &[u8]) {
        self.output.log(priority, message)
    }
    fn shared(&self) -> &SharedState {
        self.shared
    }
    fn now(&mut self) -> f64 {
        match self.clock {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |elapsed| elapsed.as_secs_f64()),
            Clock::Fixed(time) => time,
        }
    }
    fn execution_time(&self) -> f64 {
        match self.clock {
            Clock::System => self.started.elapsed().as_secs_f64(),
            Clock::Fixed(_) => 0.0,
        }
    }
    fn time_left(&self) -> Option<std::time::Duration> {
        self.limits.deadline.map(|deadline| deadline.saturating_sub(self.started.elapsed()))
    }
    fn interrupted(&self) -> bool {
        self.budget.interrupted()
    }
    fn random_fill(&mut self, buffer: &mut [u8]) {
        match &mut self.rng_state {
            Some(state) => {
                for chunk in buffer.chunks_mut(8) {
                    // SplitMix64: reproducible when the host fixes the seed.
                    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = *state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    z ^= z >> 31;
                    chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
                }
            }
            None => {
                if getrandom::fill(buffer).is_err() {
                    // No OS randomness: fall back to a clock-seeded generator rather than failing the script.
                    let seed = self.started.elapsed().as_nanos() as u64 ^ 0xA076_1D64_78BD_642F;
                    self.rng_state = Some(seed);
                    self.random_fill(buffer);
                }
            }
        }
    }
    fn check_string_size(&self, len: usize) -> Fallible<()> {
        self.check_string(len, Span::NONE)
    }
    fn check_array_size(&self, len: usize) -> Fallible<()> {
        self.check_array(len, Span::NONE)
    }
    fn hostname(&self) -> String {
        self.hostname.get_or_init(crate::engine::system_hostname).clone()
    }
}

#[allow(dead_code)]
fn _assert_mutex_used(_: Mutex<()>) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Array, ArrayData};

    #[test]
    fn overwriting_a_slot_drops_what_the_old_value_owned() {
        let mut held = Array::from_values([Value::number(1.0)]);
        let mut slot = Some(Value::Array(held.clone()));
        overwrite(&mut slot, Some(Value::number(2.0)));
        // The slot's clone is gone, so the array is unique again and writing to it copies nothing.
        let before: *const ArrayData = held.data();
        held.make_mut();
        assert!(std::ptr::eq(before, held.data()));
        overwrite(&mut slot, None);
        assert!(slot.is_none());
    }
}
