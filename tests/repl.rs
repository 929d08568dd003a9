//! `hsl repl` driven through stdin: state persists, multi-line input works, errors do not end the session.

use std::io::Write;
use std::process::{Command, Stdio};

fn session(input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hsl"))
        .args(["repl", "--hook", "disconnect", "--fixture", "examples/disconnect/fixtures/quit.json"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("hsl repl starts");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("hsl repl ends");
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_session_keeps_state_across_entries_and_errors() {
    let output = session(
        "$greeting = \"hello\";\n\
         echo $greeting . \" world\";\n\
         function shout($text) {\n\
           return str_upper($text) . \"!\";\n\
         }\n\
         echo shout($greeting);\n\
         echo $undefined_thing;\n\
         echo none + 1;\n\
         $arguments[\"close\"]\n\
         length($greeting) * 2\n",
    );
    let lines: Vec<&str> = output.lines().collect();
    assert!(lines.contains(&"hello world"), "{output}");
    assert!(lines.contains(&"HELLO!"), "{output}");
    assert!(output.contains("hsl::check::undefined_variable"), "{output}");
    assert!(output.contains("hsl::runtime::type_error"), "{output}");
    assert!(lines.contains(&"remote"), "hook globals come from the fixture: {output}");
    assert_eq!(lines.last(), Some(&"10"), "the session goes on after errors: {output}");
}
