//! AST → IR: resolves every variable to a slot and every named call to its target, and runs the static
//! checks (read-only globals, `break` outside loops, arity, duplicates, imports) before anything runs.

mod lower;
mod scan;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Diagnostic, Diagnostics};
use crate::ir::{self, ClassDef, FunctionDef, ModuleDef, Program};
use crate::module::Module;
use crate::source::SourceFile;
use crate::span::Span;
use crate::syntax::ast;
use crate::value::{ClassId, FnId};

pub use lower::const_value;

/// A global the host provides (a hook's `$connection`, ...).
#[derive(Clone, Debug)]
pub struct HostGlobal {
    /// Name without `$`.
    pub name: String,
    /// Whether scripts may write it.
    pub read_only: bool,
}

/// Reads imported and included files; hosts may sandbox or virtualise this.
pub type Loader = dyn Fn(&Path) -> std::io::Result<String> + Send + Sync;

/// What a script is compiled against.
pub struct Environment<'a> {
    /// Standard library, host functions and the hook's actions, already merged.
    pub natives: &'a Module,
    /// Globals of the hook, in slot order (module 0, slots `0..n`).
    pub globals: &'a [HostGlobal],
    /// The hook's name, for messages.
    pub hook: Option<&'a str>,
    /// Actions of other hooks (`Accept` → `connect`), to explain why they are unknown here.
    pub foreign_actions: &'a [(&'a str, &'a str)],
    /// Reads files for `import`/`include`.
    pub loader: &'a Loader,
}

/// Compiles a main script (and everything it imports or includes) into a program.
pub fn compile(file: SourceFile, path: Option<&Path>, env: &Environment<'_>) -> Result<Program, Diagnostics> {
    let mut compiler = Compiler::new(env);
    let file_id = compiler.add_file(file.clone(), path.map(Path::to_path_buf));
    match parse_file(&file, compiler.file_bases[file_id as usize]) {
        Ok(script) => {
            compiler.compile_module(script, file_id, path.map(Path::to_path_buf), true);
        }
        Err(errors) => compiler.errors.extend(errors.0),
    }
    compiler.finish()
}

/// Parses `file` with spans offset by `base` (program-wide positions).
fn parse_file(file: &SourceFile, base: u32) -> Result<ast::Script, Diagnostics> {
    crate::syntax::parse_at(file, base)
}

/// A name a module exports: everything of its global scope.
#[derive(Clone, Debug)]
enum Symbol {
    Function(FnId),
    Class(ClassId),
    Variable(u16, u32),
}

/// Symbols of one module.
#[derive(Debug, Default)]
pub(crate) struct ModuleScope {
    pub id: u16,
    pub file: u16,
    /// Top-level functions (own and imported).
    pub functions: HashMap<String, FnId>,
    /// Classes (own and imported).
    pub classes: HashMap<String, ClassId>,
    /// `import * as ns`.
    pub namespaces: HashMap<String, u16>,
    /// Global variables: own (module id = own) and imported (by reference into another module).
    pub globals: HashMap<String, (u16, u32)>,
    /// Names of own globals by slot.
    pub global_names: Vec<Arc<str>>,
    /// Hook globals that scripts may not write (main module only).
    pub read_only: HashSet<u32>,
    /// Names assigned at top level or bound by `global` anywhere (for the undefined-variable check).
    pub known_globals: HashSet<String>,
}

impl ModuleScope {
    /// The slot of own global `name`, created on first use.
    pub fn global_slot(&mut self, name: &str) -> (u16, u32) {
        if let Some(slot) = self.globals.get(name) {
            return *slot;
        }
        let index = self.global_names.len() as u32;
        self.global_names.push(name.into());
        self.globals.insert(name.to_string(), (self.id, index));
        (self.id, index)
    }
}

pub(crate) struct Compiler<'e> {
    pub env: &'e Environment<'e>,
    pub files: Vec<SourceFile>,
    pub file_bases: Vec<u32>,
    next_base: u32,
    pub errors: Vec<Diagnostic>,
    pub functions: Vec<Option<FunctionDef>>,
    /// (min, max) arity of every reserved function, known before bodies are lowered.
    pub signatures: Vec<(usize, usize, bool)>,
    pub classes: Vec<Option<ClassDef>>,
    pub class_names: Vec<Arc<str>>,
    pub modules: Vec<Option<ModuleDef>>,
    pub scopes: Vec<ModuleScope>,
    module_by_path: HashMap<PathBuf, u16>,
    /// Imports being compiled, for cycle detection: (path, import span).
    import_stack: Vec<(PathBuf, Span)>,
    include_stack: Vec<(PathBuf, Span)>,
}

impl<'e> Compiler<'e> {
    fn new(env: &'e Environment<'e>) -> Self {
        Compiler {
            env,
            files: Vec::new(),
            file_bases: Vec::new(),
            next_base: 0,
            errors: Vec::new(),
            functions: Vec::new(),
            signatures: Vec::new(),
            classes: Vec::new(),
            class_names: Vec::new(),
            modules: Vec::new(),
            scopes: Vec::new(),
            module_by_path: HashMap::new(),
            import_stack: Vec::new(),
            include_stack: Vec::new(),
        }
    }

    pub fn add_file(&mut self, file: SourceFile, _path: Option<PathBuf>) -> u16 {
        let id = self.files.len() as u16;
        self.file_bases.push(self.next_base);
        self.next_base = self.next_base.saturating_add(file.text().len() as u32 + 1);
        self.files.push(file);
        id
    }

    /// Records a diagnostic at a program-wide span.
    pub fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span, label: impl Into<String>) {
        let diagnostic = self.diagnostic(code, message, span, label);
        self.errors.push(diagnostic);
    }

    /// Builds a diagnostic at a program-wide span (add help/labels before pushing).
    pub fn diagnostic(
        &self,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Diagnostic {
        let (file, local) = ir::locate(&self.files, &self.file_bases, span);
        Diagnostic::new(code, message, &file, local, label)
    }

    /// Adds a secondary label at a program-wide span (dropped when it is in another file).
    pub fn with_label(&self, diagnostic: Diagnostic, span: Span, text: &str) -> Diagnostic {
        let (file, local) = ir::locate(&self.files, &self.file_bases, span);
        if file.name() == diagnostic.file.name() { diagnostic.with_label(local, text) } else { diagnostic }
    }

    pub fn reserve_function(&mut self, min: usize, max: usize, variadic: bool) -> FnId {
        self.functions.push(None);
        self.signatures.push((min, max, variadic));
        FnId(self.functions.len() as u32 - 1)
    }

    pub fn reserve_class(&mut self, name: &str) -> ClassId {
        self.classes.push(None);
        self.class_names.push(name.into());
        ClassId(self.classes.len() as u32 - 1)
    }

    fn finish(self) -> Result<Program, Diagnostics> {
        if !self.errors.is_empty() {
            return Err(Diagnostics(self.errors));
        }
        let functions: Option<Vec<FunctionDef>> = self.functions.into_iter().collect();
        let classes: Option<Vec<ClassDef>> = self.classes.into_iter().collect();
        let modules: Option<Vec<ModuleDef>> = self.modules.into_iter().collect();
        match (functions, classes, modules) {
            (Some(functions), Some(classes), Some(modules)) => Ok(Program {
                files: self.files,
                file_bases: self.file_bases,
                modules,
                functions,
                classes,
                constant_copies: Default::default(),
            }),
            _ => {
                let file = self.files.first().cloned().unwrap_or_else(|| SourceFile::new("<unknown>", ""));
                Err(Diagnostics(vec![Diagnostic::new(
                    "hsl::check::internal",
                    "internal error: a declaration was never compiled",
                    &file,
                    Span::point(0),
                    "here",
                )]))
            }
        }
    }

    /// Resolves an import/include path against the importing file's directory (Q-MOD-2).
    pub fn resolve_path(&mut self, from_file: u16, literal: &ast::StrLit) -> Option<PathBuf> {
        let text = String::from_utf8_lossy(&literal.value).into_owned();
        if text.starts_with("extras://") {
            self.error(
                "hsl::check::plugin_module",
                format!("plugin module \"{text}\" is not available"),
                literal.span,
                "plugin modules need the Halon MTA",
            );
            return None;
        }
        let relative = text.strip_prefix("file://").or_else(|| text.strip_prefix("file:")).unwrap_or(&text);
        let base = self.files[from_file as usize].name().to_string();
        let directory = Path::new(&base).parent().map(Path::to_path_buf).unwrap_or_default();
        Some(directory.join(relative))
    }

    /// Loads and parses `path` as a new file.
    pub fn load(&mut self, path: &Path, span: Span, what: &str) -> Option<(u16, ast::Script)> {
        let text = match (self.env.loader)(path) {
            Ok(text) => text,
            Err(error) => {
                self.error(
                    "hsl::check::file_not_found",
                    format!("cannot {what} \"{}\": {error}", path.display()),
                    span,
                    "this file",
                );
                return None;
            }
        };
        let file = SourceFile::new(path.display().to_string(), text);
        let file_id = self.add_file(file.clone(), Some(path.to_path_buf()));
        match parse_file(&file, self.file_bases[file_id as usize]) {
            Ok(script) => Some((file_id, script)),
            Err(errors) => {
                self.errors.extend(errors.0);
                None
            }
        }
    }

    /// Replaces `include` statements with the statements of the included files (recursively), reporting
    /// cycles with both spans.
    pub fn expand_includes(&mut self, body: &mut [ast::Stmt], file: u16, included_once: &mut HashSet<PathBuf>) {
        let mut index = 0;
        while index < body.len() {
            let replacement = match &mut body[index].kind {
                ast::StmtKind::Include { path, once } => {
                    let (path, once, span) = (path.clone(), *once, body[index].span);
                    Some(self.include(file, &path, once, span, included_once))
                }
                ast::StmtKind::Function(decl) => {
                    self.expand_includes(&mut decl.body, file, included_once);
                    None
                }
                ast::StmtKind::Class(class) => {
                    for member in &mut class.members {
                        match &mut member.kind {
                            ast::MemberKind::Constructor { body, .. } => {
                                self.expand_includes(body, file, included_once)
                            }
                            ast::MemberKind::Method { function, .. } => {
                                self.expand_includes(&mut function.body, file, included_once)
                            }
                            ast::MemberKind::Variable { .. } => {}
                        }
                    }
                    None
                }
                _ => {
                    self.expand_nested(&mut body[index], file, included_once);
                    None
                }
            };
            if let Some(statements) = replacement {
                let span = body[index].span;
                body[index] = ast::Stmt { kind: ast::StmtKind::Block(statements), span };
            }
            index += 1;
        }
    }

    fn expand_nested(&mut self, stmt: &mut ast::Stmt, file: u16, once: &mut HashSet<PathBuf>) {
        use ast::StmtKind as K;
        match &mut stmt.kind {
            K::Block(body) => self.expand_includes(body, file, once),
            K::If { then, otherwise, .. } => {
                self.expand_boxed(then, file, once);
                if let Some(otherwise) = otherwise {
                    self.expand_boxed(otherwise, file, once);
                }
            }
            K::For { body, .. } | K::Foreach { body, .. } | K::While { body, .. } | K::Forever(body) => {
                self.expand_boxed(body, file, once)
            }
            K::Switch { cases, .. } => {
                for case in cases {
                    self.expand_includes(&mut case.body, file, once);
                }
            }
            K::Try { body, handler, .. } => {
                self.expand_includes(body, file, once);
                self.expand_includes(handler, file, once);
            }
            K::Barrier { body, .. } => self.expand_includes(body, file, once),
            _ => {}
        }
    }

    fn expand_boxed(&mut self, stmt: &mut ast::Stmt, file: u16, once: &mut HashSet<PathBuf>) {
        let mut single = vec![std::mem::replace(stmt, ast::Stmt { kind: ast::StmtKind::Empty, span: Span::NONE })];
        self.expand_includes(&mut single, file, once);
        if let Some(expanded) = single.pop() {
            *stmt = expanded;
        }
    }

    fn include(
        &mut self,
        from_file: u16,
        literal: &ast::StrLit,
        once: bool,
        span: Span,
        included_once: &mut HashSet<PathBuf>,
    ) -> Vec<ast::Stmt> {
        let Some(path) = self.resolve_path(from_file, literal) else { return Vec::new() };
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if once && !included_once.insert(key.clone()) {
            return Vec::new();
        }
        included_once.insert(key.clone());
        if let Some((_, first)) = self.include_stack.iter().find(|(open, _)| *open == key) {
            let first = *first;
            let diagnostic = self.diagnostic(
                "hsl::check::include_cycle",
                format!("\"{}\" includes itself", path.display()),
                span,
                "this include closes the cycle",
            );
            let diagnostic = self.with_label(diagnostic, first, "first included here");
            self.errors.push(diagnostic);
            return Vec::new();
        }
        if self.include_stack.len() > 64 {
            self.error("hsl::check::include_depth", "includes are nested too deeply", span, "here");
            return Vec::new();
        }
        let Some((file, script)) = self.load(&path, span, "include") else { return Vec::new() };
        self.include_stack.push((key, span));
        let mut body = script.body;
        self.expand_includes(&mut body, file, included_once);
        self.include_stack.pop();
        body
    }

    /// Compiles one module (the main script or an imported file) and returns its id.
    fn compile_module(&mut self, script: ast::Script, file: u16, path: Option<PathBuf>, is_main: bool) -> u16 {
        let id = self.modules.len() as u16;
        self.modules.push(None);
        let mut scope = ModuleScope { id, file, ..ModuleScope::default() };
        if is_main {
            for global in self.env.globals {
                let (_, index) = scope.global_slot(&global.name);
                if global.read_only {
                    scope.read_only.insert(index);
                }
                scope.known_globals.insert(global.name.clone());
            }
        }
        if let Some(path) = &path {
            self.module_by_path.insert(path.canonicalize().unwrap_or_else(|_| path.clone()), id);
        }
        self.scopes.push(scope);
        let mut body = script.body;
        let mut once = HashSet::new();
        self.expand_includes(&mut body, file, &mut once);
        let module_body = lower::lower_module(self, id, &body);
        let scope = &self.scopes[id as usize];
        self.modules[id as usize] = Some(ModuleDef { file, body: module_body, globals: scope.global_names.clone() });
        id
    }

    /// Compiles (once) the module at `path` for an `import` at `span` in module `from`.
    pub fn import_module(&mut self, from: u16, literal: &ast::StrLit, span: Span) -> Option<u16> {
        let from_file = self.scopes[from as usize].file;
        let path = self.resolve_path(from_file, literal)?;
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if let Some(position) = self.import_stack.iter().position(|(open, _)| *open == key) {
            let first = self.import_stack[position].1;
            let diagnostic = self.diagnostic(
                "hsl::check::import_cycle",
                format!("cyclic import of \"{}\"", path.display()),
                span,
                "this import closes the cycle",
            );
            let diagnostic = self.with_label(diagnostic, first, "the cycle starts with this import");
            self.errors.push(diagnostic);
            return None;
        }
        if let Some(id) = self.module_by_path.get(&key) {
            return Some(*id);
        }
        if self.import_stack.len() > 64 {
            self.error("hsl::check::import_depth", "imports are nested too deeply", span, "here");
            return None;
        }
        let (file, script) = self.load(&path, span, "import")?;
        self.import_stack.push((key, span));
        let id = self.compile_module(script, file, Some(path), false);
        self.import_stack.pop();
        Some(id)
    }

    /// What module `module` exports under `name` (functions and classes; variables are looked up separately).
    fn export(&self, module: u16, name: &str) -> Option<Symbol> {
        let scope = &self.scopes[module as usize];
        if let Some(id) = scope.functions.get(name) {
            return Some(Symbol::Function(*id));
        }
        scope.classes.get(name).map(|id| Symbol::Class(*id))
    }

    fn export_variable(&self, module: u16, name: &str) -> Option<Symbol> {
        let scope = &self.scopes[module as usize];
        scope.globals.get(name).map(|(m, index)| Symbol::Variable(*m, *index))
    }
}

/// Binds the names of one `import` statement into module `into`. Returns the imported module's id.
pub(crate) fn bind_import(compiler: &mut Compiler<'_>, into: u16, import: &ast::Import, span: Span) -> Option<u16> {
    if let ast::ImportKind::Data(_) = import.kind {
        // Data files are converted to values where the import stands; they are not modules.
        return Some(into);
    }
    let module = compiler.import_module(into, &import.path, span)?;
    match &import.kind {
        ast::ImportKind::Names(items) => {
            for item in items {
                match item {
                    ast::ImportItem::Name { name, alias } => {
                        let local = alias.as_ref().unwrap_or(name);
                        match compiler.export(module, &name.name) {
                            Some(Symbol::Function(id)) => {
                                define_function(compiler, into, &local.name, id, local.span);
                            }
                            Some(Symbol::Class(id)) => {
                                compiler.scopes[into as usize].classes.insert(local.name.clone(), id);
                            }
                            _ => compiler.error(
                                "hsl::check::unknown_import",
                                format!(
                                    "\"{}\" has no function or class `{}`",
                                    String::from_utf8_lossy(&import.path.value),
                                    name.name
                                ),
                                name.span,
                                "not defined in that module",
                            ),
                        }
                    }
                    ast::ImportItem::Variable { name, alias } => {
                        let local = alias.as_ref().unwrap_or(name);
                        match compiler.export_variable(module, &name.name) {
                            Some(Symbol::Variable(m, index)) => {
                                let scope = &mut compiler.scopes[into as usize];
                                if scope.globals.contains_key(&local.name) && scope.known_globals.contains(&local.name)
                                {
                                    compiler.error(
                                        "hsl::check::import_overwrites",
                                        format!("importing `${}` would overwrite an existing variable", local.name),
                                        local.span,
                                        "import it under another name with `as`",
                                    );
                                } else {
                                    scope.globals.insert(local.name.clone(), (m, index));
                                    scope.known_globals.insert(local.name.clone());
                                }
                            }
                            _ => compiler.error(
                                "hsl::check::unknown_import",
                                format!(
                                    "\"{}\" has no variable `${}`",
                                    String::from_utf8_lossy(&import.path.value),
                                    name.name
                                ),
                                name.span,
                                "not defined in that module",
                            ),
                        }
                    }
                }
            }
        }
        ast::ImportKind::Wildcard(namespace) => {
            compiler.scopes[into as usize].namespaces.insert(namespace.name.clone(), module);
        }
        ast::ImportKind::Data(_) => {}
    }
    Some(module)
}

/// Adds a top-level function name to a module, reporting duplicates.
pub(crate) fn define_function(compiler: &mut Compiler<'_>, module: u16, name: &str, id: FnId, span: Span) {
    let scope = &mut compiler.scopes[module as usize];
    if scope.functions.contains_key(name) || scope.classes.contains_key(name) {
        compiler.error(
            "hsl::check::duplicate_name",
            format!("`{name}` is already defined"),
            span,
            "defined again here",
        );
        return;
    }
    scope.functions.insert(name.to_string(), id);
}
