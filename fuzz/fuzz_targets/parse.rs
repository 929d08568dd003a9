//! Parse and check (compile) arbitrary bytes as a script. Nothing may panic; diagnostics must render against
//! the source; whatever parses must print to text that parses back to the same tree.
#![no_main]

use std::sync::LazyLock;

use hsl::Engine;
use hsl::source::SourceFile;
use libfuzzer_sys::fuzz_target;

/// One engine for every input; `import` never touches the disk.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::builder()
        .loader(|path| Err(std::io::Error::new(std::io::ErrorKind::NotFound, path.display().to_string())))
        .hostname("fuzz")
        .build()
});

fn render(diagnostic: &dyn miette::Diagnostic) {
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if let Err(error) = handler.render_report(&mut out, diagnostic) {
        panic!("a diagnostic does not render: {error}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    // The full front end: parse, resolve, check, lower.
    match ENGINE.compile("fuzz.hsl", &text) {
        Ok(_) => {}
        Err(diagnostics) => {
            for diagnostic in &diagnostics.0 {
                render(diagnostic);
            }
        }
    }

    // The parser alone, and the printer round trip.
    let Ok(mut tree) = hsl::syntax::parse(&SourceFile::new("fuzz.hsl", &*text)) else { return };
    let problems = hsl::syntax::dump::span_violations(&tree, text.len() as u32);
    assert!(problems.is_empty(), "bad spans: {problems:?}");
    let printed = hsl::syntax::print(&tree);
    let mut again = match hsl::syntax::parse(&SourceFile::new("printed.hsl", printed.as_str())) {
        Ok(again) => again,
        Err(error) => panic!("printed as {printed:?}, which does not parse: {error:?}"),
    };
    hsl::syntax::strip_spans(&mut tree);
    hsl::syntax::strip_spans(&mut again);
    assert_eq!(tree, again, "printed as {printed:?}");
});
