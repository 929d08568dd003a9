//! Lowering: AST statements and expressions to IR, with every name resolved.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::scan::{ScopeFacts, globals_declared_anywhere, scan_scope};
use super::{Compiler, bind_import, define_function};
use crate::ir::{self, Arg, ArrayItem, Block, Call, Callee, Expr, FieldDef, MethodDef, Place, Stmt, VarSlot};
use crate::module::VARIADIC;
use crate::span::Span;
use crate::syntax::ast::{self, BinaryOp, ExprKind, StmtKind};
use crate::value::{Array, ClassId, FnId, Str, Value};

/// The value of a constant expression (defaults, class variable initialisers), if it is one.
pub fn const_value(expr: &Expr) -> Option<Value> {
    match expr {
        Expr::Const(value) => Some(value.clone()),
        _ => None,
    }
}

/// One function's (or a module top level's) resolution state.
struct Scope {
    module: u16,
    top_level: bool,
    vars: HashMap<String, VarSlot>,
    /// Names shared with closures: they live in cells.
    cells: HashSet<String>,
    /// Names that are certainly defined somewhere in this scope.
    known: HashSet<String>,
    locals: u32,
    cell_count: u32,
    captured: u32,
    /// Named functions declared inside this function.
    functions: HashMap<String, FnId>,
    class: Option<ClassId>,
    static_method: bool,
    loops: u32,
    breakables: u32,
}

impl Scope {
    fn new(module: u16, top_level: bool, facts: ScopeFacts) -> Scope {
        let mut known = facts.assigned;
        known.extend(facts.globals.iter().cloned());
        known.extend(facts.captured.iter().cloned());
        Scope {
            module,
            top_level,
            vars: HashMap::new(),
            cells: facts.captured,
            known,
            locals: 0,
            cell_count: 0,
            captured: 0,
            functions: HashMap::new(),
            class: None,
            static_method: false,
            loops: 0,
            breakables: 0,
        }
    }

    fn new_slot(&mut self, name: &str) -> VarSlot {
        let slot = if self.cells.contains(name) {
            self.cell_count += 1;
            VarSlot::Cell(self.cell_count - 1)
        } else {
            self.locals += 1;
            VarSlot::Local(self.locals - 1)
        };
        self.vars.insert(name.to_string(), slot);
        slot
    }
}

struct Lowerer<'c, 'e> {
    c: &'c mut Compiler<'e>,
    scopes: Vec<Scope>,
    /// Module id of each `import` statement, by span start, from the hoisting pass.
    imports: HashMap<u32, u16>,
    /// Every import the hoisting pass saw (bound or not).
    hoisted_imports: HashSet<u32>,
}

/// Lowers a module's top level (hoisting its functions, classes and imports first).
pub(crate) fn lower_module(c: &mut Compiler<'_>, module: u16, body: &[ast::Stmt]) -> Block {
    let mut lowerer = Lowerer { c, scopes: Vec::new(), imports: HashMap::new(), hoisted_imports: HashSet::new() };
    let mut facts = scan_scope(body);
    globals_declared_anywhere(body, &mut facts.globals);
    {
        let scope = &mut lowerer.c.scopes[module as usize];
        scope.known_globals.extend(facts.assigned.iter().cloned());
        scope.known_globals.extend(facts.globals.iter().cloned());
    }
    // Top-level captures of globals need no cells: globals outlive every closure. A captured name is
    // defined (Q-FN-3), even when only the closure assigns it.
    lowerer.c.scopes[module as usize].known_globals.extend(facts.captured.iter().cloned());
    facts.assigned.extend(facts.captured.drain());
    let mut top = Scope::new(module, true, facts);
    let known = lowerer.c.scopes[module as usize].known_globals.clone();
    top.known.extend(known);
    lowerer.scopes.push(top);
    lowerer.hoist_imports(module, body);
    let pending = lowerer.hoist(body, true);
    let block = lowerer.block(body);
    lowerer.lower_pending(pending);
    block
}

/// A declaration found while hoisting, lowered once every name is known.
enum Pending<'a> {
    Function(FnId, &'a ast::FunctionDecl),
    Class(ClassId, &'a ast::ClassDecl),
}

fn signature(params: &[ast::Param]) -> (usize, usize, bool) {
    let variadic = params.iter().any(|param| param.variadic);
    let required = params.iter().filter(|param| !param.variadic && param.default.is_none()).count();
    let max = if variadic { VARIADIC } else { params.len() };
    (required, max, variadic)
}

impl<'c, 'e> Lowerer<'c, 'e> {
    fn scope(&mut self) -> &mut Scope {
        let index = self.scopes.len() - 1;
        &mut self.scopes[index]
    }

    fn module(&self) -> u16 {
        self.scopes.last().map_or(0, |scope| scope.module)
    }

    fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span, label: impl Into<String>) {
        self.c.error(code, message, span, label);
    }

    // ---------------------------------------------------------------- hoisting

    fn hoist_imports(&mut self, module: u16, body: &[ast::Stmt]) {
        for (index, stmt) in body.iter().enumerate() {
            match &stmt.kind {
                StmtKind::Import(import) => {
                    self.hoisted_imports.insert(stmt.span.start);
                    // §8.3: an import may not overwrite a variable the importing scope already set.
                    if let ast::ImportKind::Names(items) = &import.kind {
                        let before = scan_scope(&body[..index]).assigned;
                        let mut overwrites = false;
                        for item in items {
                            if let ast::ImportItem::Variable { name, alias } = item {
                                let local = alias.as_ref().unwrap_or(name);
                                if before.contains(&local.name) {
                                    overwrites = true;
                                    self.error(
                                        "hsl::check::import_overwrites",
                                        format!("importing `${}` would overwrite an existing variable", local.name),
                                        local.span,
                                        "import it under another name with `as`",
                                    );
                                }
                            }
                        }
                        if overwrites {
                            continue;
                        }
                    }
                    if let Some(id) = bind_import(self.c, module, import, stmt.span) {
                        self.imports.insert(stmt.span.start, id);
                    }
                }
                StmtKind::Block(inner) => self.hoist_imports(module, inner),
                _ => {}
            }
        }
    }

    /// Reserves ids for the named functions and classes declared directly in `body` (hoisting).
    fn hoist<'a>(&mut self, body: &'a [ast::Stmt], top_level: bool) -> Vec<Pending<'a>> {
        let mut pending = Vec::new();
        self.hoist_into(body, top_level, &mut pending);
        pending
    }

    fn hoist_into<'a>(&mut self, body: &'a [ast::Stmt], top_level: bool, pending: &mut Vec<Pending<'a>>) {
        let module = self.module();
        for stmt in body {
            match &stmt.kind {
                StmtKind::Function(decl) => {
                    let (min, max, variadic) = signature(&decl.params);
                    let id = self.c.reserve_function(min, max, variadic);
                    if top_level {
                        define_function(self.c, module, &decl.name.name, id, decl.name.span);
                    } else if self.scope().functions.insert(decl.name.name.clone(), id).is_some() {
                        self.error(
                            "hsl::check::duplicate_name",
                            format!("`{}` is already defined", decl.name.name),
                            decl.name.span,
                            "defined again here",
                        );
                    }
                    pending.push(Pending::Function(id, decl));
                }
                StmtKind::Class(class) => {
                    if !top_level {
                        self.error(
                            "hsl::check::nested_class",
                            "classes must be declared at the top level",
                            class.name.span,
                            "declared inside a function",
                        );
                        continue;
                    }
                    let scope = &self.c.scopes[module as usize];
                    if scope.classes.contains_key(&class.name.name) || scope.functions.contains_key(&class.name.name) {
                        self.error(
                            "hsl::check::duplicate_name",
                            format!("`{}` is already defined", class.name.name),
                            class.name.span,
                            "defined again here",
                        );
                        continue;
                    }
                    let id = self.c.reserve_class(&class.name.name);
                    self.c.scopes[module as usize].classes.insert(class.name.name.clone(), id);
                    self.declare_class(id, class);
                    pending.push(Pending::Class(id, class));
                }
                StmtKind::Block(inner) => self.hoist_into(inner, top_level, pending),
                _ => {}
            }
        }
    }

    fn lower_pending(&mut self, pending: Vec<Pending<'_>>) {
        for item in pending {
            match item {
                Pending::Function(id, decl) => {
                    let def = self.function(
                        decl.name.name.as_str().into(),
                        &decl.params,
                        &[],
                        &decl.body,
                        decl.span,
                        None,
                        false,
                    );
                    if let Some((def, _)) = def {
                        self.c.functions[id.0 as usize] = Some(def);
                    }
                }
                Pending::Class(id, class) => self.class(id, class),
            }
        }
    }

    // ---------------------------------------------------------------- functions and classes

    /// Lowers a function body in a new scope. Returns the definition and the enclosing cells it captures.
    #[allow(clippy::too_many_arguments)]
    fn function(
        &mut self,
        name: Arc<str>,
        params: &[ast::Param],
        captures: &[ast::Var],
        body: &[ast::Stmt],
        span: Span,
        class: Option<ClassId>,
        is_static: bool,
    ) -> Option<(ir::FunctionDef, Vec<u32>)> {
        let module = self.module();
        let mut facts = scan_scope(body);
        for param in params {
            facts.assigned.insert(param.var.name.clone());
        }
        // Resolve captures in the enclosing scope before entering the new one.
        let mut enclosing_cells = Vec::new();
        let mut capture_slots = Vec::new();
        for capture in captures {
            let outer = self.resolve_capture(capture);
            capture_slots.push((capture.name.clone(), outer));
            if let Some(VarSlot::Cell(index)) = outer {
                enclosing_cells.push(index);
            }
        }
        let mut scope = Scope::new(module, false, facts);
        scope.class = class;
        scope.static_method = is_static;
        for capture in captures {
            scope.known.insert(capture.name.clone());
        }
        let this_slot = if class.is_some() && !is_static {
            scope.known.insert("this".to_string());
            Some(scope.new_slot("this"))
        } else {
            None
        };
        // Captured cells come first in the closure's cell array.
        for (name, outer) in &capture_slots {
            match outer {
                Some(VarSlot::Cell(_)) => {
                    scope.vars.insert(name.clone(), VarSlot::Cell(scope.cell_count));
                    scope.cell_count += 1;
                    scope.captured += 1;
                }
                Some(global @ VarSlot::Global(..)) => {
                    scope.vars.insert(name.clone(), *global);
                }
                _ => {}
            }
        }
        // Names bound by `global` resolve to the module's globals from the `global` statement on.
        self.scopes.push(scope);
        let mut param_defs = Vec::new();
        let mut variadic = None;
        let mut seen_default = false;
        for param in params {
            if self.scope().vars.contains_key(&param.var.name) {
                self.error(
                    "hsl::check::duplicate_parameter",
                    format!("`${}` is declared twice", param.var.name),
                    param.var.span,
                    "duplicate parameter or global",
                );
            }
            let slot = self.scope().new_slot(&param.var.name);
            if param.variadic && !std::ptr::eq(param, params.last().unwrap_or(param)) {
                self.error(
                    "hsl::check::variadic_not_last",
                    format!("the variadic parameter `...${}` must come last", param.var.name),
                    param.var.span,
                    "move it to the end",
                );
            }
            if param.variadic {
                variadic = Some(slot);
                continue;
            }
            let default = match &param.default {
                Some(expr) => {
                    seen_default = true;
                    let lowered = self.expr(expr);
                    match const_value(&lowered) {
                        Some(value) => Some(value),
                        None => {
                            self.error(
                                "hsl::check::non_constant_default",
                                "a default value must be a constant expression",
                                expr.span,
                                "not a constant",
                            );
                            None
                        }
                    }
                }
                None => {
                    if seen_default {
                        self.error(
                            "hsl::check::required_after_default",
                            format!("`${}` has no default but follows a parameter that has one", param.var.name),
                            param.var.span,
                            "give it a default or move it first",
                        );
                    }
                    None
                }
            };
            param_defs.push(ir::ParamDef { slot, default });
        }
        let pending = self.hoist(body, false);
        let lowered = self.block(body);
        self.lower_pending(pending);
        let scope = self.scopes.pop()?;
        let (min_args, max_args, _) = signature(params);
        Some((
            ir::FunctionDef {
                name,
                module,
                file: 0,
                params: param_defs,
                variadic,
                min_args,
                max_args,
                locals: scope.locals,
                cells: scope.cell_count,
                captured: scope.captured,
                class,
                this_slot,
                body: lowered,
                span,
            },
            enclosing_cells,
        ))
    }

    /// The slot a `closure (...)` entry refers to in the enclosing scope.
    fn resolve_capture(&mut self, var: &ast::Var) -> Option<VarSlot> {
        let scope = self.scopes.last()?;
        if scope.top_level {
            let module = scope.module;
            let (m, index) = self.c.scopes[module as usize].global_slot(&var.name);
            return Some(VarSlot::Global(m, index));
        }
        if let Some(slot) = scope.vars.get(&var.name) {
            return Some(*slot);
        }
        Some(self.scope().new_slot(&var.name))
    }

    /// Registers a class's members (hoisting): its methods get ids now, their bodies are lowered later.
    fn declare_class(&mut self, id: ClassId, class: &ast::ClassDecl) {
        let mut fields = Vec::new();
        let mut statics = Vec::new();
        let mut methods = Vec::new();
        let mut constructor = None;
        let mut names: HashMap<String, Span> = HashMap::new();
        for member in &class.members {
            let (name, span) = match &member.kind {
                ast::MemberKind::Constructor { .. } => ("constructor".to_string(), member.span),
                ast::MemberKind::Method { function, .. } => (function.name.name.clone(), function.name.span),
                ast::MemberKind::Variable { var, .. } => (var.name.clone(), var.span),
            };
            if let Some(first) = names.insert(name.clone(), span) {
                let diagnostic = self.c.diagnostic(
                    "hsl::check::duplicate_member",
                    format!("class `{}` has two members named `{name}`", class.name.name),
                    span,
                    "conflicts with an earlier member",
                );
                let diagnostic = self.c.with_label(diagnostic, first, "first defined here");
                self.c.errors.push(diagnostic);
                continue;
            }
            match &member.kind {
                ast::MemberKind::Constructor { params, .. } => {
                    let (min, max, variadic) = signature(params);
                    constructor = Some(self.c.reserve_function(min, max, variadic));
                }
                ast::MemberKind::Method { modifiers, function } => {
                    let (min, max, variadic) = signature(&function.params);
                    let fn_id = self.c.reserve_function(min, max, variadic);
                    methods.push(MethodDef {
                        name: function.name.name.as_str().into(),
                        function: fn_id,
                        private: modifiers.private,
                        is_static: modifiers.is_static,
                    });
                }
                ast::MemberKind::Variable { modifiers, var, init } => {
                    let value = match init {
                        Some(expr) => {
                            let lowered = self.expr(expr);
                            const_value(&lowered).unwrap_or_else(|| {
                                self.error(
                                    "hsl::check::non_constant_initializer",
                                    "a class variable's initial value must be a constant expression",
                                    expr.span,
                                    "not a constant",
                                );
                                Value::None
                            })
                        }
                        None => Value::None,
                    };
                    let field = FieldDef {
                        name: var.name.as_str().into(),
                        init: value,
                        private: modifiers.private,
                        readonly: modifiers.readonly,
                    };
                    if modifiers.is_static { statics.push(field) } else { fields.push(field) }
                }
            }
        }
        let name: Arc<str> = class.name.name.as_str().into();
        self.c.classes[id.0 as usize] = Some(ir::ClassDef { name, fields, methods, statics, constructor });
    }

    /// Lowers the constructor and method bodies of a declared class.
    fn class(&mut self, id: ClassId, class: &ast::ClassDecl) {
        for member in &class.members {
            let (fn_id, name, params, body, span, is_static) = match &member.kind {
                ast::MemberKind::Constructor { params, body } => {
                    let Some(fn_id) = self.c.classes[id.0 as usize].as_ref().and_then(|c| c.constructor) else {
                        continue;
                    };
                    (fn_id, "constructor", params, body, member.span, false)
                }
                ast::MemberKind::Method { modifiers, function } => {
                    let Some(fn_id) = self.c.classes[id.0 as usize]
                        .as_ref()
                        .and_then(|def| def.method(function.name.name.as_bytes()))
                        .map(|method| method.function)
                    else {
                        continue;
                    };
                    (
                        fn_id,
                        function.name.name.as_str(),
                        &function.params,
                        &function.body,
                        function.span,
                        modifiers.is_static,
                    )
                }
                ast::MemberKind::Variable { .. } => continue,
            };
            if self.c.functions[fn_id.0 as usize].is_some() {
                continue;
            }
            let qualified: Arc<str> = format!("{}::{name}", class.name.name).into();
            if let Some((def, _)) = self.function(qualified, params, &[], body, span, Some(id), is_static) {
                self.c.functions[fn_id.0 as usize] = Some(def);
            }
        }
    }

    // ---------------------------------------------------------------- statements

    fn block(&mut self, body: &[ast::Stmt]) -> Block {
        body.iter().filter_map(|stmt| self.stmt(stmt)).collect()
    }

    fn body(&mut self, stmt: &ast::Stmt) -> Block {
        match &stmt.kind {
            StmtKind::Block(body) => self.block(body),
            _ => self.stmt(stmt).into_iter().collect(),
        }
    }

    fn stmt(&mut self, stmt: &ast::Stmt) -> Option<Stmt> {
        Some(match &stmt.kind {
            StmtKind::Expr(expr) => Stmt::Expr(self.expr(expr)),
            StmtKind::Echo(expr) => Stmt::Echo(self.expr(expr)),
            StmtKind::Block(body) => Stmt::Block(self.block(body)),
            StmtKind::Empty | StmtKind::Function(_) | StmtKind::Class(_) => return None,
            StmtKind::If { cond, then, otherwise } => {
                let cond = self.expr(cond);
                let then = self.body(then);
                let otherwise = otherwise.as_ref().map(|stmt| self.body(stmt)).unwrap_or_default();
                Stmt::If(cond, then, otherwise)
            }
            StmtKind::For { init, cond, step, body } => {
                let init = init.as_ref().map(|expr| self.expr(expr));
                let cond = cond.as_ref().map(|expr| self.expr(expr));
                let step = step.as_ref().map(|expr| self.expr(expr));
                let body = self.loop_body(body);
                let looped = Stmt::Loop { cond, step, body };
                match init {
                    Some(init) => Stmt::Block(vec![Stmt::Expr(init), looped].into()),
                    None => looped,
                }
            }
            StmtKind::Foreach { subject, key, value, body } => {
                let subject = self.expr(subject);
                let key = key.as_ref().map(|var| self.write_var(var));
                let value = self.write_var(value);
                let body = self.loop_body(body);
                Stmt::Foreach { subject, key, value, body, span: stmt.span }
            }
            StmtKind::While { cond, body } => {
                let cond = self.expr(cond);
                let cond = match cond {
                    Expr::Const(value) if value.truthy() => None,
                    other => Some(other),
                };
                Stmt::Loop { cond, step: None, body: self.loop_body(body) }
            }
            StmtKind::Forever(body) => Stmt::Loop { cond: None, step: None, body: self.loop_body(body) },
            StmtKind::Switch { subject, cases } => self.switch(subject, cases),
            StmtKind::Break => {
                if self.scope().breakables == 0 {
                    self.error(
                        "hsl::check::break_outside_loop",
                        "`break` outside a loop or switch",
                        stmt.span,
                        "nothing to break out of",
                    );
                }
                Stmt::Break
            }
            StmtKind::Continue => {
                if self.scope().loops == 0 {
                    self.error(
                        "hsl::check::continue_outside_loop",
                        "`continue` outside a loop",
                        stmt.span,
                        "nothing to continue",
                    );
                }
                Stmt::Continue
            }
            StmtKind::Return(value) => {
                if self.scope().top_level {
                    self.c.errors.push(
                        self.c
                            .diagnostic(
                                "hsl::check::return_outside_function",
                                "`return` outside a function",
                                stmt.span,
                                "the top level cannot return",
                            )
                            .with_help(
                                "a hook script ends by calling its action (such as `Pass()`) or by reaching its end",
                            ),
                    );
                }
                Stmt::Return(value.as_ref().map(|expr| self.expr(expr)))
            }
            StmtKind::Throw(expr) => Stmt::Throw(self.expr(expr), stmt.span),
            StmtKind::Try { body, var, handler } => {
                let body = self.block(body);
                let var = self.write_var(var);
                let handler = self.block(handler);
                Stmt::Try { body, var, handler }
            }
            StmtKind::Global(vars) => {
                if self.scope().top_level {
                    self.error(
                        "hsl::check::global_at_top_level",
                        "`global` is only meaningful inside a function",
                        stmt.span,
                        "already in the global scope",
                    );
                }
                // From here on the names are the module's globals. A name already used as a local before
                // this point gets a runtime check: `global` of a defined local is an error (§6.13).
                let module = self.module();
                let mut checks = Vec::new();
                for var in vars {
                    let (m, index) = self.c.scopes[module as usize].global_slot(&var.name);
                    let previous = self.scope().vars.insert(var.name.clone(), VarSlot::Global(m, index));
                    if let Some(local @ (VarSlot::Local(_) | VarSlot::Cell(_))) = previous {
                        checks.push(Stmt::GlobalAfterLocal(local, var.span));
                    }
                }
                return match checks.len() {
                    0 => None,
                    1 => checks.pop(),
                    _ => Some(Stmt::Block(checks.into_boxed_slice())),
                };
            }
            StmtKind::Barrier { name, var, body } => {
                let name = self.expr(name);
                let var = var.as_ref().map(|var| self.write_var(var));
                Stmt::Barrier { name, var, body: self.block(body), span: stmt.span }
            }
            StmtKind::Include { .. } => return None,
            StmtKind::Import(import) => return self.import(import, stmt.span),
        })
    }

    fn loop_body(&mut self, body: &ast::Stmt) -> Block {
        self.scope().loops += 1;
        self.scope().breakables += 1;
        let lowered = self.body(body);
        self.scope().loops -= 1;
        self.scope().breakables -= 1;
        lowered
    }

    fn switch(&mut self, subject: &ast::Expr, cases: &[ast::SwitchCase]) -> Stmt {
        let subject = self.expr(subject);
        let mut labels = Vec::new();
        let mut default = None;
        let mut body = Vec::new();
        self.scope().breakables += 1;
        let mut default_span = None;
        for case in cases {
            match &case.label {
                Some(label) => {
                    let label = self.expr(label);
                    labels.push((label, body.len()));
                }
                None => {
                    if let Some(first) = default_span {
                        let diagnostic = self.c.diagnostic(
                            "hsl::check::duplicate_default",
                            "`switch` has two `default` labels",
                            case.span,
                            "second default",
                        );
                        let diagnostic = self.c.with_label(diagnostic, first, "first default");
                        self.c.errors.push(diagnostic);
                    }
                    default_span = Some(case.span);
                    default = Some(body.len());
                }
            }
            for stmt in &case.body {
                if let Some(lowered) = self.stmt(stmt) {
                    body.push(lowered);
                }
            }
        }
        self.scope().breakables -= 1;
        Stmt::Switch { subject, cases: labels.into(), default, body: body.into() }
    }

    fn import(&mut self, import: &ast::Import, span: Span) -> Option<Stmt> {
        if !self.scope().top_level || self.scopes.len() > 1 {
            self.error(
                "hsl::check::nested_import",
                "`import` must be at the top level",
                span,
                "imports are unconditional",
            );
            return None;
        }
        let Some(&module) = self.imports.get(&span.start) else {
            if self.hoisted_imports.contains(&span.start) {
                return None; // already reported while binding
            }
            // Hoisting binds every import at the top level (including included files); one it did not see
            // stands inside a block.
            self.error(
                "hsl::check::nested_import",
                "`import` must be at the top level",
                span,
                "imports are unconditional",
            );
            return None;
        };
        match &import.kind {
            ast::ImportKind::Data(var) => {
                let value = self.data_import(module, import)?;
                let slot = self.write_var(var);
                Some(Stmt::Expr(Expr::Assign(Box::new(Place::Var(slot, var.span)), Box::new(Expr::Const(value)))))
            }
            _ => Some(Stmt::InitModule(module)),
        }
    }

    /// A data import (`import $x from "f.json"`): the file's content converted at compile time.
    fn data_import(&mut self, module: u16, import: &ast::Import) -> Option<Value> {
        let _ = module;
        let file = self.c.scopes[self.module() as usize].file;
        let path = self.c.resolve_path(file, &import.path)?;
        let text = match (self.c.env.loader)(&path) {
            Ok(text) => text,
            Err(error) => {
                self.error(
                    "hsl::check::file_not_found",
                    format!("cannot import \"{}\": {error}", path.display()),
                    import.path.span,
                    "this file",
                );
                return None;
            }
        };
        let options = import.options.as_ref().map(|expr| self.expr(expr)).and_then(|expr| const_value(&expr));
        let extension = path.extension().and_then(|ext| ext.to_str()).unwrap_or_default().to_ascii_lowercase();
        match crate::stdlib::data_import(&extension, text.as_bytes(), options.as_ref()) {
            Ok(value) => Some(value),
            Err(message) => {
                self.error("hsl::check::data_import", message, import.path.span, "this file");
                None
            }
        }
    }

    // ---------------------------------------------------------------- variables

    /// The slot of a variable that is being written.
    fn write_var(&mut self, var: &ast::Var) -> VarSlot {
        let slot = self.slot(var);
        self.check_writable(slot, var);
        slot
    }

    fn check_writable(&mut self, slot: VarSlot, var: &ast::Var) {
        if let VarSlot::Global(0, index) = slot
            && self.c.scopes[0].read_only.contains(&index)
        {
            let hook = self.c.env.hook.unwrap_or("host");
            let diagnostic = self
                .c
                .diagnostic(
                    "hsl::check::read_only_global",
                    format!("`${}` is read-only in the {hook} hook", var.name),
                    var.span,
                    "written here",
                )
                .with_help(format!("copy it into a local variable first: `$copy = ${};`", var.name));
            self.c.errors.push(diagnostic);
        }
    }

    /// The slot of a variable, creating it in the current scope when new.
    fn slot(&mut self, var: &ast::Var) -> VarSlot {
        let module = self.module();
        if let Some(slot) = self.scope().vars.get(&var.name) {
            return *slot;
        }
        if self.scope().top_level {
            let (m, index) = self.c.scopes[module as usize].global_slot(&var.name);
            let slot = VarSlot::Global(m, index);
            self.scope().vars.insert(var.name.clone(), slot);
            return slot;
        }
        if var.name == "this" {
            self.error(
                "hsl::check::this_outside_method",
                "`$this` is only available in class methods",
                var.span,
                "not inside a method",
            );
        }
        self.scope().new_slot(&var.name)
    }

    /// The slot of a variable that is read; reports names never assigned in their scope (Q-ERR-3).
    fn read_var(&mut self, var: &ast::Var, quiet: bool) -> VarSlot {
        if !quiet && !self.scope().known.contains(&var.name) && !self.scope().vars.contains_key(&var.name) {
            let candidates: Vec<String> = self.scope().known.iter().cloned().collect();
            let mut diagnostic = self.c.diagnostic(
                "hsl::check::undefined_variable",
                format!("`${}` is never assigned in this scope", var.name),
                var.span,
                "undefined variable",
            );
            if let Some(best) = did_you_mean(&var.name, candidates.iter().map(String::as_str)) {
                diagnostic = diagnostic.with_help(format!("did you mean `${best}`?"));
            } else if !self.scope().top_level {
                diagnostic = diagnostic.with_help(format!(
                    "functions do not see global variables; add `global ${};` or pass it as an argument",
                    var.name
                ));
            }
            self.c.errors.push(diagnostic);
        }
        self.slot(var)
    }

    // ---------------------------------------------------------------- expressions

    fn boxed(&mut self, expr: &ast::Expr) -> Box<Expr> {
        Box::new(self.expr(expr))
    }

    fn expr(&mut self, expr: &ast::Expr) -> Expr {
        self.expr_mode(expr, false)
    }

    /// Lowers an expression; `quiet` is for the left side of `??`, where missing names are not errors.
    fn expr_mode(&mut self, expr: &ast::Expr, quiet: bool) -> Expr {
        let span = expr.span;
        match &expr.kind {
            ExprKind::None => Expr::Const(Value::None),
            ExprKind::Bool(flag) => Expr::Const(Value::bool(*flag)),
            ExprKind::Number(number) => Expr::Const(Value::number(*number)),
            ExprKind::String(bytes) => Expr::Const(Value::String(Str::new(bytes.clone()))),
            ExprKind::Interpolated(parts) => {
                let parts = parts
                    .iter()
                    .map(|part| match part {
                        ast::StrPart::Literal(bytes) => ir::Part::Literal(Str::new(bytes.clone())),
                        ast::StrPart::Var(var) => ir::Part::Var(self.read_var(var, false), var.span),
                    })
                    .collect();
                Expr::Interpolate(parts)
            }
            ExprKind::Regex { pattern, flags } => match crate::stdlib::regex::compile_literal(pattern, flags) {
                Ok(value) => Expr::Const(value),
                Err(message) => {
                    self.error(
                        "hsl::check::invalid_regex",
                        format!("invalid regular expression: {message}"),
                        span,
                        "here",
                    );
                    Expr::Const(Value::None)
                }
            },
            ExprKind::Variable(var) => Expr::Load(self.read_var(var, quiet), var.span),
            ExprKind::Name(ident) => self.name_value(ident),
            ExprKind::Builtin(ident) => match self.c.env.natives.function(&ident.name) {
                Some(native) => Expr::NativeRef(native),
                None => {
                    self.unknown_function(ident, true);
                    Expr::Const(Value::None)
                }
            },
            ExprKind::Scope { scope, member } => self.scope_value(scope, member, span),
            ExprKind::Array(items) => self.array(items, span),
            ExprKind::Function(literal) => {
                let (min, max, variadic) = signature(&literal.params);
                let id = self.c.reserve_function(min, max, variadic);
                let class = self.scopes.last().and_then(|scope| scope.class);
                let is_static = self.scopes.last().is_some_and(|scope| scope.static_method);
                match self.function(
                    "<anonymous>".into(),
                    &literal.params,
                    &literal.captures,
                    &literal.body,
                    span,
                    class,
                    is_static || class.is_some(),
                ) {
                    Some((def, cells)) => {
                        self.c.functions[id.0 as usize] = Some(def);
                        Expr::Closure(id, cells.into())
                    }
                    None => Expr::Const(Value::None),
                }
            }
            ExprKind::Match { subject, arms } => {
                let subject = self.boxed(subject);
                let mut lowered = Vec::new();
                let mut default = None;
                for arm in arms {
                    let value = self.expr(&arm.value);
                    match &arm.patterns {
                        Some(patterns) => {
                            let patterns = patterns.iter().map(|p| self.expr(p)).collect();
                            lowered.push((patterns, value));
                        }
                        None => {
                            if default.is_some() {
                                self.error(
                                    "hsl::check::duplicate_default",
                                    "`match` has two `default` arms",
                                    arm.span,
                                    "second default",
                                );
                            }
                            default = Some(Box::new(value));
                        }
                    }
                }
                Expr::Match { subject, arms: lowered.into(), default, span }
            }
            ExprKind::Cache { options, call } => {
                let options = self.boxed(options);
                match self.expr(call) {
                    Expr::Call(call) => {
                        let name = match &call.callee {
                            Callee::User(id) => self
                                .c
                                .functions
                                .get(id.0 as usize)
                                .and_then(|f| f.as_ref())
                                .map_or_else(|| Str::from(format!("fn{}", id.0)), |f| Str::from(f.name.to_string())),
                            Callee::Native(native) => Str::from(native.name.to_string()),
                            Callee::Static(class, id) => Str::from(format!("{}::{}", class.0, id.0)),
                            Callee::NativeStatic(def) => Str::from(def.name),
                            _ => Str::from("<callable>"),
                        };
                        Expr::Cache { options, call, name }
                    }
                    _ => {
                        self.error(
                            "hsl::check::cache_needs_call",
                            "`cache` needs a function call",
                            call.span,
                            "not a call",
                        );
                        Expr::Const(Value::None)
                    }
                }
            }
            ExprKind::Isset(target) => match self.place(target, true, false) {
                Some(place) => Expr::Isset(Box::new(place)),
                None => Expr::Const(Value::bool(false)),
            },
            ExprKind::Unset(target) => match self.place(target, true, true) {
                Some(place) => Expr::Unset(Box::new(place)),
                None => Expr::Const(Value::bool(false)),
            },
            ExprKind::Call { callee, args } => self.call(callee, args, span),
            ExprKind::Index { target, index } => {
                let target = Box::new(self.expr_mode(target, quiet));
                match index {
                    Some(index) => path(Expr::Index(target, Box::new(key_expr(self.expr(index))), span)),
                    None => {
                        self.error(
                            "hsl::check::empty_index",
                            "`[]` can only be assigned to",
                            span,
                            "use `$a[] = value;` to append",
                        );
                        Expr::Const(Value::None)
                    }
                }
            }
            ExprKind::Slice { target, start, stop, step } => {
                let target = Box::new(self.expr_mode(target, quiet));
                let parts = [start, stop, step].map(|part| part.as_ref().map(|e| self.expr(e)));
                Expr::Slice(target, Box::new(parts), span)
            }
            ExprKind::Property { target, name } => {
                let target = Box::new(self.expr_mode(target, quiet));
                Expr::Property(target, self.member(&name.name), span)
            }
            ExprKind::Unary { op, operand } => {
                let operand = self.expr(operand);
                if let Expr::Const(value) = &operand
                    && let Ok(folded) = crate::eval::ops::unary(*op, value)
                {
                    return Expr::Const(folded);
                }
                Expr::Unary(*op, Box::new(operand), span)
            }
            ExprKind::IncDec { target, increment, prefix } => match self.place(target, false, true) {
                Some(place) => Expr::IncDec { place: Box::new(place), increment: *increment, prefix: *prefix, span },
                None => Expr::Const(Value::None),
            },
            ExprKind::Binary { op, left, right } => {
                let left = if *op == BinaryOp::Coalesce { self.expr_mode(left, true) } else { self.expr(left) };
                let right = self.expr(right);
                match op {
                    BinaryOp::And => Expr::And(Box::new(left), Box::new(right)),
                    BinaryOp::Or => Expr::Or(Box::new(left), Box::new(right)),
                    BinaryOp::Coalesce => Expr::Coalesce(Box::new(left), Box::new(right)),
                    _ => {
                        if let (Expr::Const(a), Expr::Const(b)) = (&left, &right)
                            && !matches!(op, BinaryOp::RegexMatch | BinaryOp::RegexNotMatch)
                            && let Ok(folded) = crate::eval::ops::binary(*op, a, b)
                        {
                            return Expr::Const(folded);
                        }
                        if *op == BinaryOp::Concat {
                            return concat_chain(left, right, span);
                        }
                        Expr::Binary(*op, Box::new(left), Box::new(right), span)
                    }
                }
            }
            ExprKind::Ternary { cond, then, otherwise } => {
                let cond = self.boxed(cond);
                let then = then.as_ref().map(|e| self.boxed(e));
                Expr::Ternary(cond, then, self.boxed(otherwise))
            }
            ExprKind::Assign { op, target, value } => {
                let value = self.boxed(value);
                let Some(place) = self.place(target, false, true) else {
                    return Expr::Const(Value::None);
                };
                match op {
                    None => Expr::Assign(Box::new(place), value),
                    Some(BinaryOp::Coalesce) => Expr::CoalesceAssign(Box::new(place), value),
                    Some(op) => Expr::CompoundAssign(*op, Box::new(place), value, span),
                }
            }
            ExprKind::Destructure { pattern, value } => {
                let value = self.boxed(value);
                let items = pattern
                    .iter()
                    .map(|item| ir::PatternItem {
                        key: item.key.as_ref().map(|key| self.expr(key)),
                        slot: self.write_var(&item.var),
                        default: item.default.as_ref().map(|d| self.expr(d)),
                        rest: item.rest,
                    })
                    .collect();
                Expr::Destructure(items, value)
            }
        }
    }

    fn array(&mut self, items: &[ast::ArrayItem], span: Span) -> Expr {
        let lowered: Vec<ArrayItem> = items
            .iter()
            .map(|item| match item {
                ast::ArrayItem::Value(value) => ArrayItem::Value(self.expr(value)),
                ast::ArrayItem::Keyed(key, value) => ArrayItem::Keyed(self.expr(key), self.expr(value)),
                ast::ArrayItem::Spread(value) => ArrayItem::Spread(self.expr(value)),
            })
            .collect();
        // An array of constants is itself a constant.
        let mut constant = Array::new();
        let all_constant = lowered.iter().all(|item| match item {
            ArrayItem::Value(Expr::Const(value)) => {
                constant.make_mut().push(value.clone());
                true
            }
            ArrayItem::Keyed(Expr::Const(key), Expr::Const(value)) => match crate::eval::ops::to_key(key) {
                Ok(key) => {
                    constant.make_mut().insert(key, value.clone());
                    true
                }
                Err(_) => false,
            },
            _ => false,
        });
        if all_constant {
            return Expr::Const(Value::Array(constant));
        }
        Expr::Array(lowered.into(), span)
    }

    /// A bare name used as a value: a named function pointer or a class.
    fn name_value(&mut self, ident: &ast::Ident) -> Expr {
        match self.lookup_callable(&ident.name) {
            Some(Callee::User(id)) => Expr::FunctionRef(id),
            Some(Callee::Class(id)) => Expr::ClassRef(id),
            Some(Callee::Native(native)) => Expr::NativeRef(native),
            Some(Callee::NativeClass(class)) => Expr::NativeClassRef(class),
            _ => {
                self.unknown_function(ident, false);
                Expr::Const(Value::None)
            }
        }
    }

    /// Resolves a name in call position: nested functions, module functions, classes, natives.
    fn lookup_callable(&self, name: &str) -> Option<Callee> {
        for scope in self.scopes.iter().rev() {
            if let Some(id) = scope.functions.get(name) {
                return Some(Callee::User(*id));
            }
        }
        let module = &self.c.scopes[self.module() as usize];
        if let Some(id) = module.functions.get(name) {
            return Some(Callee::User(*id));
        }
        if let Some(id) = module.classes.get(name) {
            return Some(Callee::Class(*id));
        }
        if let Some(native) = self.c.env.natives.function(name) {
            return Some(Callee::Native(native));
        }
        self.c.env.natives.class(name).map(Callee::NativeClass)
    }

    fn unknown_function(&mut self, ident: &ast::Ident, builtin: bool) {
        let what = if builtin { "builtin function" } else { "function or class" };
        let mut diagnostic = self.c.diagnostic(
            "hsl::check::unknown_function",
            format!("unknown {what} `{}`", ident.name),
            ident.span,
            "not defined",
        );
        if let Some((_, hook)) = self.c.env.foreign_actions.iter().find(|(action, _)| *action == ident.name) {
            let current = self.c.env.hook.unwrap_or("this");
            diagnostic = diagnostic.with_help(format!(
                "`{}()` is an action of the {hook} hook; it is not available in the {current} hook",
                ident.name
            ));
        } else {
            let module = &self.c.scopes[self.module() as usize];
            let names: Vec<String> = module
                .functions
                .keys()
                .chain(module.classes.keys())
                .cloned()
                .chain(self.c.env.natives.function_names().map(str::to_string))
                .collect();
            if let Some(best) = did_you_mean(&ident.name, names.iter().map(String::as_str)) {
                diagnostic = diagnostic.with_help(format!("did you mean `{best}`?"));
            }
        }
        self.c.errors.push(diagnostic);
    }

    fn class_of_scope(&mut self, scope: &ast::ScopeName) -> Option<ScopeTarget> {
        match scope {
            ast::ScopeName::Static(span) => match self.scopes.last().and_then(|s| s.class) {
                Some(id) => Some(ScopeTarget::Class(id)),
                None => {
                    self.error("hsl::check::static_outside_class", "`static::` outside a class", *span, "here");
                    None
                }
            },
            ast::ScopeName::Named(ident) => {
                let module = &self.c.scopes[self.module() as usize];
                if let Some(id) = module.classes.get(&ident.name) {
                    return Some(ScopeTarget::Class(*id));
                }
                if let Some(id) = module.namespaces.get(&ident.name) {
                    return Some(ScopeTarget::Module(*id));
                }
                if let Some(class) = self.c.env.natives.class(&ident.name) {
                    return Some(ScopeTarget::Native(class));
                }
                self.error(
                    "hsl::check::unknown_class",
                    format!("unknown class or module `{}`", ident.name),
                    ident.span,
                    "not defined",
                );
                None
            }
        }
    }

    fn static_slot(&mut self, class: ClassId, var: &ast::Var) -> Option<u32> {
        let def = self.c.classes.get(class.0 as usize).and_then(|c| c.as_ref());
        let found = def.and_then(|def| def.statics.iter().position(|f| f.name.as_bytes() == var.name.as_bytes()));
        let private = found.and_then(|index| def.map(|def| def.statics[index].private)).unwrap_or(false);
        if private && self.scopes.last().and_then(|scope| scope.class) != Some(class) {
            self.error(
                "hsl::check::private_access",
                format!("`{}::${}` is private", self.c.class_names[class.0 as usize], var.name),
                var.span,
                "only the class itself can use it",
            );
        }
        if found.is_none() {
            self.error(
                "hsl::check::unknown_static",
                format!("class `{}` has no static variable `${}`", self.c.class_names[class.0 as usize], var.name),
                var.span,
                "not declared",
            );
        }
        found.map(|index| index as u32)
    }

    fn static_method(&mut self, class: ClassId, ident: &ast::Ident) -> Option<FnId> {
        let def = self.c.classes.get(class.0 as usize).and_then(|c| c.as_ref());
        let method = def.and_then(|def| def.method(ident.name.as_bytes())).map(|m| (m.function, m.is_static));
        let private = def.and_then(|def| def.method(ident.name.as_bytes())).is_some_and(|m| m.private);
        if private && self.scopes.last().and_then(|scope| scope.class) != Some(class) {
            self.error(
                "hsl::check::private_access",
                format!("`{}::{}` is private", self.c.class_names[class.0 as usize], ident.name),
                ident.span,
                "only the class itself can call it",
            );
        }
        match method {
            Some((id, true)) => Some(id),
            Some((_, false)) => {
                self.error(
                    "hsl::check::not_static",
                    format!("`{}` is not a static function", ident.name),
                    ident.span,
                    "call it on an instance with `->`",
                );
                None
            }
            None => {
                self.error(
                    "hsl::check::unknown_method",
                    format!("class `{}` has no function `{}`", self.c.class_names[class.0 as usize], ident.name),
                    ident.span,
                    "not declared",
                );
                None
            }
        }
    }

    fn scope_value(&mut self, scope: &ast::ScopeName, member: &ast::ScopeMember, span: Span) -> Expr {
        let _ = span;
        let Some(target) = self.class_of_scope(scope) else { return Expr::Const(Value::None) };
        match (target, member) {
            (ScopeTarget::Class(class), ast::ScopeMember::Variable(var)) => match self.static_slot(class, var) {
                Some(index) => Expr::LoadStatic(class, index),
                None => Expr::Const(Value::None),
            },
            (ScopeTarget::Class(class), ast::ScopeMember::Function(ident)) => match self.static_method(class, ident) {
                Some(id) => Expr::StaticMethodRef(id),
                None => Expr::Const(Value::None),
            },
            (ScopeTarget::Module(module), ast::ScopeMember::Variable(var)) => {
                match self.c.scopes[module as usize].globals.get(&var.name) {
                    Some((m, index)) => Expr::Load(VarSlot::Global(*m, *index), var.span),
                    None => {
                        self.error(
                            "hsl::check::unknown_import",
                            format!("the module has no variable `${}`", var.name),
                            var.span,
                            "not defined there",
                        );
                        Expr::Const(Value::None)
                    }
                }
            }
            (ScopeTarget::Module(module), ast::ScopeMember::Function(ident)) => {
                let scope = &self.c.scopes[module as usize];
                if let Some(id) = scope.functions.get(&ident.name) {
                    Expr::FunctionRef(*id)
                } else if let Some(id) = scope.classes.get(&ident.name) {
                    Expr::ClassRef(*id)
                } else {
                    self.error(
                        "hsl::check::unknown_import",
                        format!("the module has no function `{}`", ident.name),
                        ident.span,
                        "not defined there",
                    );
                    Expr::Const(Value::None)
                }
            }
            (ScopeTarget::Native(class), ast::ScopeMember::Function(ident)) => match class.static_fn(&ident.name) {
                Some(def) => Expr::NativeRef(Arc::new(crate::module::NativeFunction::from_def(def))),
                None => {
                    self.error(
                        "hsl::check::unknown_method",
                        format!("class `{}` has no static function `{}`", class.name, ident.name),
                        ident.span,
                        "not defined",
                    );
                    Expr::Const(Value::None)
                }
            },
            (ScopeTarget::Native(class), ast::ScopeMember::Variable(var)) => {
                self.error(
                    "hsl::check::unknown_static",
                    format!("class `{}` has no static variables", class.name),
                    var.span,
                    "not defined",
                );
                Expr::Const(Value::None)
            }
        }
    }

    fn call(&mut self, callee: &ast::Expr, args: &[ast::Arg], span: Span) -> Expr {
        let lowered_args: Box<[Arg]> = args
            .iter()
            .map(|arg| Arg { expr: self.expr(&arg.expr), spread: arg.spread, span: arg.expr.span })
            .collect();
        let has_spread = args.iter().any(|arg| arg.spread);
        let count = args.len();
        let (callee, arity, name): (Callee, Option<(usize, usize)>, String) = match &callee.kind {
            ExprKind::Name(ident) => match self.lookup_callable(&ident.name) {
                Some(target) => {
                    let arity = self.arity_of(&target);
                    (target, arity, ident.name.clone())
                }
                None => {
                    self.unknown_function(ident, false);
                    return Expr::Const(Value::None);
                }
            },
            ExprKind::Builtin(ident) => match self.c.env.natives.function(&ident.name) {
                Some(native) => {
                    let arity = Some((native.min, native.max));
                    (Callee::Native(native), arity, ident.name.clone())
                }
                None => {
                    self.unknown_function(ident, true);
                    return Expr::Const(Value::None);
                }
            },
            ExprKind::Scope { scope, member: ast::ScopeMember::Function(ident) } => match self.class_of_scope(scope) {
                Some(ScopeTarget::Class(class)) => match self.static_method(class, ident) {
                    Some(id) => {
                        let arity = self.arity_of(&Callee::User(id));
                        (Callee::Static(class, id), arity, ident.name.clone())
                    }
                    None => return Expr::Const(Value::None),
                },
                Some(ScopeTarget::Native(class)) => match class.static_fn(&ident.name) {
                    Some(def) => (Callee::NativeStatic(def), Some((def.min, def.max)), ident.name.clone()),
                    None => {
                        self.error(
                            "hsl::check::unknown_method",
                            format!("class `{}` has no static function `{}`", class.name, ident.name),
                            ident.span,
                            "not defined",
                        );
                        return Expr::Const(Value::None);
                    }
                },
                Some(ScopeTarget::Module(_)) => {
                    let value = self.scope_value(scope, &ast::ScopeMember::Function(ident.clone()), span);
                    match value {
                        Expr::FunctionRef(id) => {
                            let arity = self.arity_of(&Callee::User(id));
                            (Callee::User(id), arity, ident.name.clone())
                        }
                        Expr::ClassRef(id) => {
                            let arity = self.arity_of(&Callee::Class(id));
                            (Callee::Class(id), arity, ident.name.clone())
                        }
                        _ => return Expr::Const(Value::None),
                    }
                }
                None => return Expr::Const(Value::None),
            },
            ExprKind::Property { target, name } => {
                (Callee::Method(self.expr(target), name.name.as_str().into(), Default::default()), None, String::new())
            }
            _ => (Callee::Value(self.expr(callee)), None, String::new()),
        };
        if let Some((min, max)) = arity
            && !has_spread
            && (count < min || count > max)
        {
            self.error(
                "hsl::check::wrong_argument_count",
                crate::module::arity_message(&name, min, max, count),
                span,
                "wrong number of arguments",
            );
        }
        Expr::Call(Box::new(Call { callee, args: lowered_args, has_spread, span }))
    }

    fn arity_of(&self, callee: &Callee) -> Option<(usize, usize)> {
        match callee {
            Callee::User(id) | Callee::Static(_, id) => {
                self.c.signatures.get(id.0 as usize).map(|(min, max, _)| (*min, *max))
            }
            Callee::Native(native) => Some((native.min, native.max)),
            Callee::Class(id) => {
                let constructor = self.c.classes.get(id.0 as usize).and_then(|c| c.as_ref()).map(|c| c.constructor);
                match constructor {
                    Some(Some(fn_id)) => self.c.signatures.get(fn_id.0 as usize).map(|(min, max, _)| (*min, *max)),
                    Some(None) => Some((0, 0)),
                    None => None,
                }
            }
            Callee::NativeClass(class) => class.constructor.map(|def| (def.min, def.max)).or(Some((0, 0))),
            Callee::NativeStatic(def) => Some((def.min, def.max)),
            Callee::Method(..) | Callee::Value(_) => None,
        }
    }

    /// A property name after `->`, with its slot when the code belongs to a class that declares it.
    fn member(&self, name: &str) -> ir::Member {
        let slot = self.scopes.last().and_then(|scope| scope.class).and_then(|class| {
            let def = self.c.classes.get(class.0 as usize)?.as_ref()?;
            let (index, _) = def.field(name.as_bytes())?;
            Some((class, u32::try_from(index).ok()?))
        });
        ir::Member { name: name.into(), slot }
    }

    /// Lowers an assignable expression. `quiet`: isset/unset (objects in the path may be missing);
    /// `writes`: the place is written (read-only globals are rejected).
    fn place(&mut self, target: &ast::Expr, quiet: bool, writes: bool) -> Option<Place> {
        let span = target.span;
        let place = match &target.kind {
            ExprKind::Variable(var) => Some(Place::Var(self.slot(var), var.span)),
            ExprKind::Index { target: base, index } => {
                let base_place = self.place(base, quiet, false)?;
                let index = index.as_ref().map(|index| self.expr(index));
                if index.is_none() && quiet {
                    self.error("hsl::check::empty_index", "`[]` can only be assigned to", span, "here");
                }
                Some(Place::Index(Box::new(base_place), index, span))
            }
            ExprKind::Slice { target: base, start, stop, step } => {
                let base_place = self.place(base, quiet, false)?;
                let parts = [start, stop, step].map(|part| part.as_ref().map(|e| self.expr(e)));
                Some(Place::Slice(Box::new(base_place), Box::new(parts), span))
            }
            ExprKind::Property { target: base, name } => {
                let object = self.expr_mode(base, quiet);
                Some(Place::Property(Box::new(object), self.member(&name.name), span))
            }
            ExprKind::Scope { scope, member: ast::ScopeMember::Variable(var) } => match self.class_of_scope(scope)? {
                ScopeTarget::Class(class) => {
                    let index = self.static_slot(class, var)?;
                    Some(Place::Static(class, index, span))
                }
                ScopeTarget::Module(module) => {
                    let (m, index) = *self.c.scopes[module as usize].globals.get(&var.name)?;
                    Some(Place::Var(VarSlot::Global(m, index), var.span))
                }
                ScopeTarget::Native(_) => None,
            },
            _ => {
                self.error(
                    "hsl::check::invalid_assignment_target",
                    "cannot assign to this expression",
                    span,
                    "not a variable, element or property",
                );
                None
            }
        };
        if writes && let Some(place) = &place {
            self.check_place_writable(place);
        }
        place
    }

    fn check_place_writable(&mut self, place: &Place) {
        let mut root = place;
        loop {
            match root {
                Place::Index(base, _, _) | Place::Slice(base, _, _) => root = base,
                Place::Var(VarSlot::Global(0, index), span) => {
                    if self.c.scopes[0].read_only.contains(index) {
                        let name = self.c.scopes[0].global_names[*index as usize].to_string();
                        self.check_writable(VarSlot::Global(0, *index), &ast::Var { name, span: *span });
                    }
                    return;
                }
                _ => return,
            }
        }
    }
}

enum ScopeTarget {
    Class(ClassId),
    Module(u16),
    Native(&'static crate::module::NativeClass),
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.len() / 3).max(1);
    candidates
        .filter(|candidate| *candidate != name)
        .map(|candidate| (strsim::levenshtein(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, candidate)| (*distance, candidate.len()))
        .map(|(_, candidate)| candidate)
}

/// `left . right`, extending a chain on the left into one [`Expr::Concat`] so the evaluator builds the
/// whole string in one buffer instead of one intermediate string per `.`.
fn concat_chain(left: Expr, right: Expr, span: Span) -> Expr {
    match left {
        Expr::Concat(first, rest) => {
            let mut rest = rest.into_vec();
            rest.push((right, span));
            Expr::Concat(first, rest.into_boxed_slice())
        }
        Expr::Binary(BinaryOp::Concat, first, second, inner) => {
            Expr::Concat(first, Box::new([(*second, inner), (right, span)]))
        }
        left => Expr::Binary(BinaryOp::Concat, Box::new(left), Box::new(right), span),
    }
}

/// A constant index with its array key cast once, at compile time (a constant that is no valid key is
/// left alone: the run reports it where it is used).
fn key_expr(index: Expr) -> Expr {
    match index {
        Expr::Const(value) => match crate::eval::ops::to_key(&value) {
            Ok(key) => Expr::ConstKey(Box::new(ir::ConstKey { value, key })),
            Err(_) => Expr::Const(value),
        },
        other => other,
    }
}

/// An index with a constant key on a variable, or on such a path, as one [`ir::Path`]; any other index
/// as it is.
fn path(index: Expr) -> Expr {
    let Expr::Index(target, key, _) = &index else { return index };
    let Expr::ConstKey(constant) = &**key else { return index };
    let (root, mut keys) = match &**target {
        Expr::Load(slot, _) => (*slot, Vec::new()),
        Expr::Path(path) => (path.root, path.keys.to_vec()),
        _ => return index,
    };
    keys.push(constant.key.clone());
    Expr::Path(Box::new(ir::Path { root, keys: keys.into(), general: index }))
}

#[cfg(test)]
mod tests {
    use crate::Engine;
    use crate::ir::{Expr, Stmt};
    use crate::value::{ClassId, Key};

    /// The expression `return`ed by `function f($a, $i) { return <expr>; }`.
    fn lowered_return(expr: &str, check: impl FnOnce(&Expr)) {
        let source = format!("function f($a, $i) {{ return {expr}; }}");
        let script = Engine::builder().build().compile("t.hsl", &source).expect("compiles");
        let def = script.program().functions.iter().find(|def| &*def.name == "f").expect("function exists");
        match def.body.first() {
            Some(Stmt::Return(Some(returned))) => check(returned),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn constant_key_chains_on_a_variable_become_one_path() {
        lowered_return(r#"$a["helo"]["host"]"#, |expr| match expr {
            Expr::Path(path) => {
                assert_eq!(path.keys[..], [Key::from("helo"), Key::from("host")]);
                assert!(matches!(&path.general, Expr::Index(target, _, _) if matches!(**target, Expr::Path(_))));
            }
            other => panic!("not a path: {other:?}"),
        });
        lowered_return(r#"$a[0]["1"]"#, |expr| {
            assert!(matches!(expr, Expr::Path(path) if path.keys[..] == [Key::Int(0), Key::Int(1)]))
        });
        // A computed key ends the path; what follows indexes the result.
        lowered_return(r#"$a[$i]["host"]"#, |expr| {
            assert!(matches!(expr, Expr::Index(target, _, _) if matches!(**target, Expr::Index(..))))
        });
        lowered_return(r#"$a["helo"][$i]"#, |expr| {
            assert!(matches!(expr, Expr::Index(target, _, _) if matches!(**target, Expr::Path(_))))
        });
    }

    /// The property slot the lowering attached to `return <object>->name;`, the first statement of `function`.
    fn returned_slot(source: &str, function: &str) -> Option<(ClassId, u32)> {
        let script = Engine::builder().build().compile("t.hsl", source).expect("compiles");
        let program = script.program();
        let def = program.functions.iter().find(|def| &*def.name == function).expect("function exists");
        match def.body.first() {
            Some(Stmt::Return(Some(Expr::Property(_, member, _)))) => member.slot,
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn properties_declared_by_the_running_class_get_their_slot() {
        let source = "class A { $x = 1; private $y = 2; function gety() { return $this->y; } \
                      function other($o) { return $o->y; } function added() { return $this->z; } }
                      function outside($o) { return $o->y; }";
        assert_eq!(returned_slot(source, "A::gety"), Some((ClassId(0), 1)));
        // Any object: the slot only applies when it turns out to be an `A`.
        assert_eq!(returned_slot(source, "A::other"), Some((ClassId(0), 1)));
        assert_eq!(returned_slot(source, "A::added"), None);
        assert_eq!(returned_slot(source, "outside"), None);
    }
}
