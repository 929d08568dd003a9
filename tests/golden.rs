//! File-based golden tests.
//!
//! - `tests/run/**/NAME.hsl`: run as a plain script; the transcript (echo output, then a compile or runtime
//!   error line if any) must equal `NAME.out` (clean run) or `NAME.err` (the run failed).
//! - `tests/hooks/<hook>/NAME.hsl` with `NAME.fixture.json`: run as a hook; the outcome JSON (as printed by
//!   `hsl run --format json`) must equal `NAME.outcome.json`.
//!
//! Regenerate every expected file with `HSL_BLESS=1 cargo test --test golden`, then review the diff.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hsl::Engine;
use hsl::hook::fixture::load_fixture;

fn files(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, extension, out);
        } else if path.to_string_lossy().ends_with(extension) && !path.to_string_lossy().ends_with(".inc.hsl") {
            out.push(path);
        }
    }
}

fn engine() -> Engine {
    Engine::builder().fixed_time(1_700_000_000.0).seed(7).hostname("mx.example").build()
}

/// The transcript of running one plain script.
fn transcript(engine: &Engine, path: &Path) -> (String, bool) {
    let mut text = String::new();
    let script = match engine.compile_file(path, None) {
        Ok(script) => script,
        Err(diagnostics) => {
            for diagnostic in &diagnostics.0 {
                let (line, column) = diagnostic.file.line_column(diagnostic.span().start);
                let _ = writeln!(text, "compile error {}: {} @ {line}:{column}", diagnostic.code, diagnostic.message);
            }
            return (text, false);
        }
    };
    let mut output = Vec::new();
    let result = script.run(&mut output);
    text.push_str(&String::from_utf8_lossy(&output));
    match result {
        Ok(()) => (text, true),
        Err(error) => {
            let report = script.report(*error);
            let (line, column) = report.line_column();
            let _ = writeln!(
                text,
                "runtime error {}: {} @ {line}:{column}",
                report.error.kind.code(),
                report.error.message
            );
            (text, false)
        }
    }
}

fn hook_outcome(engine: &Engine, hook: &str, script_path: &Path, fixture: &Path) -> String {
    let spec = engine.hook(hook).expect("known hook");
    let inputs = match load_fixture(spec, fixture) {
        Ok(inputs) => inputs,
        Err(diagnostics) => {
            return diagnostics.iter().map(|d| format!("fixture error {}: {}\n", d.code, d.message)).collect();
        }
    };
    let script = match engine.compile_file(script_path, Some(hook)) {
        Ok(script) => script,
        Err(diagnostics) => {
            return diagnostics.0.iter().map(|d| format!("compile error {}: {}\n", d.code, d.message)).collect();
        }
    };
    let mut echo = Vec::new();
    let outcome = script.run_hook(&inputs, &mut echo, &Default::default());
    let error = outcome.error().map(|error| {
        let report = script.report(error.clone());
        let (line, column) = report.line_column();
        serde_json::json!({
            "kind": report.error.kind.name(),
            "code": report.error.kind.code(),
            "message": report.error.message,
            "line": line,
            "column": column,
        })
    });
    let value = serde_json::json!({
        "outcome": outcome.action.to_lowercase(),
        "how": outcome.how.name(),
        "echo": String::from_utf8_lossy(&echo),
        "context": hsl::value::json::to_json(outcome.context()),
        "error": error,
    });
    serde_json::to_string_pretty(&value).expect("JSON") + "\n"
}

fn compare(expected_path: &Path, actual: &str, failures: &mut Vec<String>) {
    let bless = std::env::var_os("HSL_BLESS").is_some();
    let expected = std::fs::read_to_string(expected_path).ok();
    if expected.as_deref() == Some(actual) {
        return;
    }
    if bless {
        std::fs::write(expected_path, actual).expect("write expected file");
        return;
    }
    failures.push(format!(
        "{}:\n--- expected\n{}--- actual\n{}",
        expected_path.display(),
        expected.unwrap_or_else(|| "<missing>\n".into()),
        actual
    ));
}

#[test]
fn run_goldens() {
    let engine = engine();
    let mut scripts = Vec::new();
    files(Path::new("tests/run"), ".hsl", &mut scripts);
    assert!(scripts.len() > 10, "the golden corpus went missing");
    let mut failures = Vec::new();
    for script in &scripts {
        let (text, clean) = transcript(&engine, script);
        let out = script.with_extension("out");
        let err = script.with_extension("err");
        let (expected, stale) = if clean { (out, err) } else { (err, out) };
        if std::env::var_os("HSL_BLESS").is_some() {
            let _ = std::fs::remove_file(&stale);
        } else if stale.exists() {
            failures.push(format!("{}: expected the other outcome ({} exists)", script.display(), stale.display()));
            continue;
        }
        compare(&expected, &text, &mut failures);
    }
    assert!(failures.is_empty(), "{} of {} goldens differ:\n\n{}", failures.len(), scripts.len(), failures.join("\n"));
}

#[test]
fn hook_goldens() {
    let engine = engine();
    let mut scripts = Vec::new();
    files(Path::new("tests/hooks"), ".hsl", &mut scripts);
    let mut failures = Vec::new();
    for script in &scripts {
        let hook = script.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("");
        let fixture = script.with_extension("fixture.json");
        let actual = hook_outcome(&engine, hook, script, &fixture);
        compare(&script.with_extension("outcome.json"), &actual, &mut failures);
    }
    assert!(failures.is_empty(), "{} hook goldens differ:\n\n{}", failures.len(), failures.join("\n"));
}
