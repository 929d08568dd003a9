//! The syntax tree. Every node carries its span; nothing here knows what the program means.

use crate::span::Span;

/// A whole file.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// Top-level statements in order.
    pub body: Vec<Stmt>,
    /// The whole file.
    pub span: Span,
}

/// A `$variable` occurrence (the name is stored without the `$`).
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    /// Name without `$`.
    pub name: String,
    /// Where it appears, including the `$`.
    pub span: Span,
}

/// A bare identifier (function, class, module or property name).
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it appears.
    pub span: Span,
}

/// A string literal used by `include`/`import` paths (raw bytes after escapes).
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    /// The bytes.
    pub value: Vec<u8>,
    /// Where it appears, quotes included.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// Where it is.
    pub span: Span,
}

/// The statement forms of language.md §6.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `expr;`
    Expr(Expr),
    /// `echo expr;`
    Echo(Expr),
    /// `{ ... }` (does not open a scope).
    Block(Vec<Stmt>),
    /// A lone `;`.
    Empty,
    /// `if (cond) then [else otherwise]`; `else if` is an `else` holding another `If`.
    If {
        /// Condition.
        cond: Expr,
        /// Taken when truthy.
        then: Box<Stmt>,
        /// Taken otherwise.
        otherwise: Option<Box<Stmt>>,
    },
    /// `for (init; cond; step) body`.
    For {
        /// Runs once first.
        init: Option<Expr>,
        /// Empty means true.
        cond: Option<Expr>,
        /// Runs after each iteration.
        step: Option<Expr>,
        /// The body.
        body: Box<Stmt>,
    },
    /// `foreach (subject as [$key =>] $value) body`.
    Foreach {
        /// What is iterated.
        subject: Expr,
        /// Key variable.
        key: Option<Var>,
        /// Value variable.
        value: Var,
        /// The body.
        body: Box<Stmt>,
    },
    /// `while (cond) body`.
    While {
        /// Condition.
        cond: Expr,
        /// The body.
        body: Box<Stmt>,
    },
    /// `forever body`.
    Forever(Box<Stmt>),
    /// `switch (subject) { case ...: ... default: ... }`.
    Switch {
        /// Compared with each case label.
        subject: Expr,
        /// Labels with the statements that follow them, in order.
        cases: Vec<SwitchCase>,
    },
    /// `break;`
    Break,
    /// `continue;`
    Continue,
    /// `return [expr];`
    Return(Option<Expr>),
    /// `throw expr;`
    Throw(Expr),
    /// `try { body } catch ($var) { handler }`.
    Try {
        /// Protected statements.
        body: Vec<Stmt>,
        /// Receives the thrown value.
        var: Var,
        /// Runs when something is thrown.
        handler: Vec<Stmt>,
    },
    /// `global $a, $b;`
    Global(Vec<Var>),
    /// `barrier name [=> $var] { body }`.
    Barrier {
        /// The barrier's name.
        name: Expr,
        /// Variable bound to the barrier's shared storage.
        var: Option<Var>,
        /// The critical section.
        body: Vec<Stmt>,
    },
    /// `include "path";` / `include_once "path";`
    Include {
        /// The file.
        path: StrLit,
        /// `include_once`.
        once: bool,
    },
    /// `import ... from "path" [with options];`
    Import(Import),
    /// `function name(params) { body }`.
    Function(Box<FunctionDecl>),
    /// `class Name { members }`.
    Class(Box<ClassDecl>),
}

/// One `case expr:` or `default:` label and the statements after it.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchCase {
    /// `None` for `default`.
    pub label: Option<Expr>,
    /// Statements up to the next label.
    pub body: Vec<Stmt>,
    /// The label (`case x:` / `default:`).
    pub span: Span,
}

/// An `import` statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// What is imported.
    pub kind: ImportKind,
    /// From which file.
    pub path: StrLit,
    /// `with options` (data imports).
    pub options: Option<Expr>,
}

/// The three import forms of language.md §8.2.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportKind {
    /// `import { a, b as c, $v, $v as $w } from ...`
    Names(Vec<ImportItem>),
    /// `import * as ns from ...`
    Wildcard(Ident),
    /// `import $data from "file.json"`
    Data(Var),
}

/// One name in `import { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportItem {
    /// A function or class, optionally renamed.
    Name {
        /// Name in the module.
        name: Ident,
        /// Local name.
        alias: Option<Ident>,
    },
    /// A variable, optionally renamed.
    Variable {
        /// Name in the module.
        name: Var,
        /// Local name.
        alias: Option<Var>,
    },
}

/// A function parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The variable.
    pub var: Var,
    /// Constant default.
    pub default: Option<Expr>,
    /// `...$rest`.
    pub variadic: bool,
}

/// A named function declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDecl {
    /// Its name.
    pub name: Ident,
    /// Parameters.
    pub params: Vec<Param>,
    /// Body statements.
    pub body: Vec<Stmt>,
    /// The whole declaration.
    pub span: Span,
}

/// `function (params) [closure (captures)] { body }` as an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionLiteral {
    /// Parameters.
    pub params: Vec<Param>,
    /// Variables captured by reference.
    pub captures: Vec<Var>,
    /// Body statements.
    pub body: Vec<Stmt>,
}

/// A class declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDecl {
    /// Its name.
    pub name: Ident,
    /// Members in order.
    pub members: Vec<Member>,
    /// The whole declaration.
    pub span: Span,
}

/// `private`, `static`, `readonly` flags of a member.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    /// `private`.
    pub private: bool,
    /// `static`.
    pub is_static: bool,
    /// `readonly`.
    pub readonly: bool,
}

/// A class member.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// What it is.
    pub kind: MemberKind,
    /// Where it is.
    pub span: Span,
}

/// The member forms of language.md §9.1.
#[derive(Clone, Debug, PartialEq)]
pub enum MemberKind {
    /// `constructor(params) { body }`.
    Constructor {
        /// Parameters.
        params: Vec<Param>,
        /// Body statements.
        body: Vec<Stmt>,
    },
    /// `[private] [static] function name(...) { ... }`.
    Method {
        /// Flags.
        modifiers: Modifiers,
        /// The function.
        function: FunctionDecl,
    },
    /// `[private] [static] [readonly] $name [= constant];`
    Variable {
        /// Flags.
        modifiers: Modifiers,
        /// The variable.
        var: Var,
        /// Constant initial value.
        init: Option<Expr>,
    },
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// One piece of a double-quoted string.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal bytes (escapes already applied).
    Literal(Vec<u8>),
    /// `$name` or `${name}`.
    Var(Var),
}

/// An entry of an array literal.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayItem {
    /// `value` (automatic index).
    Value(Expr),
    /// `key => value`.
    Keyed(Expr, Expr),
    /// `...array`.
    Spread(Expr),
}

/// An argument of a call.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The expression.
    pub expr: Expr,
    /// `...expr` (argument unpacking).
    pub spread: bool,
}

/// One arm of a `match`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// Values compared with the subject; `None` for `default`.
    pub patterns: Option<Vec<Expr>>,
    /// Result when it matches.
    pub value: Expr,
    /// The whole arm.
    pub span: Span,
}

/// One element of a destructuring pattern `[$a, "k" => $b = 1, ...$rest]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternItem {
    /// `key =>` for keyed patterns.
    pub key: Option<Expr>,
    /// The target variable.
    pub var: Var,
    /// `= default`.
    pub default: Option<Expr>,
    /// `...$rest`.
    pub rest: bool,
}

/// The class part of `Class::member` or `static::member`.
#[derive(Clone, Debug, PartialEq)]
pub enum ScopeName {
    /// A class or wildcard-import namespace.
    Named(Ident),
    /// `static::` inside a class.
    Static(Span),
}

/// The member part of `Class::member`.
#[derive(Clone, Debug, PartialEq)]
pub enum ScopeMember {
    /// `Class::function` (called or used as a value).
    Function(Ident),
    /// `Class::$variable`.
    Variable(Var),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!` and `not`.
    Not,
    /// `-`.
    Neg,
    /// `+`.
    Plus,
    /// `~`.
    BitNot,
}

/// Binary operators (language.md §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `.`
    Concat,
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `===`
    StrictEq,
    /// `!==`
    StrictNotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=~`
    RegexMatch,
    /// `!~`
    RegexNotMatch,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `>>>`
    UShr,
    /// `and`
    And,
    /// `or`
    Or,
    /// `??`
    Coalesce,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Pow => "**",
            Concat => ".",
            Eq => "==",
            NotEq => "!=",
            StrictEq => "===",
            StrictNotEq => "!==",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            RegexMatch => "=~",
            RegexNotMatch => "!~",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            Shl => "<<",
            Shr => ">>",
            UShr => ">>>",
            And => "and",
            Or => "or",
            Coalesce => "??",
        }
    }
}

/// The expression forms of language.md §5.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `none`
    None,
    /// `true` / `false`
    Bool(bool),
    /// A number literal.
    Number(f64),
    /// A string without interpolation (double-quoted or raw).
    String(Vec<u8>),
    /// A double-quoted string with `$var` parts.
    Interpolated(Vec<StrPart>),
    /// `#/pattern/flags`.
    Regex {
        /// The pattern (with `\/` turned into `/`).
        pattern: Vec<u8>,
        /// Flag letters.
        flags: String,
    },
    /// `$name`.
    Variable(Var),
    /// A bare name: a function pointer or class reference.
    Name(Ident),
    /// `builtin name` (called or used as a pointer).
    Builtin(Ident),
    /// `Class::member` / `static::member` / `ns::member`.
    Scope {
        /// Left of `::`.
        scope: ScopeName,
        /// Right of `::`.
        member: ScopeMember,
    },
    /// `[...]` or `array(...)`.
    Array(Vec<ArrayItem>),
    /// A function literal (anonymous function or closure).
    Function(Box<FunctionLiteral>),
    /// `match (subject) { arms }`.
    Match {
        /// The compared value.
        subject: Box<Expr>,
        /// Arms in order.
        arms: Vec<MatchArm>,
    },
    /// `cache [options] call`.
    Cache {
        /// The options array literal.
        options: Box<Expr>,
        /// The cached call (a `Call` expression).
        call: Box<Expr>,
    },
    /// `isset(path)`.
    Isset(Box<Expr>),
    /// `unset(path)`.
    Unset(Box<Expr>),
    /// `callee(args)`.
    Call {
        /// What is called.
        callee: Box<Expr>,
        /// Arguments.
        args: Vec<Arg>,
    },
    /// `target[index]`; `index` is `None` for the append target `$a[]`.
    Index {
        /// The subscripted value.
        target: Box<Expr>,
        /// The key.
        index: Option<Box<Expr>>,
    },
    /// `target[start:stop:step]`.
    Slice {
        /// The sliced value.
        target: Box<Expr>,
        /// First position.
        start: Option<Box<Expr>>,
        /// End position (exclusive).
        stop: Option<Box<Expr>>,
        /// Step.
        step: Option<Box<Expr>>,
    },
    /// `target->name`.
    Property {
        /// The object.
        target: Box<Expr>,
        /// The property or method name.
        name: Ident,
    },
    /// Prefix operator.
    Unary {
        /// Which.
        op: UnaryOp,
        /// Operand.
        operand: Box<Expr>,
    },
    /// `++x`, `x++`, `--x`, `x--`.
    IncDec {
        /// The variable/element/property.
        target: Box<Expr>,
        /// `++` rather than `--`.
        increment: bool,
        /// Prefix form (yields the new value).
        prefix: bool,
    },
    /// Binary operator.
    Binary {
        /// Which.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `cond ? then : otherwise`; `then` is `None` for the Elvis form `cond ?: otherwise`.
    Ternary {
        /// Condition.
        cond: Box<Expr>,
        /// Value when truthy (`None`: the condition itself).
        then: Option<Box<Expr>>,
        /// Value otherwise.
        otherwise: Box<Expr>,
    },
    /// `target = value` or a compound `target op= value` (`op` is `None` for plain `=`).
    Assign {
        /// Compound operator (`Add` for `+=`, `Coalesce` for `??=`, ...).
        op: Option<BinaryOp>,
        /// A variable, element, append, slice, property or static variable.
        target: Box<Expr>,
        /// The value.
        value: Box<Expr>,
    },
    /// `[$a, $b = 1, ...$c] = value`.
    Destructure {
        /// The pattern.
        pattern: Vec<PatternItem>,
        /// The value.
        value: Box<Expr>,
    },
}
