//! `hsl test [PATH...]`: runs `*.test.yaml` suites (scripts against fixtures, with expectations) in
//! parallel and reports in a stable order as text, TAP, JUnit XML or JSON.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Args, ValueEnum};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::render::render_plain;
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::Engine;
use crate::hook::fixture::{inputs_from_json, load_fixture};

#[derive(Args)]
pub struct TestArgs {
    /// Files or directories to search for `*.test.yaml` suites (default: the current directory).
    paths: Vec<PathBuf>,
    /// Run only cases whose `suite::case` name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    format: ReportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Tap,
    Junit,
    Json,
}

/// A suite file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    script: Option<PathBuf>,
    hook: Option<String>,
    time: Option<f64>,
    seed: Option<u64>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    script: Option<PathBuf>,
    hook: Option<String>,
    fixture: Option<Fixture>,
    #[serde(default)]
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Fixture {
    Path(PathBuf),
    Inline(Json),
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    outcome: Option<How>,
    echo: Option<String>,
    echo_contains: Option<Vec<String>>,
    echo_matches: Option<String>,
    #[serde(default, deserialize_with = "present")]
    context: Option<Json>,
    context_subset: Option<Json>,
    error_kind: Option<String>,
    error_message: Option<String>,
}

/// Distinguishes `context: null` (expect none) from a missing key.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(deserializer).map(Some)
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum How {
    Explicit,
    Implicit,
    Error,
}

/// One case to run, or a suite that could not be loaded.
struct Job {
    suite: PathBuf,
    name: String,
    work: Work,
}

enum Work {
    Run(Box<Run>),
    Broken(String),
}

struct Run {
    script: PathBuf,
    hook: Option<String>,
    fixture: Option<Fixture>,
    expect: Expect,
    time: Option<f64>,
    seed: Option<u64>,
}

struct Outcome {
    suite: PathBuf,
    name: String,
    failures: Vec<String>,
    seconds: f64,
}

fn find_suites(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if entry.is_dir() && !name.starts_with('.') && name != "target" {
            find_suites(&entry, out);
        } else if name.ends_with(".test.yaml") || name.ends_with(".test.yml") {
            out.push(entry);
        }
    }
}

fn load_jobs(suite_path: &Path, filter: Option<&str>) -> Vec<Job> {
    let broken = |message: String| {
        vec![Job { suite: suite_path.to_path_buf(), name: "(suite)".into(), work: Work::Broken(message) }]
    };
    let text = match std::fs::read_to_string(suite_path) {
        Ok(text) => text,
        Err(error) => return broken(format!("cannot read suite: {error}")),
    };
    let suite: Suite = match serde_norway::from_str(&text) {
        Ok(suite) => suite,
        Err(error) => {
            let location = error.location().map(|l| format!("{}:{}: ", l.line(), l.column())).unwrap_or_default();
            return broken(format!("{}:{location}malformed suite: {error}", suite_path.display()));
        }
    };
    let base = suite_path.parent().unwrap_or(Path::new("."));
    suite
        .cases
        .into_iter()
        .filter(|case| filter.is_none_or(|f| format!("{}::{}", suite_path.display(), case.name).contains(f)))
        .map(|case| {
            let work = match case.script.as_ref().or(suite.script.as_ref()) {
                None => Work::Broken("no script given for this case (set `script` on the suite or the case)".into()),
                Some(script) => Work::Run(Box::new(Run {
                    script: base.join(script),
                    hook: case.hook.or_else(|| suite.hook.clone()),
                    fixture: case.fixture.map(|fixture| match fixture {
                        Fixture::Path(path) => Fixture::Path(base.join(path)),
                        inline => inline,
                    }),
                    expect: case.expect,
                    time: suite.time,
                    seed: suite.seed,
                })),
            };
            Job { suite: suite_path.to_path_buf(), name: case.name, work }
        })
        .collect()
}

/// Compiled scripts shared by the cases that use them.
type ScriptCache = Mutex<HashMap<(PathBuf, Option<String>), Result<crate::Script, String>>>;

fn run_job(engine: &Engine, scripts: &ScriptCache, job: &Job) -> Vec<String> {
    let (script_path, hook, fixture, expect) = match &job.work {
        Work::Broken(message) => return vec![message.clone()],
        Work::Run(run) => (&run.script, &run.hook, &run.fixture, &run.expect),
    };
    let key = (script_path.clone(), hook.clone());
    let compiled = {
        let mut cache = scripts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .entry(key)
            .or_insert_with(|| {
                engine
                    .compile_file(script_path, hook.as_deref())
                    .map_err(|diagnostics| diagnostics.0.iter().map(|d| render_plain(d)).collect::<Vec<_>>().join("\n"))
            })
            .clone()
    };
    let script = match compiled {
        Ok(script) => script,
        Err(rendered) => return vec![format!("the script does not compile:\n{rendered}")],
    };
    let inputs = match (script.hook(), fixture) {
        (Some(spec), Some(Fixture::Path(path))) => match load_fixture(spec, path) {
            Ok(inputs) => inputs,
            Err(diagnostics) => {
                return vec![format!(
                    "bad fixture:\n{}",
                    diagnostics.iter().map(|d| render_plain(d)).collect::<Vec<_>>().join("\n")
                )];
            }
        },
        (Some(spec), inline) => {
            let json = match inline {
                Some(Fixture::Inline(json)) => json.clone(),
                _ => json!({}),
            };
            match inputs_from_json(spec, &json, job.suite.parent().unwrap_or(Path::new("."))) {
                Ok(inputs) => inputs,
                Err(errors) => {
                    return errors
                        .into_iter()
                        .map(|e| format!("bad inline fixture: {}: {}", e.path, e.message))
                        .collect();
                }
            }
        }
        (None, _) => Default::default(),
    };
    let mut echo = Vec::new();
    let outcome = script.run_hook(&inputs, &mut echo, &Default::default());
    let echo = String::from_utf8_lossy(&echo).into_owned();
    let mut failures = Vec::new();
    let how = outcome.how.name();
    if let Some(expected) = expect.outcome {
        let expected = match expected {
            How::Explicit => "explicit",
            How::Implicit => "implicit",
            How::Error => "error",
        };
        if expected != how {
            let error = outcome.error().map(|e| format!(" ({})", e.message)).unwrap_or_default();
            failures.push(format!("outcome: expected {expected}, got {how}{error}"));
        }
    }
    if let Some(expected) = &expect.echo
        && *expected != echo
    {
        failures.push(format!("echo differs:\n{}", diff(expected, &echo)));
    }
    for line in expect.echo_contains.iter().flatten() {
        if !echo.lines().any(|l| l.contains(line.as_str())) {
            failures.push(format!("echo has no line containing {line:?}; echo was:\n{echo}"));
        }
    }
    if let Some(pattern) = &expect.echo_matches {
        match pcre2::bytes::RegexBuilder::new().multi_line(true).build(pattern) {
            Ok(regex) if regex.is_match(echo.as_bytes()).unwrap_or(false) => {}
            Ok(_) => failures.push(format!("echo does not match /{pattern}/; echo was:\n{echo}")),
            Err(error) => failures.push(format!("invalid echo_matches pattern: {error}")),
        }
    }
    let context = crate::value::json::to_json(outcome.context());
    if let Some(expected) = &expect.context
        && *expected != context
    {
        failures.push(format!("context differs:\n{}", diff(&pretty(expected), &pretty(&context))));
    }
    if let Some(subset) = &expect.context_subset
        && !is_subset(subset, &context)
    {
        failures.push(format!(
            "context does not contain the expected subset:\n{}",
            diff(&pretty(subset), &pretty(&context))
        ));
    }
    let error = outcome.error();
    if let Some(kind) = &expect.error_kind {
        let actual = error.map(|e| e.kind.name());
        if actual != Some(kind.as_str()) {
            failures.push(format!("error kind: expected {kind}, got {}", actual.unwrap_or("no error")));
        }
    }
    if let Some(text) = &expect.error_message {
        let actual = error.map(|e| e.message.clone()).unwrap_or_default();
        if !actual.contains(text.as_str()) {
            failures.push(format!("error message does not contain {text:?}: {actual:?}"));
        }
    }
    failures
}

fn pretty(json: &Json) -> String {
    serde_json::to_string_pretty(json).unwrap_or_default() + "\n"
}

fn is_subset(subset: &Json, actual: &Json) -> bool {
    match (subset, actual) {
        (Json::Object(expected), Json::Object(actual)) => {
            expected.iter().all(|(key, value)| actual.get(key).is_some_and(|a| is_subset(value, a)))
        }
        _ => subset == actual,
    }
}

fn diff(expected: &str, actual: &str) -> String {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let diff = similar::TextDiff::from_lines(expected, actual);
    let mut out = String::from("--- expected\n+++ actual\n");
    for change in diff.iter_all_changes() {
        let (sign, start, end) = match change.tag() {
            similar::ChangeTag::Delete => ("-", "\x1b[31m", "\x1b[0m"),
            similar::ChangeTag::Insert => ("+", "\x1b[32m", "\x1b[0m"),
            similar::ChangeTag::Equal => (" ", "", ""),
        };
        let line = change.to_string_lossy();
        let newline = if line.ends_with('\n') { "" } else { "\n\\ no newline at end\n" };
        if colour && !start.is_empty() {
            out.push_str(&format!("{start}{sign}{line}{end}{newline}"));
        } else {
            out.push_str(&format!("{sign}{line}{newline}"));
        }
    }
    out
}

pub fn test(args: TestArgs) -> u8 {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut suites = Vec::new();
    for path in &paths {
        if !path.exists() {
            eprintln!("hsl: no such file or directory: {}", path.display());
            return EXIT_USAGE;
        }
        find_suites(path, &mut suites);
    }
    let jobs: Vec<Job> = suites.iter().flat_map(|suite| load_jobs(suite, args.filter.as_deref())).collect();
    let scripts: ScriptCache = Mutex::new(HashMap::new());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(jobs.len().max(1));
    let engines: HashMap<(Option<u64>, Option<u64>), Engine> = jobs
        .iter()
        .filter_map(|job| match &job.work {
            Work::Run(run) => Some((run.time.map(f64::to_bits), run.seed)),
            Work::Broken(_) => None,
        })
        .map(|(time, seed)| {
            let mut builder = Engine::builder();
            if let Some(time) = time {
                builder = builder.fixed_time(f64::from_bits(time));
            }
            if let Some(seed) = seed {
                builder = builder.seed(seed);
            }
            ((time, seed), builder.build())
        })
        .collect();
    let default_engine = Engine::new();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else { break };
                    let engine = match &job.work {
                        Work::Run(run) => {
                            engines.get(&(run.time.map(f64::to_bits), run.seed)).unwrap_or(&default_engine)
                        }
                        Work::Broken(_) => &default_engine,
                    };
                    let started = std::time::Instant::now();
                    let failures = run_job(engine, &scripts, job);
                    let outcome = Outcome {
                        suite: job.suite.clone(),
                        name: job.name.clone(),
                        failures,
                        seconds: started.elapsed().as_secs_f64(),
                    };
                    results.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(outcome);
                }
            });
        }
    });
    let results: Vec<Outcome> = results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect();
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    let passed = results.len() - failed;
    match args.format {
        ReportFormat::Text => report_text(&results),
        ReportFormat::Tap => report_tap(&results),
        ReportFormat::Junit => report_junit(&results),
        ReportFormat::Json => report_json(&results),
    }
    if args.format == ReportFormat::Text || args.format == ReportFormat::Tap {
        println!("{passed} passed, {failed} failed");
    }
    if failed > 0 { EXIT_FAILED } else { EXIT_OK }
}

fn label(result: &Outcome) -> String {
    format!("{}::{}", result.suite.display(), result.name)
}

fn report_text(results: &[Outcome]) {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (ok, fail) = if colour { ("\x1b[32mok\x1b[0m", "\x1b[31mFAIL\x1b[0m") } else { ("ok", "FAIL") };
    for result in results {
        println!("{} {}", if result.failures.is_empty() { ok } else { fail }, label(result));
    }
    for result in results.iter().filter(|r| !r.failures.is_empty()) {
        println!("\n==== {}", label(result));
        for failure in &result.failures {
            println!("{failure}");
        }
    }
}

fn report_tap(results: &[Outcome]) {
    println!("TAP version 13\n1..{}", results.len());
    for (index, result) in results.iter().enumerate() {
        if result.failures.is_empty() {
            println!("ok {} - {}", index + 1, label(result));
        } else {
            println!("not ok {} - {}", index + 1, label(result));
            println!("  ---\n  message: |");
            for line in result.failures.join("\n").lines() {
                println!("    {line}");
            }
            println!("  ...");
        }
    }
}

fn report_junit(results: &[Outcome]) {
    use quick_xml::escape::escape;
    let mut by_suite: Vec<(&Path, Vec<&Outcome>)> = Vec::new();
    for result in results {
        match by_suite.iter_mut().find(|(suite, _)| *suite == result.suite.as_path()) {
            Some((_, list)) => list.push(result),
            None => by_suite.push((&result.suite, vec![result])),
        }
    }
    let failures = results.iter().filter(|r| !r.failures.is_empty()).count();
    println!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    println!("<testsuites name=\"hsl\" tests=\"{}\" failures=\"{failures}\">", results.len());
    for (suite, cases) in by_suite {
        let suite_failures = cases.iter().filter(|r| !r.failures.is_empty()).count();
        let name = suite.display().to_string();
        println!("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failures}\">", escape(&name), cases.len());
        for case in cases {
            print!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.6}\"",
                escape(&name),
                escape(&case.name),
                case.seconds
            );
            if case.failures.is_empty() {
                println!("/>");
            } else {
                let message = case.failures.first().map(|f| f.lines().next().unwrap_or("")).unwrap_or("");
                println!(">");
                println!(
                    "      <failure message=\"{}\">{}</failure>",
                    escape(message),
                    escape(case.failures.join("\n"))
                );
                println!("    </testcase>");
            }
        }
        println!("  </testsuite>");
    }
    println!("</testsuites>");
}

fn report_json(results: &[Outcome]) {
    let cases: Vec<Json> = results
        .iter()
        .map(|r| {
            json!({
                "suite": r.suite.display().to_string(),
                "name": r.name,
                "passed": r.failures.is_empty(),
                "failures": r.failures,
                "seconds": r.seconds,
            })
        })
        .collect();
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    let document = json!({ "passed": results.len() - failed, "failed": failed, "cases": cases });
    println!("{document}");
}
