//! Pre-scans of a function body: which variables it assigns, which it shares with closures, which it binds
//! with `global`. Lowering needs these before it emits the first read (a captured variable must be a cell
//! from its first use on).

use std::collections::HashSet;

use crate::syntax::ast::{ArrayItem, Expr, ExprKind, ImportItem, ImportKind, MemberKind, Stmt, StmtKind};

/// What one scope does with its variables.
#[derive(Debug, Default)]
pub struct ScopeFacts {
    /// Names written somewhere in the scope (assignment, loop variables, catch, destructuring, ...).
    pub assigned: HashSet<String>,
    /// Names listed in `closure (...)` of function literals created directly in this scope.
    pub captured: HashSet<String>,
    /// Names bound by `global` statements.
    pub globals: HashSet<String>,
}

/// Scans statements of one scope (not descending into nested function bodies).
pub fn scan_scope(body: &[Stmt]) -> ScopeFacts {
    let mut facts = ScopeFacts::default();
    for stmt in body {
        scan_stmt(stmt, &mut facts);
    }
    facts
}

/// Every name bound with `global` in any function of a module (they may create module globals).
pub fn globals_declared_anywhere(body: &[Stmt], out: &mut HashSet<String>) {
    for stmt in body {
        visit_nested_bodies(stmt, &mut |nested| {
            let facts = scan_scope(nested);
            out.extend(facts.globals);
            globals_declared_anywhere(nested, out);
        });
    }
}

/// Calls `f` with the body of every function declared or written directly inside `stmt`'s scope.
fn visit_nested_bodies(stmt: &Stmt, f: &mut dyn FnMut(&[Stmt])) {
    match &stmt.kind {
        StmtKind::Function(decl) => f(&decl.body),
        StmtKind::Class(class) => {
            for member in &class.members {
                match &member.kind {
                    MemberKind::Constructor { body, .. } => f(body),
                    MemberKind::Method { function, .. } => f(&function.body),
                    MemberKind::Variable { .. } => {}
                }
            }
        }
        _ => for_each_child(stmt, &mut |child| match child {
            Child::Stmt(child) => visit_nested_bodies(child, f),
            Child::Expr(expr) => visit_literals(expr, f),
        }),
    }
}

fn visit_literals(expr: &Expr, f: &mut dyn FnMut(&[Stmt])) {
    if let ExprKind::Function(literal) = &expr.kind {
        f(&literal.body);
        return;
    }
    for_each_subexpr(expr, &mut |child| visit_literals(child, f));
}

fn scan_stmt(stmt: &Stmt, facts: &mut ScopeFacts) {
    match &stmt.kind {
        StmtKind::Foreach { key, value, .. } => {
            if let Some(key) = key {
                facts.assigned.insert(key.name.clone());
            }
            facts.assigned.insert(value.name.clone());
        }
        StmtKind::Try { var, .. } => {
            facts.assigned.insert(var.name.clone());
        }
        StmtKind::Global(vars) => {
            for var in vars {
                facts.globals.insert(var.name.clone());
            }
        }
        StmtKind::Barrier { var: Some(var), .. } => {
            facts.assigned.insert(var.name.clone());
        }
        StmtKind::Import(import) => match &import.kind {
            ImportKind::Data(var) => {
                facts.assigned.insert(var.name.clone());
            }
            ImportKind::Names(items) => {
                for item in items {
                    if let ImportItem::Variable { name, alias } = item {
                        facts.assigned.insert(alias.as_ref().unwrap_or(name).name.clone());
                    }
                }
            }
            ImportKind::Wildcard(_) => {}
        },
        StmtKind::Function(_) | StmtKind::Class(_) => return,
        _ => {}
    }
    for_each_child(stmt, &mut |child| match child {
        Child::Stmt(child) => scan_stmt(child, facts),
        Child::Expr(expr) => scan_expr(expr, facts),
    });
}

fn root_var(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Variable(var) => Some(&var.name),
        ExprKind::Index { target, .. } | ExprKind::Slice { target, .. } => root_var(target),
        _ => None,
    }
}

fn scan_expr(expr: &Expr, facts: &mut ScopeFacts) {
    match &expr.kind {
        ExprKind::Assign { target, .. } | ExprKind::IncDec { target, .. } => {
            if let Some(name) = root_var(target) {
                facts.assigned.insert(name.to_string());
            }
        }
        ExprKind::Destructure { pattern, .. } => {
            for item in pattern {
                facts.assigned.insert(item.var.name.clone());
            }
        }
        ExprKind::Function(literal) => {
            for capture in &literal.captures {
                facts.captured.insert(capture.name.clone());
            }
            return;
        }
        _ => {}
    }
    for_each_subexpr(expr, &mut |child| scan_expr(child, facts));
}

/// A direct child of a statement.
pub enum Child<'a> {
    /// A nested statement.
    Stmt(&'a Stmt),
    /// An expression of the statement.
    Expr(&'a Expr),
}

/// Calls `visit` for each direct child statement and expression.
pub fn for_each_child<'a>(stmt: &'a Stmt, visit: &mut dyn FnMut(Child<'a>)) {
    match &stmt.kind {
        StmtKind::Expr(expr) | StmtKind::Echo(expr) | StmtKind::Throw(expr) => visit(Child::Expr(expr)),
        StmtKind::Block(body) => body.iter().for_each(|s| visit(Child::Stmt(s))),
        StmtKind::If { cond, then, otherwise } => {
            visit(Child::Expr(cond));
            visit(Child::Stmt(then));
            if let Some(otherwise) = otherwise {
                visit(Child::Stmt(otherwise));
            }
        }
        StmtKind::For { init, cond, step, body } => {
            for expr in [init, cond, step].into_iter().flatten() {
                visit(Child::Expr(expr));
            }
            visit(Child::Stmt(body));
        }
        StmtKind::Foreach { subject, body, .. } => {
            visit(Child::Expr(subject));
            visit(Child::Stmt(body));
        }
        StmtKind::While { cond, body } => {
            visit(Child::Expr(cond));
            visit(Child::Stmt(body));
        }
        StmtKind::Forever(body) => visit(Child::Stmt(body)),
        StmtKind::Switch { subject, cases } => {
            visit(Child::Expr(subject));
            for case in cases {
                if let Some(label) = &case.label {
                    visit(Child::Expr(label));
                }
                case.body.iter().for_each(|s| visit(Child::Stmt(s)));
            }
        }
        StmtKind::Return(expr) => {
            if let Some(expr) = expr {
                visit(Child::Expr(expr));
            }
        }
        StmtKind::Try { body, handler, .. } => {
            body.iter().for_each(|s| visit(Child::Stmt(s)));
            handler.iter().for_each(|s| visit(Child::Stmt(s)));
        }
        StmtKind::Barrier { name, body, .. } => {
            visit(Child::Expr(name));
            body.iter().for_each(|s| visit(Child::Stmt(s)));
        }
        StmtKind::Import(import) => {
            if let Some(options) = &import.options {
                visit(Child::Expr(options));
            }
        }
        StmtKind::Empty
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Global(_)
        | StmtKind::Include { .. }
        | StmtKind::Function(_)
        | StmtKind::Class(_) => {}
    }
}

/// Calls `f` for each direct subexpression (not into function literal bodies).
pub fn for_each_subexpr(expr: &Expr, f: &mut dyn FnMut(&Expr)) {
    match &expr.kind {
        ExprKind::None
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Regex { .. }
        | ExprKind::Variable(_)
        | ExprKind::Name(_)
        | ExprKind::Builtin(_)
        | ExprKind::Scope { .. }
        | ExprKind::Function(_) => {}
        ExprKind::Interpolated(_) => {}
        ExprKind::Array(items) => {
            for item in items {
                match item {
                    ArrayItem::Value(value) | ArrayItem::Spread(value) => f(value),
                    ArrayItem::Keyed(key, value) => {
                        f(key);
                        f(value);
                    }
                }
            }
        }
        ExprKind::Match { subject, arms } => {
            f(subject);
            for arm in arms {
                for pattern in arm.patterns.iter().flatten() {
                    f(pattern);
                }
                f(&arm.value);
            }
        }
        ExprKind::Cache { options, call } => {
            f(options);
            f(call);
        }
        ExprKind::Isset(target) | ExprKind::Unset(target) => f(target),
        ExprKind::Call { callee, args } => {
            f(callee);
            for arg in args {
                f(&arg.expr);
            }
        }
        ExprKind::Index { target, index } => {
            f(target);
            if let Some(index) = index {
                f(index);
            }
        }
        ExprKind::Slice { target, start, stop, step } => {
            f(target);
            for part in [start, stop, step].into_iter().flatten() {
                f(part);
            }
        }
        ExprKind::Property { target, .. } => f(target),
        ExprKind::Unary { operand, .. } => f(operand),
        ExprKind::IncDec { target, .. } => f(target),
        ExprKind::Binary { left, right, .. } => {
            f(left);
            f(right);
        }
        ExprKind::Ternary { cond, then, otherwise } => {
            f(cond);
            if let Some(then) = then {
                f(then);
            }
            f(otherwise);
        }
        ExprKind::Assign { target, value, .. } => {
            f(target);
            f(value);
        }
        ExprKind::Destructure { pattern, value } => {
            for item in pattern {
                if let Some(key) = &item.key {
                    f(key);
                }
                if let Some(default) = &item.default {
                    f(default);
                }
            }
            f(value);
        }
    }
}
