//! The public embedding API: one compiled script shared by many threads, hooks with inputs from Rust,
//! host functions, limits and interruption.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hsl::hook::fixture::{HookInputs, inputs_from_json};
use hsl::{Engine, ErrorKind, LimitKind, Limits, RunOptions, Value};
use serde_json::json;

fn disconnect_inputs(engine: &Engine, close: &str, port: u32) -> HookInputs {
    let spec = engine.hook("disconnect").expect("built-in hook");
    inputs_from_json(
        spec,
        &json!({
            "arguments": {"close": close},
            "connection": {"id": format!("conn-{port}"), "serverid": "inbound", "remoteip": "192.0.2.1", "remoteport": port},
            "context": {"seen": port % 7},
        }),
        std::path::Path::new("."),
    )
    .expect("valid inputs")
}

#[test]
fn one_script_runs_on_eight_threads_with_the_same_output() {
    let engine = Engine::new();
    let script = engine
        .compile(
            "shared.hsl",
            r#"
            function fib($n) { return $n < 2 ? $n : fib($n - 1) + fib($n - 2); }
            $words = [];
            foreach (["a", "b", "c"] as $i => $w) { $words[] = "$i:$w"; }
            echo array_join($words, ",") . " " . fib(15);
            "#,
        )
        .expect("compiles");
    let expected = script.run_to_string().expect("runs");
    assert_eq!(expected, "0:a,1:b,2:c 610\n");
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let script = script.clone();
            std::thread::spawn(move || (0..50).map(|_| script.run_to_string().expect("runs")).collect::<Vec<_>>())
        })
        .collect();
    for handle in handles {
        for output in handle.join().expect("thread") {
            assert_eq!(output, expected);
        }
    }
}

#[test]
fn disconnect_script_runs_100k_times_from_four_threads() {
    let engine = Engine::new();
    let script = engine
        .compile_hook(
            "disconnect",
            "count.hsl",
            r#"
            $context["seen"] = $context["seen"] + 1;
            if ($arguments["close"] == "local") Pass();
            $context["port"] = $connection["remoteport"];
            "#,
        )
        .expect("compiles");
    let handles: Vec<_> = (0..4u32)
        .map(|thread| {
            let script = script.clone();
            let engine = engine.clone();
            std::thread::spawn(move || {
                let inputs: Vec<HookInputs> = (0..16u32)
                    .map(|i| {
                        disconnect_inputs(
                            &engine,
                            if i.is_multiple_of(2) { "local" } else { "remote" },
                            thread * 100 + i,
                        )
                    })
                    .collect();
                let mut checked = 0u32;
                for run in 0..25_000u32 {
                    let i = (run % 16) as usize;
                    let port = thread * 100 + i as u32;
                    let outcome = script.run_hook(&inputs[i], &mut hsl::output::Discard, &RunOptions::default());
                    let context = outcome.context();
                    let seen = context.as_array().and_then(|a| a.get(hsl::value::KeyRef::Str(b"seen"))).cloned();
                    assert_eq!(seen.map(|v| v.to_number()), Some(f64::from(port % 7 + 1)));
                    if i.is_multiple_of(2) {
                        assert_eq!(outcome.how.name(), "explicit");
                    } else {
                        assert_eq!(outcome.how.name(), "implicit");
                        let saved = context.as_array().and_then(|a| a.get(hsl::value::KeyRef::Str(b"port"))).cloned();
                        assert_eq!(saved.map(|v| v.to_number()), Some(f64::from(port)));
                    }
                    checked += 1;
                }
                checked
            })
        })
        .collect();
    let total: u32 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    assert_eq!(total, 100_000);
}

#[test]
fn host_functions_are_callable() {
    let engine = Engine::builder()
        .function("reputation", 1, 1, |_, args| {
            let ip = args.string(0)?;
            Ok(Value::number(if ip.as_bytes().starts_with(b"192.0.2.") { 10.0 } else { 90.0 }))
        })
        .build();
    let script = engine.compile("host.hsl", r#"echo reputation("192.0.2.7") + reputation("8.8.8.8");"#).expect("ok");
    assert_eq!(script.run_to_string().expect("runs"), "100\n");
    let error = engine.compile("host.hsl", r#"echo reputation();"#).err().expect("arity is checked");
    assert_eq!(error.0[0].code, "hsl::check::wrong_argument_count");
}

#[test]
fn an_endless_loop_is_stopped_by_the_operation_budget() {
    let limits = Limits { max_operations: Some(10_000), ..Limits::default() };
    let engine = Engine::builder().limits(limits).build();
    let script = engine.compile("loop.hsl", "while (true) {}").expect("ok");
    let error = script.run(&mut Vec::new()).expect_err("stopped");
    assert_eq!(error.kind, ErrorKind::Limit(LimitKind::Operations));
}

#[test]
fn an_endless_loop_is_stopped_by_the_deadline() {
    let limits =
        Limits { max_operations: None, deadline: Some(std::time::Duration::from_millis(50)), ..Limits::default() };
    let engine = Engine::builder().limits(limits).build();
    let script = engine.compile("loop.hsl", "forever {}").expect("ok");
    let error = script.run(&mut Vec::new()).expect_err("stopped");
    assert_eq!(error.kind, ErrorKind::Limit(LimitKind::Deadline));
}

/// Runs `text` and sets its interrupt flag from another thread after `after_ms`; returns the ending and how
/// long the run took.
fn run_interrupted(limits: Limits, text: &str, after_ms: u64) -> (hsl::eval::Ending, std::time::Duration) {
    let engine = Engine::builder().limits(limits).build();
    let script = engine.compile("interrupted.hsl", text).expect("ok");
    let flag = Arc::new(AtomicBool::new(false));
    let options = RunOptions { interrupt: Some(flag.clone()), ..RunOptions::default() };
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(after_ms));
        flag.store(true, Ordering::Relaxed);
    });
    let started = std::time::Instant::now();
    let result = script.run_raw(Vec::new(), &mut Vec::new(), &options);
    let took = started.elapsed();
    setter.join().expect("thread");
    (result.ending, took)
}

fn assert_interrupted(ending: hsl::eval::Ending) {
    match ending {
        hsl::eval::Ending::Failed(error) => assert_eq!(error.kind, ErrorKind::Limit(LimitKind::Interrupted)),
        other => panic!("expected an interruption, got {other:?}"),
    }
}

#[test]
fn the_host_can_interrupt_a_run_from_another_thread() {
    let limits = Limits { max_operations: None, deadline: None, ..Limits::default() };
    let (ending, _) = run_interrupted(limits, "forever {}", 30);
    assert_interrupted(ending);
}

#[test]
fn an_interrupt_ends_a_sleep_promptly() {
    let (ending, took) = run_interrupted(Limits { deadline: None, ..Limits::default() }, "sleep(30);", 50);
    assert!(took < std::time::Duration::from_secs(5), "slept {took:?}");
    assert_interrupted(ending);
}

#[test]
fn deep_recursion_is_a_runtime_error_not_a_crash() {
    let engine = Engine::builder().limits(Limits { max_call_depth: 100_000, ..Limits::default() }).build();
    let script = engine
        .compile(
            "deep.hsl",
            "function down($n) { return $n == 0 ? 0 : 1 + down($n - 1); } echo down(90000); echo down(200000);",
        )
        .expect("ok");
    let mut output = Vec::new();
    let error = script.run(&mut output).expect_err("too deep");
    assert_eq!(output, b"90000\n");
    assert_eq!(error.kind, ErrorKind::Limit(LimitKind::CallDepth));
}

#[test]
fn a_string_doubling_in_a_loop_hits_the_size_limit() {
    let engine = Engine::builder().limits(Limits { max_string_size: 1 << 20, ..Limits::default() }).build();
    let script = engine.compile("grow.hsl", r#"$s = "x"; forever { $s = $s . $s; }"#).expect("ok");
    let error = script.run(&mut Vec::new()).expect_err("too big");
    assert_eq!(error.kind, ErrorKind::Limit(LimitKind::StringSize));
    let script = engine.compile("grow.hsl", r#"$s = "x"; forever { $s .= $s; }"#).expect("ok");
    let error = script.run(&mut Vec::new()).expect_err("too big");
    assert_eq!(error.kind, ErrorKind::Limit(LimitKind::StringSize));
}

#[test]
fn echo_can_go_to_a_callback() {
    let engine = Engine::new();
    let script = engine.compile("echo.hsl", r#"echo "a"; echo 2;"#).expect("ok");
    let mut lines = Vec::new();
    script.run(&mut hsl::output::EchoFn(|line: &[u8]| lines.push(line.to_vec()))).expect("runs");
    assert_eq!(lines, vec![b"a".to_vec(), b"2".to_vec()]);
}
