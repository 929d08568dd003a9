//! Errors: compile-time diagnostics (syntax and static checks) and runtime errors.
//!
//! Runtime errors carry spans and a file index only; the source text is attached when they are rendered.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::source::SourceFile;
use crate::span::Span;
use crate::value::Value;

/// A secondary or primary label on a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it says there.
    pub text: String,
}

/// A compile-time diagnostic: a syntax error, or a static-check error found before anything runs.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code, e.g. `hsl::syntax::unexpected_token`.
    pub code: &'static str,
    /// One-line message.
    pub message: String,
    /// The primary label first, then secondary ones.
    pub labels: Vec<Label>,
    /// Advice for the common mistake, if any.
    pub help: Option<String>,
    /// The file the spans point into.
    pub file: SourceFile,
}

impl Diagnostic {
    /// A diagnostic with one primary label.
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        file: &SourceFile,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            labels: vec![Label { span, text: label.into() }],
            help: None,
            file: file.clone(),
        }
    }

    /// Adds help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label { span, text: text.into() });
        self
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.labels.first().map_or(Span::point(0), |label| label.span)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.file.text_ref())
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().enumerate().map(|(index, label)| {
            let span = clamp(label.span, self.file.text().len());
            if index == 0 {
                miette::LabeledSpan::new_primary_with_span(Some(label.text.clone()), span)
            } else {
                miette::LabeledSpan::new_with_span(Some(label.text.clone()), span)
            }
        })))
    }
}

/// Keeps a span inside the text so renderers never index past the end.
pub(crate) fn clamp(span: Span, text_len: usize) -> miette::SourceSpan {
    let len = text_len as u32;
    if span.is_none() {
        return (0usize, 0usize).into();
    }
    let start = span.start.min(len);
    let end = span.end.clamp(start, len);
    (start as usize, (end - start) as usize).into()
}

/// All diagnostics of one failed compile.
#[derive(Clone, Debug)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "{one}"),
            many => write!(f, "{} errors", many.len()),
        }
    }
}

impl std::error::Error for Diagnostics {}

impl miette::Diagnostic for Diagnostics {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(self.0.iter().map(|d| d as &dyn miette::Diagnostic)))
    }
}

/// Which resource limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// The operation budget.
    Operations,
    /// Call depth (recursion).
    CallDepth,
    /// The wall-clock deadline.
    Deadline,
    /// The host interrupted the run.
    Interrupted,
    /// The size of one string.
    StringSize,
    /// The size of one array.
    ArraySize,
    /// Total memory held by script values (estimate).
    Memory,
}

impl LimitKind {
    /// The limit's name in codes and messages.
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::Operations => "operations",
            LimitKind::CallDepth => "call_depth",
            LimitKind::Deadline => "deadline",
            LimitKind::Interrupted => "interrupted",
            LimitKind::StringSize => "string_size",
            LimitKind::ArraySize => "array_size",
            LimitKind::Memory => "memory",
        }
    }
}

/// The kind of a runtime error; each has a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// An operand or argument of the wrong type.
    Type,
    /// A value of the right type that the operation cannot use (`chr(300)`, bad base64).
    Value,
    /// Reading a variable that does not exist.
    UndefinedVariable,
    /// Calling something that is not a function, or an unknown function, method or class.
    UndefinedFunction,
    /// The wrong number of arguments.
    Arity,
    /// A bad array key or index.
    Index,
    /// Writing a read-only variable or property, or a private member from outside.
    Access,
    /// `throw` of a value nobody caught.
    Thrown,
    /// `match` without a matching arm.
    NoMatch,
    /// An invalid regular expression.
    Regex,
    /// A function that needs the network, files or the MTA.
    NotAvailable,
    /// A resource limit (not catchable).
    Limit(LimitKind),
    /// A bug in the interpreter; never expected.
    Internal,
}

impl ErrorKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Type => "hsl::runtime::type_error",
            ErrorKind::Value => "hsl::runtime::value_error",
            ErrorKind::UndefinedVariable => "hsl::runtime::undefined_variable",
            ErrorKind::UndefinedFunction => "hsl::runtime::undefined_function",
            ErrorKind::Arity => "hsl::runtime::arity",
            ErrorKind::Index => "hsl::runtime::bad_index",
            ErrorKind::Access => "hsl::runtime::access",
            ErrorKind::Thrown => "hsl::runtime::uncaught_throw",
            ErrorKind::NoMatch => "hsl::runtime::no_match",
            ErrorKind::Regex => "hsl::runtime::regex",
            ErrorKind::NotAvailable => "hsl::runtime::not_available",
            ErrorKind::Limit(LimitKind::Operations) => "hsl::limit::operations",
            ErrorKind::Limit(LimitKind::CallDepth) => "hsl::limit::call_depth",
            ErrorKind::Limit(LimitKind::Deadline) => "hsl::limit::deadline",
            ErrorKind::Limit(LimitKind::Interrupted) => "hsl::limit::interrupted",
            ErrorKind::Limit(LimitKind::StringSize) => "hsl::limit::string_size",
            ErrorKind::Limit(LimitKind::ArraySize) => "hsl::limit::array_size",
            ErrorKind::Limit(LimitKind::Memory) => "hsl::limit::memory",
            ErrorKind::Internal => "hsl::runtime::internal",
        }
    }

    /// The short kind name used in JSON output (`type`, `limit`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Type => "type",
            ErrorKind::Value => "value",
            ErrorKind::UndefinedVariable => "undefined_variable",
            ErrorKind::UndefinedFunction => "undefined_function",
            ErrorKind::Arity => "arity",
            ErrorKind::Index => "index",
            ErrorKind::Access => "access",
            ErrorKind::Thrown => "thrown",
            ErrorKind::NoMatch => "no_match",
            ErrorKind::Regex => "regex",
            ErrorKind::NotAvailable => "not_available",
            ErrorKind::Limit(_) => "limit",
            ErrorKind::Internal => "internal",
        }
    }

    /// Whether `try`/`catch` can catch it (Q-ERR-1: limits cannot be caught).
    pub fn catchable(self) -> bool {
        !matches!(self, ErrorKind::Limit(_) | ErrorKind::Internal)
    }
}

/// One entry of the HSL call stack: the function that was called and where.
#[derive(Clone, Debug)]
pub struct StackEntry {
    /// The called function's name (`<anonymous>` for function literals).
    pub function: Arc<str>,
    /// The call expression (in program-wide positions, see [`crate::ir::Program::locate`]).
    pub span: Span,
}

/// A runtime error: kind, message, where, and the HSL call stack.
#[derive(Clone, Debug)]
pub struct RuntimeError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// A message for people.
    pub message: String,
    /// The failing expression ([`Span::NONE`] until the call site attaches one). Positions are program-wide:
    /// each file of a program occupies its own range (see [`crate::ir::Program::locate`]).
    pub span: Span,
    /// Innermost call last.
    pub stack: Vec<StackEntry>,
    /// The value given to `throw`, for uncaught throws.
    pub thrown: Option<Value>,
}

impl RuntimeError {
    /// An error without a position yet.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> RuntimeError {
        RuntimeError { kind, message: message.into(), span: Span::NONE, stack: Vec::new(), thrown: None }
    }

    /// Sets the position if none is set yet.
    pub fn at(mut self, span: Span) -> RuntimeError {
        if self.span.is_none() {
            self.span = span;
        }
        self
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuntimeError {}

/// How evaluation stops early: an error, or a hook action that ends the script.
#[derive(Debug)]
pub enum Interrupt {
    /// A runtime error or uncaught throw.
    Error(RuntimeError),
    /// A hook action (`Pass()`) ended the script.
    Action {
        /// The action's name.
        name: Cow<'static, str>,
        /// Its arguments.
        args: Vec<Value>,
    },
}

/// Result of anything that evaluates HSL: the `Err` is an [`Interrupted`] marker, the interrupt itself waits
/// beside it.
pub type Fallible<T> = Result<T, Interrupted>;

thread_local! {
    // The interrupt of the one `Interrupted` marker alive on this thread, if any.
    static PENDING: RefCell<Option<Interrupt>> = const { RefCell::new(None) };
}

/// The error of [`Fallible`]: evaluation was interrupted, and the [`Interrupt`] waits in a slot of this thread
/// until the code that handles it [takes](Interrupted::take) it. Dropping the marker drops the interrupt.
///
/// The marker has no size so that a `Fallible<Value>` is two words the compiler passes in two registers,
/// like a `Value`: rustc does that for a `Result` only when its error has no size. With the interrupt boxed
/// in the `Err`, every evaluation returned its value through memory, and the caller's 16-byte load of it
/// waited for the two 8-byte stores that wrote it. Errors are rare and propagate straight up, so one slot
/// per thread is enough: at most one marker is alive at a time (debug builds check it). Code that holds a
/// marker (a host function that calls back into a script and looks at the failure, say) takes or drops it
/// before doing anything that may raise another. A marker cannot leave its thread.
///
/// ```
/// use hsl::error::{ErrorKind, Fallible, Interrupt, RuntimeError};
/// let failed: Fallible<()> = Err(RuntimeError::new(ErrorKind::Type, "not a number").into());
/// match failed.unwrap_err().take() {
///     Interrupt::Error(error) => assert_eq!(error.message, "not a number"),
///     Interrupt::Action { .. } => unreachable!(),
/// }
/// ```
#[must_use = "an interrupt is handled or passed on"]
pub struct Interrupted {
    _thread_bound: PhantomData<*const ()>,
}

impl Interrupted {
    /// Raises `interrupt`: parks it in this thread's slot and returns its marker.
    #[cold]
    #[inline(never)]
    pub fn new(interrupt: Interrupt) -> Interrupted {
        let previous = PENDING.with_borrow_mut(|pending| pending.replace(interrupt));
        debug_assert!(previous.is_none(), "an interrupt was raised while another was pending: {previous:?}");
        Interrupted { _thread_bound: PhantomData }
    }

    /// Takes the interrupt out of the slot, ending the marker.
    pub fn take(self) -> Interrupt {
        std::mem::forget(self);
        PENDING.with_borrow_mut(Option::take).unwrap_or_else(|| {
            debug_assert!(false, "an interrupt marker without its interrupt");
            Interrupt::Error(RuntimeError::new(ErrorKind::Internal, "an interrupt was lost"))
        })
    }

    /// Changes the pending interrupt in place (`change` must not raise another).
    pub fn update(&mut self, change: impl FnOnce(&mut Interrupt)) {
        PENDING.with_borrow_mut(|pending| pending.as_mut().map(change));
    }

    /// Reads the pending interrupt (`read` must not raise another).
    pub fn inspect<R>(&self, read: impl FnOnce(Option<&Interrupt>) -> R) -> R {
        PENDING.with_borrow(|pending| read(pending.as_ref()))
    }
}

/// Whether no interrupt is pending on this thread (what every run leaves behind).
#[cfg(test)]
pub(crate) fn nothing_pending() -> bool {
    PENDING.with_borrow(Option::is_none)
}

impl Drop for Interrupted {
    fn drop(&mut self) {
        drop(PENDING.with_borrow_mut(Option::take));
    }
}

impl fmt::Debug for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inspect(|interrupt| write!(f, "Interrupted({interrupt:?})"))
    }
}

impl From<Box<Interrupt>> for Interrupted {
    fn from(interrupt: Box<Interrupt>) -> Interrupted {
        Interrupted::new(*interrupt)
    }
}

impl From<Interrupt> for Interrupted {
    fn from(interrupt: Interrupt) -> Interrupted {
        Interrupted::new(interrupt)
    }
}

impl From<RuntimeError> for Interrupted {
    fn from(error: RuntimeError) -> Interrupted {
        Interrupted::new(Interrupt::Error(error))
    }
}

/// Shorthand: an `Err` with a runtime error of `kind`.
pub fn fail<T>(kind: ErrorKind, message: impl Into<String>) -> Fallible<T> {
    Err(RuntimeError::new(kind, message).into())
}

/// A runtime error rendered with its source attached (what the CLI and hosts print).
#[derive(Debug)]
pub struct RuntimeReport {
    /// The error, its span made local to `file`.
    pub error: RuntimeError,
    /// The file its span points into.
    pub file: SourceFile,
    /// `function (file:line:column)` of each call, innermost first.
    pub call_sites: Vec<String>,
}

impl RuntimeReport {
    /// Attaches the source, using `locate` to map program-wide spans to (file, local span).
    pub fn new(mut error: RuntimeError, locate: impl Fn(Span) -> (SourceFile, Span)) -> RuntimeReport {
        let (file, local) = locate(error.span);
        error.span = local;
        let call_sites = error
            .stack
            .iter()
            .rev()
            .map(|entry| {
                let (site, local) = locate(entry.span);
                let (line, column) = site.line_column(local.start);
                format!("{} called at {}:{line}:{column}", entry.function, site.name())
            })
            .collect();
        RuntimeReport { error, file, call_sites }
    }

    /// One-based line and column of the error.
    pub fn line_column(&self) -> (usize, usize) {
        if self.error.span.is_none() { (0, 0) } else { self.file.line_column(self.error.span.start) }
    }
}

impl fmt::Display for RuntimeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl std::error::Error for RuntimeReport {}

impl miette::Diagnostic for RuntimeReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.error.kind.code()))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.call_sites.is_empty() {
            return None;
        }
        Some(Box::new(format!("call stack:\n  {}", self.call_sites.join("\n  "))))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.file.text_ref())
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.error.span.is_none() {
            return None;
        }
        let span = clamp(self.error.span, self.file.text().len());
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_primary_with_span(
            Some(format!("{} error", self.error.kind.name().replace("_", " "))),
            span,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(interrupt: Interrupt) -> String {
        match interrupt {
            Interrupt::Error(error) => error.message,
            Interrupt::Action { name, .. } => format!("action {name}"),
        }
    }

    #[test]
    fn an_interrupt_waits_beside_its_marker_until_taken() {
        assert_eq!(size_of::<Fallible<Value>>(), size_of::<Value>());
        let mut marker = Interrupted::from(RuntimeError::new(ErrorKind::Type, "first"));
        marker.update(|interrupt| {
            if let Interrupt::Error(error) = interrupt {
                error.message.push_str(", located");
            }
        });
        assert_eq!(format!("{marker:?}").matches("first, located").count(), 1);
        assert_eq!(message(marker.take()), "first, located");
        assert!(nothing_pending(), "taking empties the slot");

        // A dropped marker drops its interrupt, so the next one starts from an empty slot.
        drop(Interrupted::from(Interrupt::Action { name: "Pass".into(), args: Vec::new() }));
        assert!(nothing_pending());
        let failed = crate::error::fail::<Value>(ErrorKind::Value, "second");
        assert_eq!(message(failed.expect_err("failed").take()), "second");
    }

    #[test]
    fn each_thread_has_its_own_slot() {
        let here = Interrupted::from(RuntimeError::new(ErrorKind::Value, "here"));
        let there = std::thread::spawn(|| {
            let marker = Interrupted::from(RuntimeError::new(ErrorKind::Value, "there"));
            message(marker.take())
        });
        assert_eq!(there.join().expect("no panic"), "there");
        assert_eq!(message(here.take()), "here");
    }
}
