//! The real `hsl` binary: exit codes, output formats and the test runner.

use std::process::{Command, Output};

fn hsl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hsl")).args(args).env("NO_COLOR", "1").output().expect("hsl runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const QUIT: &str = "examples/disconnect/fixtures/quit.json";

#[test]
fn run_prints_echo_and_the_outcome() {
    let output = hsl(&["run", "--hook", "disconnect", "--fixture", QUIT, "examples/disconnect/log_close.hsl"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "closed by remote, last reply 221 2.0.0 (success) in state QUIT: Bye\n");
    assert!(stderr(&output).ends_with("pass (explicit)\n"), "{}", stderr(&output));
}

#[test]
fn run_json_reports_the_outcome() {
    let output = hsl(&[
        "run",
        "--hook",
        "disconnect",
        "--fixture",
        "examples/disconnect/fixtures/reset.json",
        "--format",
        "json",
        "examples/disconnect/runtime_error.hsl",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["outcome"], "pass");
    assert_eq!(json["how"], "error");
    assert_eq!(json["context"]["auth_failures"], 5);
    assert_eq!(json["error"]["kind"], "type");
    assert_eq!(json["error"]["line"], 3);
    assert_eq!(json["error"]["file"], "examples/disconnect/runtime_error.hsl");
}

#[test]
fn run_exit_codes() {
    let dir = std::env::temp_dir().join(format!("hsl-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let ok = write("ok.hsl", "echo 1 + 1;");
    let failing = write("fail.hsl", "echo none + 1;");
    let broken = write("broken.hsl", "echo (1;");
    let bad_fixture = write("bad.json", r#"{"arguments": {"close": 5}, "connection": {"id": "x", "serverid": "s"}}"#);
    assert_eq!(hsl(&["run", &ok]).status.code(), Some(0));
    assert_eq!(stdout(&hsl(&["run", &ok])), "2\n");
    let output = hsl(&["run", &failing]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("hsl::runtime::type_error"));
    assert_eq!(hsl(&["run", &broken]).status.code(), Some(2));
    let output = hsl(&["run", "--hook", "disconnect", "--fixture", &bad_fixture, &ok]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("arguments.close: expected a string, found a number"), "{}", stderr(&output));
    let hoard = write("hoard.hsl", r#"$kept = []; forever { $kept[] = str_repeat("x", 4096); }"#);
    let output = hsl(&["run", "--max-memory", "4000000", &hoard]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("limit exceeded (memory)"), "{}", stderr(&output));
    assert_eq!(hsl(&["run", "--hook", "nope", &ok]).status.code(), Some(2));
    assert_eq!(hsl(&["run"]).status.code(), Some(2));
    assert_eq!(hsl(&["frobnicate"]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_text_and_json() {
    let output = hsl(&["check", "tests/run/errors/syntax_missing_semicolon.hsl"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("hsl::syntax::unexpected_token"));
    assert!(stderr(&output).contains("perhaps a `;` is missing here"), "{}", stderr(&output));
    let output = hsl(&["check", "--format", "json", "tests/run/errors/unknown_function.hsl"]);
    let line: serde_json::Value = serde_json::from_str(stdout(&output).lines().next().expect("a line")).expect("JSON");
    assert_eq!(line["code"], "hsl::check::unknown_function");
    assert_eq!(line["line"], 2);
    assert_eq!(line["column"], 6);
    assert_eq!(line["severity"], "error");
    assert_eq!(hsl(&["check", "--hook", "disconnect", "examples/disconnect/log_close.hsl"]).status.code(), Some(0));
    let output = hsl(&["check", "examples/disconnect/log_close.hsl"]);
    assert_eq!(output.status.code(), Some(1), "without the hook, $arguments is unknown");
}

#[test]
fn test_runner_passes_on_the_examples() {
    let output = hsl(&["test", "examples/"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).lines().last().is_some_and(|l| l.ends_with("passed, 0 failed")));
}

#[test]
fn test_runner_shows_the_diff_of_a_failing_case() {
    let output = hsl(&["test", "tests/suites/failing.test.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("FAIL tests/suites/failing.test.yaml::fails on purpose"));
    assert!(text.contains("-closed by somebody else\n+closed by remote"), "{text}");
    assert!(text.ends_with("1 passed, 1 failed\n"));
}

#[test]
fn test_runner_writes_junit_that_parses() {
    let output = hsl(&["test", "--format", "junit", "tests/suites/failing.test.yaml"]);
    let xml = stdout(&output);
    let document = roxmltree::Document::parse(&xml).expect("valid XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("2"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let failures = document.descendants().filter(|n| n.has_tag_name("failure")).count();
    assert_eq!(failures, 1);
}

#[test]
fn test_runner_reports_malformed_suites_with_their_line() {
    let output = hsl(&["test", "tests/suites/malformed"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("broken.test.yaml:4:5: malformed suite"), "{}", stdout(&output));
}

#[test]
fn test_runner_filters_and_formats() {
    let output = hsl(&["test", "--filter", "QUIT", "--format", "tap", "examples/"]);
    let text = stdout(&output);
    assert!(text.starts_with("TAP version 13\n1..1\nok 1 - "), "{text}");
    let output = hsl(&["test", "--format", "json", "examples/disconnect/log_close.test.yaml"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["failed"], 0);
}

#[test]
fn doc_prints_a_function() {
    let output = hsl(&["doc", "str_split"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("str_split(string s, string delimiter, number limit = 0) → array"));
    assert_eq!(hsl(&["doc", "no_such_function"]).status.code(), Some(1));
    assert!(stdout(&hsl(&["doc", "X509"])).contains("subject_alt_name"));
}
