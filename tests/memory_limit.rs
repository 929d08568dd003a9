//! The `memory` limit, measured by the tracking allocator this test binary installs (as `hsl` does).

use hsl::{Engine, ErrorKind, LimitKind, Limits};

#[global_allocator]
static ALLOCATOR: hsl::TrackingAllocator = hsl::TrackingAllocator(std::alloc::System);

fn engine(max_memory: usize) -> Engine {
    Engine::builder().limits(Limits { max_memory: Some(max_memory), ..Limits::default() }).build()
}

#[test]
fn the_tracking_allocator_is_detected() {
    assert!(hsl::memory::is_tracking());
}

#[test]
fn growing_an_array_of_strings_hits_the_memory_limit() {
    let script = engine(16 << 20)
        .compile("hoard.hsl", r#"$kept = []; for ($i = 0; ; $i++) { $kept[] = str_repeat("x", 1000) . $i; }"#)
        .expect("compiles");
    let error = script.run(&mut Vec::new()).expect_err("limited");
    assert_eq!(error.kind, ErrorKind::Limit(LimitKind::Memory), "{}", error.message);
    assert!(error.message.contains("limit exceeded (memory)"), "{}", error.message);
}

#[test]
fn many_small_arrays_hit_the_memory_limit_before_any_size_limit() {
    let script = engine(8 << 20)
        .compile("nest.hsl", r#"$kept = []; forever { $kept[] = [1, 2, 3, "four" => [5]]; }"#)
        .expect("compiles");
    let error = script.run(&mut Vec::new()).expect_err("limited");
    assert_eq!(error.kind, ErrorKind::Limit(LimitKind::Memory), "{}", error.message);
}

#[test]
fn memory_that_is_freed_again_does_not_count() {
    // 200 MB allocated in total, never more than about 2 MB held at once.
    let script = engine(16 << 20)
        .compile("churn.hsl", r#"for ($i = 0; $i < 200; $i++) { $s = str_repeat("y", 1000000); } echo length($s);"#)
        .expect("compiles");
    let mut output = Vec::new();
    script.run(&mut output).expect("stays under the limit");
    assert_eq!(output, b"1000000\n");
}

#[test]
fn a_memory_error_in_a_hook_ends_in_pass() {
    let engine = engine(4 << 20);
    let script = engine
        .compile_hook("disconnect", "hoard.hsl", r#"$kept = []; forever { $kept[] = str_repeat("z", 4096); }"#)
        .expect("compiles");
    let spec = engine.hook("disconnect").expect("built in");
    let inputs = hsl::hook::fixture::inputs_from_json(
        spec,
        &serde_json::json!({"arguments": {"close": "remote"}, "connection": {"id": "c1", "serverid": "inbound"}}),
        std::path::Path::new("."),
    )
    .expect("valid inputs");
    let outcome = script.run_hook(&inputs, &mut Vec::new(), &Default::default());
    assert_eq!(&*outcome.action, "Pass");
    match &outcome.how {
        hsl::How::Error(error) => assert_eq!(error.kind, ErrorKind::Limit(LimitKind::Memory)),
        other => panic!("expected a memory error, got {}", other.name()),
    }
}
