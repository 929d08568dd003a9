//! A stable, readable dump of the syntax tree for golden files: one node per line, indented by depth, with
//! spans (`Binary Add @3..8`). Lines without `@` group children (`then:`, `args:`) and have no span.
//!
//! Also [`strip_spans`] for span-insensitive comparisons and [`span_violations`] for the span invariants.
//! All walks recurse, which is safe because the parser never builds a tree deeper than
//! [`MAX_NESTING`](super::MAX_NESTING).

use std::fmt::Write as _;

use super::ast::*;
use super::print::quote_bytes;
use crate::span::Span;

/// One line of the dump.
struct Line {
    depth: usize,
    text: String,
    span: Option<Span>,
}

#[derive(Default)]
struct Dumper {
    lines: Vec<Line>,
    depth: usize,
}

impl Dumper {
    fn node(&mut self, text: impl Into<String>, span: Span, children: impl FnOnce(&mut Self)) {
        self.lines.push(Line { depth: self.depth, text: text.into(), span: Some(span) });
        self.depth += 1;
        children(self);
        self.depth -= 1;
    }

    fn leaf(&mut self, text: impl Into<String>, span: Span) {
        self.node(text, span, |_| {});
    }

    fn group(&mut self, text: &str, children: impl FnOnce(&mut Self)) {
        self.lines.push(Line { depth: self.depth, text: format!("{text}:"), span: None });
        self.depth += 1;
        children(self);
        self.depth -= 1;
    }

    fn var(&mut self, var: &Var) {
        self.leaf(format!("Var ${}", var.name), var.span);
    }

    fn ident(&mut self, ident: &Ident) {
        self.leaf(format!("Ident {}", ident.name), ident.span);
    }

    fn stmts(&mut self, label: &str, body: &[Stmt]) {
        self.group(label, |d| body.iter().for_each(|s| d.stmt(s)));
    }

    fn params(&mut self, params: &[Param]) {
        if params.is_empty() {
            return;
        }
        self.group("params", |d| {
            for param in params {
                let text = if param.variadic { "Param ..." } else { "Param" };
                d.lines.push(Line { depth: d.depth, text: text.into(), span: None });
                d.depth += 1;
                d.var(&param.var);
                if let Some(default) = &param.default {
                    d.group("default", |d| d.expr(default));
                }
                d.depth -= 1;
            }
        });
    }

    fn stmt(&mut self, stmt: &Stmt) {
        let span = stmt.span;
        match &stmt.kind {
            StmtKind::Expr(e) => self.node("Expr", span, |d| d.expr(e)),
            StmtKind::Echo(e) => self.node("Echo", span, |d| d.expr(e)),
            StmtKind::Block(body) => self.node("Block", span, |d| body.iter().for_each(|s| d.stmt(s))),
            StmtKind::Empty => self.leaf("Empty", span),
            StmtKind::If { cond, then, otherwise } => self.node("If", span, |d| {
                d.group("cond", |d| d.expr(cond));
                d.group("then", |d| d.stmt(then));
                if let Some(otherwise) = otherwise {
                    d.group("else", |d| d.stmt(otherwise));
                }
            }),
            StmtKind::For { init, cond, step, body } => self.node("For", span, |d| {
                for (label, part) in [("init", init), ("cond", cond), ("step", step)] {
                    if let Some(part) = part {
                        d.group(label, |d| d.expr(part));
                    }
                }
                d.group("body", |d| d.stmt(body));
            }),
            StmtKind::Foreach { subject, key, value, body } => self.node("Foreach", span, |d| {
                d.group("subject", |d| d.expr(subject));
                if let Some(key) = key {
                    d.group("key", |d| d.var(key));
                }
                d.group("value", |d| d.var(value));
                d.group("body", |d| d.stmt(body));
            }),
            StmtKind::While { cond, body } => self.node("While", span, |d| {
                d.group("cond", |d| d.expr(cond));
                d.group("body", |d| d.stmt(body));
            }),
            StmtKind::Forever(body) => self.node("Forever", span, |d| d.stmt(body)),
            StmtKind::Switch { subject, cases } => self.node("Switch", span, |d| {
                d.group("subject", |d| d.expr(subject));
                for case in cases {
                    let text = if case.label.is_some() { "Case" } else { "Default" };
                    d.node(text, case.span, |d| {
                        if let Some(label) = &case.label {
                            d.expr(label);
                        }
                    });
                    // The body follows the label, outside its span.
                    d.stmts("body", &case.body);
                }
            }),
            StmtKind::Break => self.leaf("Break", span),
            StmtKind::Continue => self.leaf("Continue", span),
            StmtKind::Return(value) => self.node("Return", span, |d| {
                if let Some(value) = value {
                    d.expr(value);
                }
            }),
            StmtKind::Throw(e) => self.node("Throw", span, |d| d.expr(e)),
            StmtKind::Try { body, var, handler } => self.node("Try", span, |d| {
                d.stmts("body", body);
                d.group("catch", |d| d.var(var));
                d.stmts("handler", handler);
            }),
            StmtKind::Global(vars) => self.node("Global", span, |d| vars.iter().for_each(|v| d.var(v))),
            StmtKind::Barrier { name, var, body } => self.node("Barrier", span, |d| {
                d.group("name", |d| d.expr(name));
                if let Some(var) = var {
                    d.group("var", |d| d.var(var));
                }
                d.stmts("body", body);
            }),
            StmtKind::Include { path, once } => {
                let text = format!("{} {}", if *once { "IncludeOnce" } else { "Include" }, quote_bytes(&path.value));
                self.node(text, span, |d| d.leaf("Path", path.span));
            }
            StmtKind::Import(import) => self.node("Import", span, |d| {
                match &import.kind {
                    ImportKind::Names(items) => d.group("names", |d| {
                        for item in items {
                            match item {
                                ImportItem::Name { name, alias } => {
                                    d.ident(name);
                                    if let Some(alias) = alias {
                                        d.group("as", |d| d.ident(alias));
                                    }
                                }
                                ImportItem::Variable { name, alias } => {
                                    d.var(name);
                                    if let Some(alias) = alias {
                                        d.group("as", |d| d.var(alias));
                                    }
                                }
                            }
                        }
                    }),
                    ImportKind::Wildcard(ns) => d.group("wildcard", |d| d.ident(ns)),
                    ImportKind::Data(var) => d.group("data", |d| d.var(var)),
                }
                d.leaf(format!("Path {}", quote_bytes(&import.path.value)), import.path.span);
                if let Some(options) = &import.options {
                    d.group("with", |d| d.expr(options));
                }
            }),
            StmtKind::Function(decl) => self.node("Function", span, |d| d.function(decl)),
            StmtKind::Class(class) => self.node("Class", span, |d| {
                d.ident(&class.name);
                if class.span != span {
                    d.leaf("Decl", class.span);
                }
                for member in &class.members {
                    d.member(member);
                }
            }),
        }
    }

    fn function(&mut self, decl: &FunctionDecl) {
        self.ident(&decl.name);
        self.params(&decl.params);
        self.stmts("body", &decl.body);
    }

    fn member(&mut self, member: &Member) {
        match &member.kind {
            MemberKind::Constructor { params, body } => self.node("Constructor", member.span, |d| {
                d.params(params);
                d.stmts("body", body);
            }),
            MemberKind::Method { modifiers, function } => {
                self.node(format!("Method{}", flags(*modifiers)), member.span, |d| {
                    if function.span != member.span {
                        d.leaf("Decl", function.span);
                    }
                    d.function(function);
                });
            }
            MemberKind::Variable { modifiers, var, init } => {
                self.node(format!("Property{}", flags(*modifiers)), member.span, |d| {
                    d.var(var);
                    if let Some(init) = init {
                        d.group("init", |d| d.expr(init));
                    }
                });
            }
        }
    }

    fn args(&mut self, args: &[Arg]) {
        if args.is_empty() {
            return;
        }
        self.group("args", |d| {
            for arg in args {
                if arg.spread {
                    d.group("spread", |d| d.expr(&arg.expr));
                } else {
                    d.expr(&arg.expr);
                }
            }
        });
    }

    fn items(&mut self, items: &[ArrayItem]) {
        for item in items {
            match item {
                ArrayItem::Value(e) => self.expr(e),
                ArrayItem::Keyed(k, v) => self.group("keyed", |d| {
                    d.expr(k);
                    d.expr(v);
                }),
                ArrayItem::Spread(e) => self.group("spread", |d| d.expr(e)),
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::None => self.leaf("None", span),
            ExprKind::Bool(b) => self.leaf(format!("Bool {b}"), span),
            ExprKind::Number(n) => self.leaf(format!("Number {n}"), span),
            ExprKind::String(bytes) => self.leaf(format!("String {}", quote_bytes(bytes)), span),
            ExprKind::Interpolated(parts) => self.node("Interpolated", span, |d| {
                for part in parts {
                    match part {
                        StrPart::Literal(bytes) => {
                            d.lines.push(Line {
                                depth: d.depth,
                                text: format!("Text {}", quote_bytes(bytes)),
                                span: None,
                            });
                        }
                        StrPart::Var(var) => d.var(var),
                    }
                }
            }),
            ExprKind::Regex { pattern, flags } => {
                self.leaf(format!("Regex {} flags {flags:?}", quote_bytes(pattern)), span);
            }
            ExprKind::Variable(var) => self.leaf(format!("Variable ${}", var.name), span),
            ExprKind::Name(ident) => self.leaf(format!("Name {}", ident.name), span),
            ExprKind::Builtin(ident) => self.node("Builtin", span, |d| d.ident(ident)),
            ExprKind::Scope { scope, member } => self.node("Scope", span, |d| {
                match scope {
                    ScopeName::Named(ident) => d.ident(ident),
                    ScopeName::Static(span) => d.leaf("Static", *span),
                }
                match member {
                    ScopeMember::Function(ident) => d.ident(ident),
                    ScopeMember::Variable(var) => d.var(var),
                }
            }),
            ExprKind::Array(items) => self.node("Array", span, |d| d.items(items)),
            ExprKind::Function(literal) => self.node("FunctionLiteral", span, |d| {
                d.params(&literal.params);
                if !literal.captures.is_empty() {
                    d.group("closure", |d| literal.captures.iter().for_each(|v| d.var(v)));
                }
                d.stmts("body", &literal.body);
            }),
            ExprKind::Match { subject, arms } => self.node("Match", span, |d| {
                d.group("subject", |d| d.expr(subject));
                for arm in arms {
                    d.node("Arm", arm.span, |d| {
                        match &arm.patterns {
                            Some(patterns) => d.group("patterns", |d| patterns.iter().for_each(|p| d.expr(p))),
                            None => d.group("default", |_| {}),
                        }
                        d.group("value", |d| d.expr(&arm.value));
                    });
                }
            }),
            ExprKind::Cache { options, call } => self.node("Cache", span, |d| {
                d.group("options", |d| d.expr(options));
                d.expr(call);
            }),
            ExprKind::Isset(e) => self.node("Isset", span, |d| d.expr(e)),
            ExprKind::Unset(e) => self.node("Unset", span, |d| d.expr(e)),
            ExprKind::Call { callee, args } => self.node("Call", span, |d| {
                d.expr(callee);
                d.args(args);
            }),
            ExprKind::Index { target, index } => {
                let text = if index.is_some() { "Index" } else { "Append" };
                self.node(text, span, |d| {
                    d.expr(target);
                    if let Some(index) = index {
                        d.expr(index);
                    }
                });
            }
            ExprKind::Slice { target, start, stop, step } => self.node("Slice", span, |d| {
                d.expr(target);
                for (label, part) in [("start", start), ("stop", stop), ("step", step)] {
                    if let Some(part) = part {
                        d.group(label, |d| d.expr(part));
                    }
                }
            }),
            ExprKind::Property { target, name } => self.node("Property", span, |d| {
                d.expr(target);
                d.ident(name);
            }),
            ExprKind::Unary { op, operand } => self.node(format!("Unary {op:?}"), span, |d| d.expr(operand)),
            ExprKind::IncDec { target, increment, prefix } => {
                let op = if *increment { "++" } else { "--" };
                let text = if *prefix { format!("IncDec {op}x") } else { format!("IncDec x{op}") };
                self.node(text, span, |d| d.expr(target));
            }
            ExprKind::Binary { op, left, right } => self.node(format!("Binary {op:?}"), span, |d| {
                d.expr(left);
                d.expr(right);
            }),
            ExprKind::Ternary { cond, then, otherwise } => {
                self.node(if then.is_some() { "Ternary" } else { "Elvis" }, span, |d| {
                    d.expr(cond);
                    if let Some(then) = then {
                        d.expr(then);
                    }
                    d.expr(otherwise);
                });
            }
            ExprKind::Assign { op, target, value } => {
                let text = match op {
                    Some(op) => format!("Assign {}=", op.symbol()),
                    None => "Assign =".to_string(),
                };
                self.node(text, span, |d| {
                    d.expr(target);
                    d.expr(value);
                });
            }
            ExprKind::Destructure { pattern, value } => self.node("Destructure", span, |d| {
                d.group("pattern", |d| {
                    for item in pattern {
                        let text = if item.rest { "Rest" } else { "Item" };
                        d.lines.push(Line { depth: d.depth, text: text.into(), span: None });
                        d.depth += 1;
                        if let Some(key) = &item.key {
                            d.group("key", |d| d.expr(key));
                        }
                        d.var(&item.var);
                        if let Some(default) = &item.default {
                            d.group("default", |d| d.expr(default));
                        }
                        d.depth -= 1;
                    }
                });
                d.expr(value);
            }),
        }
    }
}

fn flags(modifiers: Modifiers) -> String {
    let mut text = String::new();
    for (on, word) in
        [(modifiers.private, " private"), (modifiers.is_static, " static"), (modifiers.readonly, " readonly")]
    {
        if on {
            text.push_str(word);
        }
    }
    text
}

fn lines(script: &Script) -> Vec<Line> {
    let mut dumper = Dumper::default();
    dumper.node("Script", script.span, |d| script.body.iter().for_each(|s| d.stmt(s)));
    dumper.lines
}

/// The tree as text, one node per line.
pub fn dump(script: &Script) -> String {
    let mut out = String::new();
    for line in lines(script) {
        let _ = write!(out, "{:width$}{}", "", line.text, width = line.depth * 2);
        if let Some(span) = line.span {
            let _ = write!(out, " @{}..{}", span.start, span.end);
        }
        out.push('\n');
    }
    out
}

/// Every node whose span is not inside its parent's span (and the script's inside `0..len`), as
/// `"child @a..b outside parent @c..d"`. Empty when the tree is well formed.
pub fn span_violations(script: &Script, len: u32) -> Vec<String> {
    let mut problems = Vec::new();
    if script.span.start > script.span.end || script.span.end > len {
        problems.push(format!("Script @{}..{} outside the source (0..{len})", script.span.start, script.span.end));
    }
    // The nearest enclosing line that has a span, per depth.
    let mut parents: Vec<(usize, String, Span)> = Vec::new();
    for line in lines(script) {
        while parents.last().is_some_and(|(depth, _, _)| *depth >= line.depth) {
            parents.pop();
        }
        let Some(span) = line.span else { continue };
        if span.start > span.end {
            problems.push(format!("{} @{}..{} is reversed", line.text, span.start, span.end));
        }
        if let Some((_, parent, outer)) = parents.last()
            && (span.start < outer.start || span.end > outer.end)
        {
            problems.push(format!(
                "{} @{}..{} outside {} @{}..{}",
                line.text, span.start, span.end, parent, outer.start, outer.end
            ));
        }
        parents.push((line.depth, line.text, span));
    }
    problems
}

/// Sets every span in the tree to `0..0`, so trees parsed from differently formatted text compare equal.
pub fn strip_spans(script: &mut Script) {
    script.span = Span::default();
    script.body.iter_mut().for_each(strip_stmt);
}

fn strip_var(var: &mut Var) {
    var.span = Span::default();
}

fn strip_ident(ident: &mut Ident) {
    ident.span = Span::default();
}

fn strip_params(params: &mut [Param]) {
    for param in params {
        strip_var(&mut param.var);
        if let Some(default) = &mut param.default {
            strip_expr(default);
        }
    }
}

fn strip_function(decl: &mut FunctionDecl) {
    decl.span = Span::default();
    strip_ident(&mut decl.name);
    strip_params(&mut decl.params);
    decl.body.iter_mut().for_each(strip_stmt);
}

fn strip_stmt(stmt: &mut Stmt) {
    stmt.span = Span::default();
    match &mut stmt.kind {
        StmtKind::Expr(e) | StmtKind::Echo(e) | StmtKind::Throw(e) => strip_expr(e),
        StmtKind::Block(body) => body.iter_mut().for_each(strip_stmt),
        StmtKind::Empty | StmtKind::Break | StmtKind::Continue => {}
        StmtKind::If { cond, then, otherwise } => {
            strip_expr(cond);
            strip_stmt(then);
            if let Some(otherwise) = otherwise {
                strip_stmt(otherwise);
            }
        }
        StmtKind::For { init, cond, step, body } => {
            for part in [init, cond, step].into_iter().flatten() {
                strip_expr(part);
            }
            strip_stmt(body);
        }
        StmtKind::Foreach { subject, key, value, body } => {
            strip_expr(subject);
            if let Some(key) = key {
                strip_var(key);
            }
            strip_var(value);
            strip_stmt(body);
        }
        StmtKind::While { cond, body } => {
            strip_expr(cond);
            strip_stmt(body);
        }
        StmtKind::Forever(body) => strip_stmt(body),
        StmtKind::Switch { subject, cases } => {
            strip_expr(subject);
            for case in cases {
                case.span = Span::default();
                if let Some(label) = &mut case.label {
                    strip_expr(label);
                }
                case.body.iter_mut().for_each(strip_stmt);
            }
        }
        StmtKind::Return(value) => {
            if let Some(value) = value {
                strip_expr(value);
            }
        }
        StmtKind::Try { body, var, handler } => {
            body.iter_mut().for_each(strip_stmt);
            strip_var(var);
            handler.iter_mut().for_each(strip_stmt);
        }
        StmtKind::Global(vars) => vars.iter_mut().for_each(strip_var),
        StmtKind::Barrier { name, var, body } => {
            strip_expr(name);
            if let Some(var) = var {
                strip_var(var);
            }
            body.iter_mut().for_each(strip_stmt);
        }
        StmtKind::Include { path, .. } => path.span = Span::default(),
        StmtKind::Import(import) => {
            import.path.span = Span::default();
            if let Some(options) = &mut import.options {
                strip_expr(options);
            }
            match &mut import.kind {
                ImportKind::Names(items) => {
                    for item in items {
                        match item {
                            ImportItem::Name { name, alias } => {
                                strip_ident(name);
                                if let Some(alias) = alias {
                                    strip_ident(alias);
                                }
                            }
                            ImportItem::Variable { name, alias } => {
                                strip_var(name);
                                if let Some(alias) = alias {
                                    strip_var(alias);
                                }
                            }
                        }
                    }
                }
                ImportKind::Wildcard(ns) => strip_ident(ns),
                ImportKind::Data(var) => strip_var(var),
            }
        }
        StmtKind::Function(decl) => strip_function(decl),
        StmtKind::Class(class) => {
            class.span = Span::default();
            strip_ident(&mut class.name);
            for member in &mut class.members {
                member.span = Span::default();
                match &mut member.kind {
                    MemberKind::Constructor { params, body } => {
                        strip_params(params);
                        body.iter_mut().for_each(strip_stmt);
                    }
                    MemberKind::Method { function, .. } => strip_function(function),
                    MemberKind::Variable { var, init, .. } => {
                        strip_var(var);
                        if let Some(init) = init {
                            strip_expr(init);
                        }
                    }
                }
            }
        }
    }
}

fn strip_items(items: &mut [ArrayItem]) {
    for item in items {
        match item {
            ArrayItem::Value(e) | ArrayItem::Spread(e) => strip_expr(e),
            ArrayItem::Keyed(k, v) => {
                strip_expr(k);
                strip_expr(v);
            }
        }
    }
}

fn strip_expr(expr: &mut Expr) {
    expr.span = Span::default();
    match &mut expr.kind {
        ExprKind::None | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_) | ExprKind::Regex { .. } => {}
        ExprKind::Interpolated(parts) => {
            for part in parts {
                if let StrPart::Var(var) = part {
                    strip_var(var);
                }
            }
        }
        ExprKind::Variable(var) => strip_var(var),
        ExprKind::Name(ident) | ExprKind::Builtin(ident) => strip_ident(ident),
        ExprKind::Scope { scope, member } => {
            match scope {
                ScopeName::Named(ident) => strip_ident(ident),
                ScopeName::Static(span) => *span = Span::default(),
            }
            match member {
                ScopeMember::Function(ident) => strip_ident(ident),
                ScopeMember::Variable(var) => strip_var(var),
            }
        }
        ExprKind::Array(items) => strip_items(items),
        ExprKind::Function(literal) => {
            strip_params(&mut literal.params);
            literal.captures.iter_mut().for_each(strip_var);
            literal.body.iter_mut().for_each(strip_stmt);
        }
        ExprKind::Match { subject, arms } => {
            strip_expr(subject);
            for arm in arms {
                arm.span = Span::default();
                if let Some(patterns) = &mut arm.patterns {
                    patterns.iter_mut().for_each(strip_expr);
                }
                strip_expr(&mut arm.value);
            }
        }
        ExprKind::Cache { options, call } => {
            strip_expr(options);
            strip_expr(call);
        }
        ExprKind::Isset(e) | ExprKind::Unset(e) => strip_expr(e),
        ExprKind::Call { callee, args } => {
            strip_expr(callee);
            args.iter_mut().for_each(|arg| strip_expr(&mut arg.expr));
        }
        ExprKind::Index { target, index } => {
            strip_expr(target);
            if let Some(index) = index {
                strip_expr(index);
            }
        }
        ExprKind::Slice { target, start, stop, step } => {
            strip_expr(target);
            for part in [start, stop, step].into_iter().flatten() {
                strip_expr(part);
            }
        }
        ExprKind::Property { target, name } => {
            strip_expr(target);
            strip_ident(name);
        }
        ExprKind::Unary { operand, .. } => strip_expr(operand),
        ExprKind::IncDec { target, .. } => strip_expr(target),
        ExprKind::Binary { left, right, .. } => {
            strip_expr(left);
            strip_expr(right);
        }
        ExprKind::Ternary { cond, then, otherwise } => {
            strip_expr(cond);
            if let Some(then) = then {
                strip_expr(then);
            }
            strip_expr(otherwise);
        }
        ExprKind::Assign { target, value, .. } => {
            strip_expr(target);
            strip_expr(value);
        }
        ExprKind::Destructure { pattern, value } => {
            for item in pattern {
                if let Some(key) = &mut item.key {
                    strip_expr(key);
                }
                strip_var(&mut item.var);
                if let Some(default) = &mut item.default {
                    strip_expr(default);
                }
            }
            strip_expr(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn parse(text: &str) -> Script {
        match super::super::parse(&SourceFile::new("t.hsl", text)) {
            Ok(script) => script,
            Err(error) => panic!("{error:?}"),
        }
    }

    #[test]
    fn dumps_one_node_per_line() {
        let text = dump(&parse("$x = 1 + 2;"));
        assert_eq!(
            text,
            "Script @0..11\n  Expr @0..11\n    Assign = @0..10\n      Variable $x @0..2\n      Binary Add @5..10\n        \
             Number 1 @5..6\n        Number 2 @9..10\n"
        );
    }

    #[test]
    fn switch_bodies_are_checked_against_the_switch() {
        let script = parse("switch ($x) { case 1: echo 1; break; default: echo 2; }");
        assert_eq!(span_violations(&script, 55), Vec::<String>::new());
    }

    #[test]
    fn stripping_makes_layout_irrelevant() {
        let mut a = parse("if($x){echo 1;}");
        let mut b = parse("if ($x) {\n    echo 1;\n}\n");
        assert_ne!(a, b);
        strip_spans(&mut a);
        strip_spans(&mut b);
        assert_eq!(a, b);
    }
}
