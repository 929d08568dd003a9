//! The executable tree: the syntax tree with every name resolved to a slot, every named call bound, constants
//! pre-built as values and compound forms spelled out. The evaluator walks this, never the AST.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::module::{NativeClass, NativeDef, NativeFunction};
use crate::source::SourceFile;
use crate::span::Span;
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::value::{ClassId, FieldAt, FnId, Str, Value};

/// Where a variable lives, decided before the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarSlot {
    /// A plain local of the current frame.
    Local(u32),
    /// A local shared with closures (a [`crate::value::Cell`] in the current frame).
    Cell(u32),
    /// A global of a module (module 0 is the main script; hook globals come first there).
    Global(u16, u32),
}

/// A compiled program: the main script, every imported module, and all their functions and classes.
#[derive(Debug)]
pub struct Program {
    /// Every source file; `file` indexes point here.
    pub files: Vec<SourceFile>,
    /// Where each file starts in program-wide positions (spans of file `i` are offset by `file_bases[i]`).
    pub file_bases: Vec<u32>,
    /// Module 0 is the main script.
    pub modules: Vec<ModuleDef>,
    /// Every function (named, anonymous, methods, constructors).
    pub functions: Vec<FunctionDef>,
    /// Every class.
    pub classes: Vec<ClassDef>,
    /// Each thread's copies of the string constants (see `eval::constants`).
    pub constant_copies: crate::eval::constants::ConstantCopies,
}

impl Program {
    /// The file a program-wide span points into, and the span relative to that file.
    pub fn locate(&self, span: Span) -> (SourceFile, Span) {
        locate(&self.files, &self.file_bases, span)
    }
}

/// Maps a program-wide span to its file and file-local span.
pub fn locate(files: &[SourceFile], bases: &[u32], span: Span) -> (SourceFile, Span) {
    let fallback = || SourceFile::new("<unknown>", "");
    if span.is_none() {
        return (files.first().cloned().unwrap_or_else(fallback), span);
    }
    let index = match bases.binary_search(&span.start) {
        Ok(index) => index,
        Err(next) => next.saturating_sub(1),
    };
    match (files.get(index), bases.get(index)) {
        (Some(file), Some(base)) => (file.clone(), Span::new(span.start - base, span.end.saturating_sub(*base))),
        _ => (fallback(), span),
    }
}

/// One module's top level.
#[derive(Debug)]
pub struct ModuleDef {
    /// Its file.
    pub file: u16,
    /// Top-level statements.
    pub body: Block,
    /// Names of its globals (index = slot).
    pub globals: Vec<Arc<str>>,
}

/// A compiled function.
#[derive(Debug)]
pub struct FunctionDef {
    /// Name for stack traces (`f`, `Class::method`, `<anonymous>`).
    pub name: Arc<str>,
    /// The module whose globals `global` and top-level captures refer to.
    pub module: u16,
    /// The file its body comes from.
    pub file: u16,
    /// Parameters in order.
    pub params: Vec<ParamDef>,
    /// Index of the variadic parameter's slot, if any.
    pub variadic: Option<VarSlot>,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (without a variadic parameter).
    pub max_args: usize,
    /// Number of plain local slots.
    pub locals: u32,
    /// Number of cells (captured cells come first).
    pub cells: u32,
    /// How many captured cells a closure brings (they fill cells `0..captured`).
    pub captured: u32,
    /// The class of a method or constructor.
    pub class: Option<ClassId>,
    /// Where `$this` goes, for instance methods.
    pub this_slot: Option<VarSlot>,
    /// The body.
    pub body: Block,
    /// The declaration.
    pub span: Span,
}

/// A parameter.
#[derive(Debug)]
pub struct ParamDef {
    /// Where the argument is stored.
    pub slot: VarSlot,
    /// Constant default (each call gets its own copy through copy-on-write).
    pub default: Option<Value>,
}

/// A compiled class.
#[derive(Debug)]
pub struct ClassDef {
    /// Its name.
    pub name: Arc<str>,
    /// Instance variables with their initial values.
    pub fields: Vec<FieldDef>,
    /// Methods by name.
    pub methods: Vec<MethodDef>,
    /// Static variables with their initial values.
    pub statics: Vec<FieldDef>,
    /// The constructor.
    pub constructor: Option<FnId>,
}

/// An instance or static variable.
#[derive(Debug)]
pub struct FieldDef {
    /// Name without `$`.
    pub name: Str,
    /// Initial value.
    pub init: Value,
    /// `private`.
    pub private: bool,
    /// `readonly`.
    pub readonly: bool,
}

/// A method.
#[derive(Debug)]
pub struct MethodDef {
    /// Name.
    pub name: Str,
    /// The function.
    pub function: FnId,
    /// `private`.
    pub private: bool,
    /// `static`.
    pub is_static: bool,
}

impl ClassDef {
    /// A method by name.
    pub fn method(&self, name: &[u8]) -> Option<&MethodDef> {
        self.methods.iter().find(|method| method.name.as_bytes() == name)
    }

    /// Where instances keep property `name`: its declared slot, else among the added properties.
    pub fn field_at<'n>(&self, name: &'n Str) -> FieldAt<'n> {
        match self.fields.iter().position(|field| field.name.as_bytes() == name.as_bytes()) {
            Some(index) => FieldAt::Declared(index),
            None => FieldAt::Added(name),
        }
    }

    /// An instance field by name, with its slot in instances.
    pub fn field(&self, name: &[u8]) -> Option<(usize, &FieldDef)> {
        self.fields.iter().enumerate().find(|(_, field)| field.name.as_bytes() == name)
    }
}

/// A statement list.
pub type Block = Box<[Stmt]>;

/// Statements.
#[derive(Debug)]
pub enum Stmt {
    /// Evaluate and drop.
    Expr(Expr),
    /// Output the string form.
    Echo(Expr),
    /// `if`.
    If(Expr, Block, Block),
    /// `while` (and `for` with its step in `step`).
    Loop {
        /// `None` = forever.
        cond: Option<Expr>,
        /// Runs after each iteration (and after `continue`).
        step: Option<Expr>,
        /// The body.
        body: Block,
    },
    /// `foreach`.
    Foreach {
        /// Iterated value.
        subject: Expr,
        /// Key variable.
        key: Option<VarSlot>,
        /// Value variable.
        value: VarSlot,
        /// The body.
        body: Block,
        /// The statement, for errors.
        span: Span,
    },
    /// `switch`: labels are tried in order; execution starts at the matching label's index into `body`.
    Switch {
        /// Compared with `==`.
        subject: Expr,
        /// (label, index into body); `default` is separate.
        cases: Box<[(Expr, usize)]>,
        /// Index of `default:`.
        default: Option<usize>,
        /// All statements of all cases, in order.
        body: Block,
    },
    /// `break;`
    Break,
    /// `continue;`
    Continue,
    /// `return`.
    Return(Option<Expr>),
    /// `throw`.
    Throw(Expr, Span),
    /// `try`/`catch`.
    Try {
        /// Protected.
        body: Block,
        /// Receives the thrown value.
        var: VarSlot,
        /// Handler.
        handler: Block,
    },
    /// `barrier name [=> $var] { }`.
    Barrier {
        /// Name expression.
        name: Expr,
        /// Bound to the shared value.
        var: Option<VarSlot>,
        /// Critical section.
        body: Block,
        /// For errors.
        span: Span,
    },
    /// Run an imported module's top level if it has not run yet in this execution.
    InitModule(u16),
    /// Nested block.
    Block(Block),
    /// `global $x` where `$x` was already used as a local: an error when that local is set.
    GlobalAfterLocal(VarSlot, Span),
}

/// One piece of an interpolated string.
#[derive(Debug)]
pub enum Part {
    /// Literal bytes.
    Literal(Str),
    /// A variable's string form.
    Var(VarSlot, Span),
}

/// One entry of an array literal.
#[derive(Debug)]
pub enum ArrayItem {
    /// Automatic index.
    Value(Expr),
    /// `key => value`.
    Keyed(Expr, Expr),
    /// `...array`.
    Spread(Expr),
}

/// A call argument.
#[derive(Debug)]
pub struct Arg {
    /// The value.
    pub expr: Expr,
    /// `...` unpacking.
    pub spread: bool,
    /// The argument, for errors.
    pub span: Span,
}

/// What a call calls, bound at compile time where possible.
#[derive(Debug)]
pub enum Callee {
    /// A user function.
    User(FnId),
    /// A builtin, host function or hook action.
    Native(Arc<NativeFunction>),
    /// A user class constructor.
    Class(ClassId),
    /// A builtin class constructor.
    NativeClass(&'static NativeClass),
    /// A builtin class's static function (`X509::String`).
    NativeStatic(&'static NativeDef),
    /// A static method `Class::f()`.
    Static(ClassId, FnId),
    /// `$obj->name(...)`, with a memo of the method it last resolved to.
    Method(Expr, Str, MethodCache),
    /// Any expression yielding a function value.
    Value(Expr),
}

/// A call site's memo of the last class a `$obj->name(...)` call met and the instance method that name
/// resolved to there (a monomorphic inline cache). A call site sits in one function, so whether a private
/// method may be called from it never changes. Atomic because one compiled program runs on many threads;
/// any value a thread stores is correct for the class it names.
#[derive(Debug, Default)]
pub struct MethodCache(AtomicU64);

impl MethodCache {
    /// The method memoized for `class`.
    #[inline]
    pub fn get(&self, class: ClassId) -> Option<FnId> {
        let memo = self.0.load(Ordering::Relaxed);
        (memo >> 32 == u64::from(class.0) + 1).then_some(FnId(memo as u32))
    }

    /// Memoizes `function` as the method for `class`.
    pub fn set(&self, class: ClassId, function: FnId) {
        self.0.store(((u64::from(class.0) + 1) << 32) | u64::from(function.0), Ordering::Relaxed);
    }
}

/// A call.
#[derive(Debug)]
pub struct Call {
    /// What.
    pub callee: Callee,
    /// Arguments.
    pub args: Box<[Arg]>,
    /// Whether any argument is spread (arity then checked at run time).
    pub has_spread: bool,
    /// The call expression.
    pub span: Span,
}

/// An assignable location.
#[derive(Debug)]
pub enum Place {
    /// A variable.
    Var(VarSlot, Span),
    /// A static class variable.
    Static(ClassId, u32, Span),
    /// `base[key]`, or `base[]` when the key is `None` (append).
    Index(Box<Place>, Option<Expr>, Span),
    /// `base[start:stop:step]`.
    Slice(Box<Place>, Box<[Option<Expr>; 3]>, Span),
    /// `object->name` where the object comes from any expression (objects are references).
    Property(Box<Expr>, Member, Span),
}

/// The name after `->`. Inside the functions of class `C` (its methods, constructor and the closures they
/// create), a name declared as an instance variable of `C` also carries `C` and the variable's slot: when
/// the object is a `C` instance (it nearly always is `$this`), the evaluator goes straight to the slot, and
/// since the code runs inside `C`, `private` and `readonly` do not restrict it. Any other object is looked
/// up by name.
#[derive(Debug)]
pub struct Member {
    /// The property name.
    pub name: Str,
    /// The owning class and the slot, when known before the run.
    pub slot: Option<(ClassId, u32)>,
}

/// The slot a [`Member::slot`] resolution gives in an instance of `class`: only a resolution made for that
/// very class applies.
#[inline]
pub fn slot_in(slot: Option<(ClassId, u32)>, class: ClassId) -> Option<usize> {
    match slot {
        Some((own, index)) if own == class => Some(index as usize),
        _ => None,
    }
}

/// One element of a destructuring pattern.
#[derive(Debug)]
pub struct PatternItem {
    /// Key for keyed patterns.
    pub key: Option<Expr>,
    /// Target.
    pub slot: VarSlot,
    /// Default when missing.
    pub default: Option<Expr>,
    /// `...$rest`.
    pub rest: bool,
}

/// A constant used as an array key.
#[derive(Debug)]
pub struct ConstKey {
    /// The constant (what the expression evaluates to).
    pub value: Value,
    /// The array key it casts to.
    pub key: crate::value::Key,
}

/// A read of constant keys down from a variable: the walk borrows each array on the way and clones only
/// what it ends at, in one loop (nested `Index` nodes take a call per level).
#[derive(Debug)]
pub struct Path {
    /// The variable the walk starts from.
    pub root: VarSlot,
    /// The keys, outermost array first, cast at compile time.
    pub keys: Box<[crate::value::Key]>,
    /// The same read as nested `Index` nodes: evaluated when the walk cannot finish (an unset variable or
    /// a cell, a string or object on the way), so those cases keep their errors and meaning.
    pub general: Expr,
}

/// Expressions.
#[derive(Debug)]
pub enum Expr {
    /// A pre-built constant.
    Const(Value),
    /// A constant array key (`$a["name"]`, `$a[0]`): the value, and the key it casts to, worked out once.
    ConstKey(Box<ConstKey>),
    /// Read a variable (error when unset).
    Load(VarSlot, Span),
    /// Read a static class variable.
    LoadStatic(ClassId, u32),
    /// Build a string from parts.
    Interpolate(Box<[Part]>),
    /// Build an array.
    Array(Box<[ArrayItem]>, Span),
    /// Create a closure over the listed cells (captured variables that are globals need no cell).
    Closure(FnId, Box<[u32]>),
    /// A function value for a named user function.
    FunctionRef(FnId),
    /// A class used as a value.
    ClassRef(ClassId),
    /// A builtin function used as a value.
    NativeRef(Arc<NativeFunction>),
    /// A builtin class used as a value.
    NativeClassRef(&'static NativeClass),
    /// `$this`-less static method used as a value.
    StaticMethodRef(FnId),
    /// Prefix operator.
    Unary(UnaryOp, Box<Expr>, Span),
    /// Binary operator (not `and`/`or`/`??`).
    Binary(BinaryOp, Box<Expr>, Box<Expr>, Span),
    /// A chain `a . b . c ...` built into one buffer: the first operand, then each further operand with the
    /// span of the `.` that joins it (errors point where the nested binary form would).
    Concat(Box<Expr>, Box<[(Expr, Span)]>),
    /// `and`.
    And(Box<Expr>, Box<Expr>),
    /// `or`.
    Or(Box<Expr>, Box<Expr>),
    /// `a ?? b`: `a` is evaluated quietly (missing names/keys are none).
    Coalesce(Box<Expr>, Box<Expr>),
    /// `c ? a : b`; `None` middle = Elvis.
    Ternary(Box<Expr>, Option<Box<Expr>>, Box<Expr>),
    /// `a[k]`.
    Index(Box<Expr>, Box<Expr>, Span),
    /// `$var[k1][k2]...` with constant keys (`$connection["helo"]["host"]`), read in one walk.
    Path(Box<Path>),
    /// `a[i:j:s]`.
    Slice(Box<Expr>, Box<[Option<Expr>; 3]>, Span),
    /// `o->p`.
    Property(Box<Expr>, Member, Span),
    /// A call.
    Call(Box<Call>),
    /// `place = value`.
    Assign(Box<Place>, Box<Expr>),
    /// `place op= value`.
    CompoundAssign(BinaryOp, Box<Place>, Box<Expr>, Span),
    /// `place ??= value`.
    CoalesceAssign(Box<Place>, Box<Expr>),
    /// `++`/`--`.
    IncDec {
        /// Target.
        place: Box<Place>,
        /// `++`.
        increment: bool,
        /// Yields the new value.
        prefix: bool,
        /// For errors.
        span: Span,
    },
    /// `[$a, $b] = value`.
    Destructure(Box<[PatternItem]>, Box<Expr>),
    /// `isset(place)`.
    Isset(Box<Place>),
    /// `unset(place)`.
    Unset(Box<Place>),
    /// `match`.
    Match {
        /// Subject.
        subject: Box<Expr>,
        /// (values, result).
        arms: Box<[(Box<[Expr]>, Expr)]>,
        /// `default` result.
        default: Option<Box<Expr>>,
        /// For the no-match error.
        span: Span,
    },
    /// `cache [options] call`.
    Cache {
        /// Options array.
        options: Box<Expr>,
        /// The call.
        call: Box<Call>,
        /// Cache name (function name) for the key.
        name: Str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_cache_answers_only_for_the_class_it_saw() {
        let cache = MethodCache::default();
        assert_eq!(cache.get(ClassId(0)), None);
        cache.set(ClassId(0), FnId(7));
        assert_eq!(cache.get(ClassId(0)), Some(FnId(7)));
        assert_eq!(cache.get(ClassId(1)), None);
        cache.set(ClassId(u32::MAX - 1), FnId(u32::MAX));
        assert_eq!(cache.get(ClassId(u32::MAX - 1)), Some(FnId(u32::MAX)));
        assert_eq!(cache.get(ClassId(0)), None);
    }
}
