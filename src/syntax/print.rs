//! The canonical printer: HSL text that parses back to the same tree (spans aside). Operands get parentheses
//! exactly where the precedence table (language.md §5.1) needs them; strings are always double-quoted with
//! escapes, so raw strings come back as ordinary ones.
//!
//! The printer recurses over the tree; the parser bounds its depth by [`MAX_NESTING`](super::MAX_NESTING).

use std::fmt::Write as _;

use super::ast::*;

/// Prints a script in canonical form (four-space indentation, one statement per line).
pub fn print(script: &Script) -> String {
    let mut printer = Printer::default();
    for stmt in &script.body {
        printer.stmt(stmt);
    }
    printer.out
}

/// Prints one expression in canonical form.
pub fn print_expr(expr: &Expr) -> String {
    let mut printer = Printer::default();
    printer.expr(expr, ASSIGN);
    printer.out
}

/// `bytes` as a double-quoted HSL string literal.
pub fn quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    escape_into(&mut out, bytes);
    out.push('"');
    out
}

/// Escapes string bytes for the inside of `"..."`: the special characters, control bytes and bytes that are
/// not UTF-8 (as `\xHH`); valid UTF-8 text is kept as it is.
fn escape_into(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '$' => out.push_str("\\$"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_ascii_control() => {
                    let _ = write!(out, "\\x{:02X}", c as u32);
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02X}");
        }
    }
}

// Precedence levels, loosest first (language.md §5.1).
const ASSIGN: u8 = 1;
const TERNARY: u8 = 2;
const COALESCE: u8 = 3;
const OR: u8 = 4;
const AND: u8 = 5;
const BIT_OR: u8 = 6;
const BIT_XOR: u8 = 7;
const BIT_AND: u8 = 8;
const EQUALITY: u8 = 9;
const RELATIONAL: u8 = 10;
const CONCAT: u8 = 11;
const SHIFT: u8 = 12;
const ADDITIVE: u8 = 13;
const MULTIPLICATIVE: u8 = 14;
const UNARY: u8 = 15;
const POWER: u8 = 16;
const POSTFIX: u8 = 17;
const PRIMARY: u8 = 18;

fn binary_level(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Coalesce => COALESCE,
        Or => OR,
        And => AND,
        BitOr => BIT_OR,
        BitXor => BIT_XOR,
        BitAnd => BIT_AND,
        Eq | NotEq | StrictEq | StrictNotEq | RegexMatch | RegexNotMatch => EQUALITY,
        Lt | Le | Gt | Ge => RELATIONAL,
        Concat => CONCAT,
        Shl | Shr | UShr => SHIFT,
        Add | Sub => ADDITIVE,
        Mul | Div | Mod => MULTIPLICATIVE,
        Pow => POWER,
    }
}

/// The minimum levels of the left and right operand of `op` (the grammar's operand nonterminals).
fn operand_levels(op: BinaryOp) -> (u8, u8) {
    let level = binary_level(op);
    match level {
        // Right-associative: `a ?? (b ?? c)`.
        COALESCE => (level + 1, level),
        // Non-associative: both sides one level tighter.
        EQUALITY | RELATIONAL => (level + 1, level + 1),
        // `Postfix ** Unary`.
        POWER => (POSTFIX, UNARY),
        // `Multiplicative * Unary`.
        MULTIPLICATIVE => (level, UNARY),
        _ => (level, level + 1),
    }
}

fn level(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Assign { .. } | ExprKind::Destructure { .. } => ASSIGN,
        ExprKind::Ternary { .. } => TERNARY,
        ExprKind::Binary { op, .. } => binary_level(*op),
        ExprKind::Unary { .. } | ExprKind::IncDec { prefix: true, .. } => UNARY,
        ExprKind::IncDec { prefix: false, .. }
        | ExprKind::Call { .. }
        | ExprKind::Index { .. }
        | ExprKind::Slice { .. }
        | ExprKind::Property { .. } => POSTFIX,
        // Numbers that need a sign or are not finite print as operator expressions.
        ExprKind::Number(n) if !n.is_finite() || n.is_sign_negative() => UNARY,
        _ => PRIMARY,
    }
}

/// Whether a statement ends in an `if` without `else`, which would capture a following `else`.
fn is_open(stmt: &Stmt) -> bool {
    match &stmt.kind {
        StmtKind::If { otherwise: None, .. } => true,
        StmtKind::If { otherwise: Some(otherwise), .. } => is_open(otherwise),
        StmtKind::While { body, .. }
        | StmtKind::For { body, .. }
        | StmtKind::Foreach { body, .. }
        | StmtKind::Forever(body) => is_open(body),
        _ => false,
    }
}

#[derive(Default)]
struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn line_start(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.line_start();
        self.stmt_inline(stmt);
        self.out.push('\n');
    }

    /// `{` + statements + `}` with the closing brace at the current indentation.
    fn block(&mut self, body: &[Stmt]) {
        if body.is_empty() {
            self.out.push_str("{}");
            return;
        }
        self.out.push_str("{\n");
        self.indent += 1;
        for stmt in body {
            self.stmt(stmt);
        }
        self.indent -= 1;
        self.line_start();
        self.out.push('}');
    }

    /// The body of an `if`/loop: a block on the same line, anything else on its own indented line.
    /// Returns whether it was a block (so `else` can follow on the same line).
    fn body(&mut self, body: &Stmt) -> bool {
        if let StmtKind::Block(stmts) = &body.kind {
            self.out.push(' ');
            self.block(stmts);
            true
        } else {
            self.out.push('\n');
            self.indent += 1;
            self.line_start();
            self.stmt_inline(body);
            self.indent -= 1;
            false
        }
    }

    fn stmt_inline(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Expr(e) => {
                self.expr(e, ASSIGN);
                self.out.push(';');
            }
            StmtKind::Echo(e) => {
                self.out.push_str("echo ");
                self.expr(e, ASSIGN);
                self.out.push(';');
            }
            StmtKind::Block(body) => self.block(body),
            StmtKind::Empty => self.out.push(';'),
            StmtKind::If { cond, then, otherwise } => {
                self.out.push_str("if (");
                self.expr(cond, ASSIGN);
                self.out.push(')');
                let Some(otherwise) = otherwise else {
                    self.body(then);
                    return;
                };
                let was_block = if is_open(then) {
                    // Only hand-built trees get here: braces keep the `else` on this `if`.
                    self.out.push(' ');
                    self.block(std::slice::from_ref(then));
                    true
                } else {
                    self.body(then)
                };
                if was_block {
                    self.out.push_str(" else");
                } else {
                    self.out.push('\n');
                    self.line_start();
                    self.out.push_str("else");
                }
                if matches!(otherwise.kind, StmtKind::If { .. }) {
                    self.out.push(' ');
                    self.stmt_inline(otherwise);
                } else {
                    self.body(otherwise);
                }
            }
            StmtKind::For { init, cond, step, body } => {
                self.out.push_str("for (");
                if let Some(init) = init {
                    self.expr(init, ASSIGN);
                }
                self.out.push(';');
                if let Some(cond) = cond {
                    self.out.push(' ');
                    self.expr(cond, ASSIGN);
                }
                self.out.push(';');
                if let Some(step) = step {
                    self.out.push(' ');
                    self.expr(step, ASSIGN);
                }
                self.out.push(')');
                self.body(body);
            }
            StmtKind::Foreach { subject, key, value, body } => {
                self.out.push_str("foreach (");
                self.expr(subject, ASSIGN);
                self.out.push_str(" as ");
                if let Some(key) = key {
                    let _ = write!(self.out, "${} => ", key.name);
                }
                let _ = write!(self.out, "${})", value.name);
                self.body(body);
            }
            StmtKind::While { cond, body } => {
                self.out.push_str("while (");
                self.expr(cond, ASSIGN);
                self.out.push(')');
                self.body(body);
            }
            StmtKind::Forever(body) => {
                self.out.push_str("forever");
                self.body(body);
            }
            StmtKind::Switch { subject, cases } => {
                self.out.push_str("switch (");
                self.expr(subject, ASSIGN);
                self.out.push_str(") {\n");
                self.indent += 1;
                for case in cases {
                    self.line_start();
                    match &case.label {
                        Some(label) => {
                            self.out.push_str("case ");
                            self.expr(label, ASSIGN);
                            self.out.push_str(":\n");
                        }
                        None => self.out.push_str("default:\n"),
                    }
                    self.indent += 1;
                    for stmt in &case.body {
                        self.stmt(stmt);
                    }
                    self.indent -= 1;
                }
                self.indent -= 1;
                self.line_start();
                self.out.push('}');
            }
            StmtKind::Break => self.out.push_str("break;"),
            StmtKind::Continue => self.out.push_str("continue;"),
            StmtKind::Return(value) => {
                self.out.push_str("return");
                if let Some(value) = value {
                    self.out.push(' ');
                    self.expr(value, ASSIGN);
                }
                self.out.push(';');
            }
            StmtKind::Throw(e) => {
                self.out.push_str("throw ");
                self.expr(e, ASSIGN);
                self.out.push(';');
            }
            StmtKind::Try { body, var, handler } => {
                self.out.push_str("try ");
                self.block(body);
                let _ = write!(self.out, " catch (${}) ", var.name);
                self.block(handler);
            }
            StmtKind::Global(vars) => {
                self.out.push_str("global ");
                self.vars(vars);
                self.out.push(';');
            }
            StmtKind::Barrier { name, var, body } => {
                self.out.push_str("barrier ");
                self.expr(name, ASSIGN);
                if let Some(var) = var {
                    let _ = write!(self.out, " => ${}", var.name);
                }
                self.out.push(' ');
                self.block(body);
            }
            StmtKind::Include { path, once } => {
                self.out.push_str(if *once { "include_once " } else { "include " });
                self.out.push_str(&quote_bytes(&path.value));
                self.out.push(';');
            }
            StmtKind::Import(import) => self.import(import),
            StmtKind::Function(decl) => self.function(decl),
            StmtKind::Class(class) => {
                let _ = write!(self.out, "class {} ", class.name.name);
                if class.members.is_empty() {
                    self.out.push_str("{}");
                    return;
                }
                self.out.push_str("{\n");
                self.indent += 1;
                for member in &class.members {
                    self.line_start();
                    self.member(member);
                    self.out.push('\n');
                }
                self.indent -= 1;
                self.line_start();
                self.out.push('}');
            }
        }
    }

    fn vars(&mut self, vars: &[Var]) {
        for (index, var) in vars.iter().enumerate() {
            if index > 0 {
                self.out.push_str(", ");
            }
            let _ = write!(self.out, "${}", var.name);
        }
    }

    fn import(&mut self, import: &Import) {
        self.out.push_str("import ");
        match &import.kind {
            ImportKind::Names(items) => {
                self.out.push_str("{ ");
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.out.push_str(", ");
                    }
                    match item {
                        ImportItem::Name { name, alias } => {
                            self.out.push_str(&name.name);
                            if let Some(alias) = alias {
                                let _ = write!(self.out, " as {}", alias.name);
                            }
                        }
                        ImportItem::Variable { name, alias } => {
                            let _ = write!(self.out, "${}", name.name);
                            if let Some(alias) = alias {
                                let _ = write!(self.out, " as ${}", alias.name);
                            }
                        }
                    }
                }
                self.out.push_str(if items.is_empty() { "}" } else { " }" });
            }
            ImportKind::Wildcard(ns) => {
                let _ = write!(self.out, "* as {}", ns.name);
            }
            ImportKind::Data(var) => {
                let _ = write!(self.out, "${}", var.name);
            }
        }
        self.out.push_str(" from ");
        self.out.push_str(&quote_bytes(&import.path.value));
        if let Some(options) = &import.options {
            self.out.push_str(" with ");
            self.expr(options, ASSIGN);
        }
        self.out.push(';');
    }

    fn function(&mut self, decl: &FunctionDecl) {
        let _ = write!(self.out, "function {}", decl.name.name);
        self.params(&decl.params);
        self.out.push(' ');
        self.block(&decl.body);
    }

    fn params(&mut self, params: &[Param]) {
        self.out.push('(');
        for (index, param) in params.iter().enumerate() {
            if index > 0 {
                self.out.push_str(", ");
            }
            if param.variadic {
                self.out.push_str("...");
            }
            let _ = write!(self.out, "${}", param.var.name);
            if let Some(default) = &param.default {
                self.out.push_str(" = ");
                self.expr(default, ASSIGN);
            }
        }
        self.out.push(')');
    }

    fn member(&mut self, member: &Member) {
        let modifiers = |out: &mut String, m: &Modifiers| {
            for (on, word) in [(m.private, "private "), (m.is_static, "static "), (m.readonly, "readonly ")] {
                if on {
                    out.push_str(word);
                }
            }
        };
        match &member.kind {
            MemberKind::Constructor { params, body } => {
                self.out.push_str("constructor");
                self.params(params);
                self.out.push(' ');
                self.block(body);
            }
            MemberKind::Method { modifiers: m, function } => {
                modifiers(&mut self.out, m);
                self.function(function);
            }
            MemberKind::Variable { modifiers: m, var, init } => {
                modifiers(&mut self.out, m);
                let _ = write!(self.out, "${}", var.name);
                if let Some(init) = init {
                    self.out.push_str(" = ");
                    self.expr(init, ASSIGN);
                }
                self.out.push(';');
            }
        }
    }

    /// Prints `expr`, in parentheses when it binds looser than `min`.
    fn expr(&mut self, expr: &Expr, min: u8) {
        if level(expr) < min {
            self.out.push('(');
            self.expr_bare(expr);
            self.out.push(')');
        } else {
            self.expr_bare(expr);
        }
    }

    fn args(&mut self, args: &[Arg]) {
        self.out.push('(');
        for (index, arg) in args.iter().enumerate() {
            if index > 0 {
                self.out.push_str(", ");
            }
            if arg.spread {
                self.out.push_str("...");
            }
            self.expr(&arg.expr, ASSIGN);
        }
        self.out.push(')');
    }

    fn items(&mut self, items: &[ArrayItem]) {
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.out.push_str(", ");
            }
            match item {
                ArrayItem::Value(e) => self.expr(e, ASSIGN),
                ArrayItem::Keyed(k, v) => {
                    self.expr(k, ASSIGN);
                    self.out.push_str(" => ");
                    self.expr(v, ASSIGN);
                }
                ArrayItem::Spread(e) => {
                    self.out.push_str("...");
                    self.expr(e, ASSIGN);
                }
            }
        }
    }

    /// A prefix operator; a space keeps `- -x` from becoming `--x`.
    fn prefix(&mut self, op: &str, operand: &Expr) {
        self.out.push_str(op);
        let at = self.out.len();
        self.expr(operand, UNARY);
        // `- -1`, `+ +$x` and `! ~$x` must not lex as `--`, `++` and `!~`.
        let next = (op.as_bytes().last(), self.out.as_bytes().get(at));
        if matches!(next, (Some(b'-'), Some(b'-')) | (Some(b'+'), Some(b'+')) | (Some(b'!'), Some(b'~'))) {
            self.out.insert(at, ' ');
        }
    }

    fn expr_bare(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::None => self.out.push_str("none"),
            ExprKind::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Number(n) => self.number(*n),
            ExprKind::String(bytes) => self.out.push_str(&quote_bytes(bytes)),
            ExprKind::Interpolated(parts) => {
                self.out.push('"');
                for (index, part) in parts.iter().enumerate() {
                    match part {
                        StrPart::Literal(bytes) => escape_into(&mut self.out, bytes),
                        StrPart::Var(var) => {
                            // `${name}` when a name character follows, which `$name` would swallow.
                            let glued = matches!(parts.get(index + 1), Some(StrPart::Literal(next))
                                if next.first().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_'));
                            if glued {
                                let _ = write!(self.out, "${{{}}}", var.name);
                            } else {
                                let _ = write!(self.out, "${}", var.name);
                            }
                        }
                    }
                }
                self.out.push('"');
            }
            ExprKind::Regex { pattern, flags } => {
                self.out.push_str("#/");
                let mut text = Vec::with_capacity(pattern.len());
                for &byte in pattern {
                    if byte == b'/' {
                        text.push(b'\\');
                    }
                    text.push(byte);
                }
                self.out.push_str(&String::from_utf8_lossy(&text));
                self.out.push('/');
                self.out.push_str(flags);
            }
            ExprKind::Variable(var) => {
                let _ = write!(self.out, "${}", var.name);
            }
            ExprKind::Name(ident) => self.out.push_str(&ident.name),
            ExprKind::Builtin(ident) => {
                let _ = write!(self.out, "builtin {}", ident.name);
            }
            ExprKind::Scope { scope, member } => {
                match scope {
                    ScopeName::Named(ident) => self.out.push_str(&ident.name),
                    ScopeName::Static(_) => self.out.push_str("static"),
                }
                self.out.push_str("::");
                match member {
                    ScopeMember::Function(ident) => self.out.push_str(&ident.name),
                    ScopeMember::Variable(var) => {
                        let _ = write!(self.out, "${}", var.name);
                    }
                }
            }
            ExprKind::Array(items) => {
                self.out.push('[');
                self.items(items);
                self.out.push(']');
            }
            ExprKind::Function(literal) => {
                self.out.push_str("function ");
                self.params(&literal.params);
                if !literal.captures.is_empty() {
                    self.out.push_str(" closure (");
                    self.vars(&literal.captures);
                    self.out.push(')');
                }
                self.out.push(' ');
                self.block(&literal.body);
            }
            ExprKind::Match { subject, arms } => {
                self.out.push_str("match (");
                self.expr(subject, ASSIGN);
                self.out.push_str(") {\n");
                self.indent += 1;
                for arm in arms {
                    self.line_start();
                    match &arm.patterns {
                        Some(patterns) => {
                            for (index, pattern) in patterns.iter().enumerate() {
                                if index > 0 {
                                    self.out.push_str(", ");
                                }
                                self.expr(pattern, ASSIGN);
                            }
                        }
                        None => self.out.push_str("default"),
                    }
                    self.out.push_str(" => ");
                    self.expr(&arm.value, ASSIGN);
                    self.out.push_str(",\n");
                }
                self.indent -= 1;
                self.line_start();
                self.out.push('}');
            }
            ExprKind::Cache { options, call } => {
                self.out.push_str("cache ");
                self.expr(options, PRIMARY);
                self.out.push(' ');
                self.expr(call, POSTFIX);
            }
            ExprKind::Isset(e) => {
                self.out.push_str("isset(");
                self.expr(e, ASSIGN);
                self.out.push(')');
            }
            ExprKind::Unset(e) => {
                self.out.push_str("unset(");
                self.expr(e, ASSIGN);
                self.out.push(')');
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee, POSTFIX);
                self.args(args);
            }
            ExprKind::Index { target, index } => {
                self.expr(target, POSTFIX);
                self.out.push('[');
                if let Some(index) = index {
                    self.expr(index, ASSIGN);
                }
                self.out.push(']');
            }
            ExprKind::Slice { target, start, stop, step } => {
                self.expr(target, POSTFIX);
                self.out.push('[');
                if let Some(start) = start {
                    self.expr(start, ASSIGN);
                }
                self.out.push(':');
                if let Some(stop) = stop {
                    self.expr(stop, ASSIGN);
                }
                if let Some(step) = step {
                    // `f::` would lex as a scope; `[f: :2]` keeps the two colons apart.
                    if stop.is_none()
                        && self.out[..self.out.len() - 1].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    {
                        self.out.push(' ');
                    }
                    self.out.push(':');
                    self.expr(step, ASSIGN);
                }
                self.out.push(']');
            }
            ExprKind::Property { target, name } => {
                self.expr(target, POSTFIX);
                self.out.push_str("->");
                self.out.push_str(&name.name);
            }
            ExprKind::Unary { op, operand } => {
                let op = match op {
                    UnaryOp::Not => "!",
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                    UnaryOp::BitNot => "~",
                };
                self.prefix(op, operand);
            }
            ExprKind::IncDec { target, increment, prefix } => {
                let op = if *increment { "++" } else { "--" };
                if *prefix {
                    self.prefix(op, target);
                } else {
                    self.expr(target, POSTFIX);
                    self.out.push_str(op);
                }
            }
            ExprKind::Binary { op, left, right } => {
                let (left_min, right_min) = operand_levels(*op);
                self.expr(left, left_min);
                let _ = write!(self.out, " {} ", op.symbol());
                self.expr(right, right_min);
            }
            ExprKind::Ternary { cond, then, otherwise } => {
                self.expr(cond, COALESCE);
                match then {
                    Some(then) => {
                        self.out.push_str(" ? ");
                        self.expr(then, ASSIGN);
                        self.out.push_str(" : ");
                    }
                    None => self.out.push_str(" ?: "),
                }
                self.expr(otherwise, TERNARY);
            }
            ExprKind::Assign { op, target, value } => {
                self.expr(target, TERNARY);
                match op {
                    Some(op) => {
                        let _ = write!(self.out, " {}= ", op.symbol());
                    }
                    None => self.out.push_str(" = "),
                }
                self.expr(value, ASSIGN);
            }
            ExprKind::Destructure { pattern, value } => {
                self.out.push('[');
                for (index, item) in pattern.iter().enumerate() {
                    if index > 0 {
                        self.out.push_str(", ");
                    }
                    if let Some(key) = &item.key {
                        self.expr(key, ASSIGN);
                        self.out.push_str(" => ");
                    }
                    if item.rest {
                        self.out.push_str("...");
                    }
                    let _ = write!(self.out, "${}", item.var.name);
                    if let Some(default) = &item.default {
                        self.out.push_str(" = ");
                        self.expr(default, ASSIGN);
                    }
                }
                self.out.push_str("] = ");
                self.expr(value, ASSIGN);
            }
        }
    }

    /// Numbers print in the shortest form that reads back exactly (Rust's `{}` never uses an exponent).
    /// Values the lexer cannot produce (negative, infinite, NaN) print as the operations that make them.
    fn number(&mut self, n: f64) {
        if n.is_nan() {
            self.out.push_str("(0 / 0)");
        } else if n.is_infinite() {
            self.out.push_str(if n > 0.0 { "(1 / 0)" } else { "(-1 / 0)" });
        } else if n.is_sign_negative() {
            let _ = write!(self.out, "-{}", -n);
        } else {
            let _ = write!(self.out, "{n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::syntax::dump::strip_spans;

    fn parse(text: &str) -> Script {
        match crate::syntax::parse(&SourceFile::new("t.hsl", text)) {
            Ok(script) => script,
            Err(error) => panic!("{text}: {error:?}"),
        }
    }

    fn round_trip(text: &str) -> String {
        let mut first = parse(text);
        let printed = print(&first);
        let mut second = parse(&printed);
        strip_spans(&mut first);
        strip_spans(&mut second);
        assert_eq!(first, second, "{text} printed as {printed}");
        printed
    }

    #[test]
    fn parentheses_follow_precedence() {
        assert_eq!(round_trip("echo (1 + 2) * 3;"), "echo (1 + 2) * 3;\n");
        assert_eq!(round_trip("echo 1 + 2 * 3;"), "echo 1 + 2 * 3;\n");
        assert_eq!(round_trip("echo 1 - (2 - 3);"), "echo 1 - (2 - 3);\n");
        assert_eq!(round_trip("echo -2 ** 2;"), "echo -2 ** 2;\n");
        assert_eq!(round_trip("echo (-2) ** 2;"), "echo (-2) ** 2;\n");
        assert_eq!(round_trip("echo 2 ** 3 ** 2;"), "echo 2 ** 3 ** 2;\n");
        assert_eq!(round_trip("echo (2 ** 3) ** 2;"), "echo (2 ** 3) ** 2;\n");
        assert_eq!(round_trip("echo - -1;"), "echo - -1;\n");
        assert_eq!(round_trip("echo -(--$x);"), "echo - --$x;\n");
        assert_eq!(round_trip("echo ($a ?? $b) ?? $c;"), "echo ($a ?? $b) ?? $c;\n");
        assert_eq!(round_trip("$x = $a or $b;"), "$x = $a or $b;\n");
        assert_eq!(round_trip("($x = $a) or $b;"), "($x = $a) or $b;\n");
        assert_eq!(round_trip("echo ($a ? $b : $c) ? $d : $e;"), "echo ($a ? $b : $c) ? $d : $e;\n");
        assert_eq!(round_trip("echo 1 . 2 + 3;"), "echo 1 . 2 + 3;\n");
        assert_eq!(round_trip("echo (1 < 2) == true;"), "echo 1 < 2 == true;\n");
        assert_eq!(round_trip("echo (1 == 2) == true;"), "echo (1 == 2) == true;\n");
    }

    #[test]
    fn strings_and_regexes_escape() {
        assert_eq!(round_trip("echo ''a\\b$c\"'';"), "echo \"a\\\\b\\$c\\\"\";\n");
        assert_eq!(round_trip("echo \"\\xff\\x00é\";"), "echo \"\\xFF\\x00é\";\n");
        assert_eq!(round_trip("echo \"${a}b $c.\";"), "echo \"${a}b $c.\";\n");
        assert_eq!(round_trip("echo #/a\\/b\\d/i;"), "echo #/a\\/b\\d/i;\n");
    }

    #[test]
    fn slices_and_scopes_stay_apart() {
        assert_eq!(round_trip("echo $a[::-1];"), "echo $a[::-1];\n");
        assert_eq!(round_trip("echo $a[f: :2];"), "echo $a[f: :2];\n");
        assert_eq!(round_trip("echo $a[1::2];"), "echo $a[1: :2];\n");
        assert_eq!(round_trip("echo $a[F::x];"), "echo $a[F::x];\n");
    }

    #[test]
    fn statements_round_trip() {
        round_trip("if ($a) if ($b) echo 1; else echo 2; else { echo 3; }");
        round_trip("for (;;) ; forever { break; } while (1) continue;");
        round_trip("switch ($x) { case 1: case 2: echo 1; break; default: }");
        round_trip("class A { private static $x = 1; readonly $y; constructor($a = [1]) {} static function f() {} }");
        round_trip(
            "import { a, b as c, $v as $w } from \"x\"; import * as m from \"m\"; import $d from \"d.csv\" with [];",
        );
        round_trip("$f = function ($x, ...$r) closure ($y) { return $x; }(1);");
        round_trip("echo match ($x) { 1, 2 => \"a\", default => cache [\"ttl\" => 1] builtin f(...$a), };");
        round_trip("[$a, $b = 1, ...$c] = $x; [\"k\" => $v] = $y; $a[] = 1; unset($a[1:2]);");
    }
}
