//! `hsl repl`: an interactive session. Each entry is compiled with the session's variables as writable
//! globals (`Engine::compile_session`) and the functions and classes declared so far; only the new entry
//! runs, so earlier side effects are never repeated. An entry that is a bare expression echoes its value.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::Args;

use super::render::render;
use super::{EXIT_OK, EXIT_USAGE};
use crate::hook::fixture::{HookInputs, load_fixture};
use crate::output::WriteOutput;
use crate::syntax::ast::StmtKind;
use crate::value::Value;
use crate::{Engine, RunOptions};

#[derive(Args)]
pub struct ReplArgs {
    /// Start with this hook's globals and actions in scope (e.g. `disconnect`).
    #[arg(long)]
    hook: Option<String>,
    /// Load the hook's globals from this fixture.
    #[arg(long, requires = "hook")]
    fixture: Option<std::path::PathBuf>,
}

const HELP: &str = "\
Enter HSL statements; an expression without `;` echoes its value. Variables, functions and classes
persist between entries. Braces, brackets and parentheses left open continue on the next line.
  :load FILE      run a file in this session
  :hook NAME      use a hook's globals and actions (e.g. disconnect)
  :fixture FILE   load the hook's globals from a fixture (JSON or YAML)
  :vars           list the session's variables
  :help           this text
  :quit           leave (or Ctrl-D)";

struct Session {
    engine: Engine,
    hook: Option<String>,
    inputs: HookInputs,
    /// Session variables by name, in first-assignment order.
    variables: Vec<(String, Option<Value>)>,
    /// Source of every function and class declared so far.
    declarations: String,
    entries: usize,
}

impl Session {
    fn new(hook: Option<String>) -> Session {
        Session {
            engine: Engine::new(),
            hook,
            inputs: HookInputs::default(),
            variables: Vec::new(),
            declarations: String::new(),
            entries: 0,
        }
    }

    fn hook_inputs(&self) -> Vec<Option<Value>> {
        let Some(spec) = self.hook.as_deref().and_then(|name| self.engine.hook(name)) else { return Vec::new() };
        (0..spec.globals.len())
            .map(|index| self.inputs.values.get(index).cloned().flatten().or_else(|| Some(spec.default_value(index))))
            .collect()
    }

    /// Compiles and runs one entry; prints output and diagnostics. Returns false when it failed.
    fn eval(&mut self, entry: &str, out: &mut dyn Write) -> bool {
        self.entries += 1;
        let name = format!("<repl:{}>", self.entries);
        let parsed = crate::syntax::parse(&crate::source::SourceFile::new(name.as_str(), entry));
        let mut body = entry.to_string();
        if let Ok(script) = &parsed {
            if !script.body.is_empty()
                && script.body.iter().all(|s| matches!(s.kind, StmtKind::Function(_) | StmtKind::Class(_)))
            {
                return self.declare(entry, &name, out);
            }
        } else {
            // Not a statement list: try it as an expression to echo.
            let as_echo = format!("echo {};", entry.trim().trim_end_matches(';'));
            if crate::syntax::parse(&crate::source::SourceFile::new(name.as_str(), as_echo.as_str())).is_ok() {
                body = as_echo;
            }
        }
        let source = format!("{}\n{body}", self.declarations);
        let names: Vec<String> = self.variables.iter().map(|(n, _)| n.clone()).collect();
        let script = match self.engine.compile_session(&name, &source, self.hook.as_deref(), &names) {
            Ok(script) => script,
            Err(diagnostics) => {
                for diagnostic in &diagnostics.0 {
                    let _ = write!(out, "{}", render(diagnostic));
                }
                return false;
            }
        };
        let global_names: Vec<String> = script.global_names().iter().map(|n| n.to_string()).collect();
        let mut values = self.hook_inputs();
        for name in global_names.iter().skip(values.len()) {
            let value = self.variables.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.clone());
            values.push(value);
        }
        let mut output = WriteOutput(&mut *out);
        let result = script.run_raw(values, &mut output, &RunOptions::default());
        let hook_count = self.hook_inputs().len();
        for (index, value) in result.globals.into_iter().enumerate() {
            let Some(name) = global_names.get(index) else { continue };
            if index < hook_count {
                if let Some(slot) = self.inputs.values.get_mut(index) {
                    *slot = value;
                }
                continue;
            }
            match self.variables.iter_mut().find(|(n, _)| n == name) {
                Some(entry) => entry.1 = value,
                None => self.variables.push((name.clone(), value)),
            }
        }
        match result.ending {
            crate::eval::Ending::Failed(error) => {
                let _ = write!(out, "{}", render(&script.report(*error)));
                false
            }
            crate::eval::Ending::Action { name, .. } => {
                let _ = writeln!(out, "({} was called; the session goes on)", name);
                true
            }
            crate::eval::Ending::Finished => true,
        }
    }

    fn declare(&mut self, entry: &str, name: &str, out: &mut dyn Write) -> bool {
        let source = format!("{}\n{entry}", self.declarations);
        let names: Vec<String> = self.variables.iter().map(|(n, _)| n.clone()).collect();
        match self.engine.compile_session(name, &source, self.hook.as_deref(), &names) {
            Ok(_) => {
                self.declarations = source;
                true
            }
            Err(diagnostics) => {
                for diagnostic in &diagnostics.0 {
                    let _ = write!(out, "{}", render(diagnostic));
                }
                false
            }
        }
    }

    fn command(&mut self, line: &str, out: &mut dyn Write) -> bool {
        let (command, argument) = line.split_once(' ').map_or((line, ""), |(c, a)| (c, a.trim()));
        match command {
            ":help" => {
                let _ = writeln!(out, "{HELP}");
            }
            ":quit" | ":q" => return false,
            ":vars" => {
                for (name, value) in &self.variables {
                    let shown = value.as_ref().map_or("(unset)".to_string(), Value::to_display_string);
                    let _ = writeln!(out, "${name} = {shown}");
                }
            }
            ":hook" => {
                if self.engine.hook(argument).is_some() {
                    self.hook = Some(argument.to_string());
                    self.inputs = HookInputs::default();
                } else {
                    let _ = writeln!(out, "unknown hook `{argument}`");
                }
            }
            ":fixture" => {
                let hook = self.hook.get_or_insert_with(|| "disconnect".to_string()).clone();
                let Some(spec) = self.engine.hook(&hook) else { return true };
                match load_fixture(spec, Path::new(argument)) {
                    Ok(inputs) => {
                        self.inputs = inputs;
                        let _ = writeln!(out, "loaded the {hook} globals from {argument}");
                    }
                    Err(diagnostics) => {
                        for diagnostic in &diagnostics {
                            let _ = write!(out, "{}", render(diagnostic));
                        }
                    }
                }
            }
            ":load" => match std::fs::read_to_string(argument) {
                Ok(text) => {
                    self.eval(&text, out);
                }
                Err(error) => {
                    let _ = writeln!(out, "cannot read {argument}: {error}");
                }
            },
            other => {
                let _ = writeln!(out, "unknown command `{other}` (try :help)");
            }
        }
        true
    }
}

/// How many brackets the text leaves open (strings and comments are skipped roughly).
fn open_brackets(text: &str) -> i64 {
    let mut depth = 0i64;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') => quote = Some('"'),
            (None, '/') if chars.peek() == Some(&'/') => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        break;
                    }
                }
            }
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    depth
}

pub fn repl(args: ReplArgs) -> u8 {
    let mut session = Session::new(args.hook.clone());
    if let Some(hook) = &args.hook
        && session.engine.hook(hook).is_none()
    {
        eprintln!("hsl: unknown hook `{hook}`");
        return EXIT_USAGE;
    }
    let stdout = std::io::stdout();
    if let Some(fixture) = &args.fixture {
        session.command(&format!(":fixture {}", fixture.display()), &mut stdout.lock());
    }
    let interactive = std::io::stdin().is_terminal();
    let mut editor = if interactive { rustyline::DefaultEditor::new().ok() } else { None };
    if editor.is_some() {
        println!("hsl repl — :help for commands, Ctrl-D to leave");
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "hsl> " } else { "...> " };
        let line = match &mut editor {
            Some(editor) => match editor.readline(prompt) {
                Ok(line) => {
                    let _ = editor.add_history_entry(line.as_str());
                    line
                }
                Err(rustyline::error::ReadlineError::Interrupted) => {
                    pending.clear();
                    continue;
                }
                Err(_) => break,
            },
            None => match lines.next() {
                Some(Ok(line)) => line,
                _ => break,
            },
        };
        if pending.is_empty() && line.trim_start().starts_with(':') {
            if !session.command(line.trim(), &mut stdout.lock()) {
                break;
            }
            continue;
        }
        pending.push_str(&line);
        pending.push('\n');
        if open_brackets(&pending) > 0 {
            continue;
        }
        let entry = std::mem::take(&mut pending);
        if entry.trim().is_empty() {
            continue;
        }
        session.eval(&entry, &mut stdout.lock());
    }
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_are_counted_outside_strings() {
        assert_eq!(open_brackets("function f() {"), 1);
        assert_eq!(open_brackets("echo \"{\";"), 0);
        assert_eq!(open_brackets("$a = [1, // [\n"), 1);
    }

    #[test]
    fn variables_and_functions_persist() {
        let mut session = Session::new(None);
        let mut out = Vec::new();
        assert!(session.eval("$x = 20;", &mut out));
        assert!(session.eval("function twice($v) { return $v * 2; }", &mut out));
        assert!(session.eval("echo twice($x) + 2;", &mut out));
        assert!(session.eval("$x + 1", &mut out));
        assert!(!session.eval("echo none + 1;", &mut out));
        assert!(session.eval("echo $x;", &mut out));
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("42\n21\n"), "{text}");
        assert!(text.ends_with("20\n"), "{text}");
    }
}
