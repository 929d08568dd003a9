//! Compile arbitrary bytes and, if they compile, run them under tight limits. Errors are fine; panics,
//! hangs and unbounded memory are not.
#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use hsl::{Engine, Limits, RunOptions};
use libfuzzer_sys::fuzz_target;

// Counts what each run holds, so the memory cap below is enforced.
#[global_allocator]
static ALLOCATOR: hsl::TrackingAllocator = hsl::TrackingAllocator(std::alloc::System);

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::builder()
        .limits(Limits {
            max_operations: Some(100_000),
            max_call_depth: 200,
            deadline: Some(Duration::from_millis(200)),
            max_string_size: 64 << 10,
            max_array_size: 4096,
            max_memory: Some(64 << 20),
        })
        .loader(|path| Err(std::io::Error::new(std::io::ErrorKind::NotFound, path.display().to_string())))
        .fixed_time(1_700_000_000.0)
        .seed(42)
        .hostname("fuzz")
        .build()
});

/// Counts output instead of keeping it, so a run cannot grow memory through `echo`.
#[derive(Default)]
struct Counter(usize);

impl hsl::Output for Counter {
    fn echo(&mut self, line: &[u8]) {
        self.0 += line.len() + 1;
    }
    fn log(&mut self, _priority: &str, message: &[u8]) {
        self.0 += message.len() + 1;
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(script) = ENGINE.compile("fuzz.hsl", text) else { return };
    let mut output = Counter::default();
    let result = script.run_raw(Vec::new(), &mut output, &RunOptions::default());
    if let hsl::eval::Ending::Failed(error) = result.ending {
        // The error must point into the source and render.
        let report = script.report(*error);
        let _ = report.line_column();
        let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let mut out = String::new();
        if let Err(error) = handler.render_report(&mut out, &report) {
            panic!("a runtime error does not render: {error}");
        }
    }
});
