//! Bad input never panics: random bytes, truncated files and very deep nesting all end in diagnostics
//! or runtime errors.

use hsl::Engine;
use hsl::source::SourceFile;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn corpus() -> Vec<String> {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("tests/run"), std::path::PathBuf::from("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "hsl")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                files.push(text);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet: Vec<char> = "$\"'#/\\{}[]()<>=!?:;,.+-*%&|^~ \n\tabcdefxyz0123456789_é\u{a0}“".chars().collect();
    for round in 0..3000 {
        let len = (rng.next() % 80) as usize;
        let text: String = if round % 2 == 0 {
            (0..len).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]).collect()
        } else {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let _ = hsl::syntax::parse(&SourceFile::new("fuzz.hsl", text.as_str()));
        let _ = Engine::new().compile("fuzz.hsl", &text);
    }
}

#[test]
fn truncated_files_never_panic() {
    let engine = Engine::new();
    for text in corpus() {
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                let _ = engine.compile("cut.hsl", &text[..cut]);
            }
            cut += 7;
        }
    }
}

#[test]
fn mutated_goldens_compile_or_fail_cleanly() {
    let engine = Engine::new();
    let mut rng = Rng(42);
    let tokens = ["(", ")", "{", "}", "[", "]", ";", "$x", "\"", "''", "#/", "function", "=", "::", "..."];
    for text in corpus() {
        for _ in 0..10 {
            let mut mutated = text.clone();
            let at = (rng.next() as usize) % (mutated.len() + 1);
            if mutated.is_char_boundary(at) {
                mutated.insert_str(at, tokens[(rng.next() as usize) % tokens.len()]);
            }
            if let Ok(script) = engine.compile("mutated.hsl", &mutated) {
                let limits = hsl::Limits { max_operations: Some(100_000), ..hsl::Limits::default() };
                let options = hsl::RunOptions { limits: Some(limits), ..Default::default() };
                let _ = script.run_raw(Vec::new(), &mut hsl::output::Discard, &options);
            }
        }
    }
}

fn assert_too_deep(text: &str) {
    match hsl::syntax::parse(&SourceFile::new("deep.hsl", text)) {
        Ok(_) => panic!("100 000-deep nesting parsed"),
        Err(diagnostics) => assert_eq!(
            diagnostics.0[0].code,
            "hsl::syntax::nesting_too_deep",
            "{} in {}…",
            diagnostics.0[0].message,
            &text[..40]
        ),
    }
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    const N: usize = 100_000;
    assert_too_deep(&format!("echo {}1{};", "(".repeat(N), ")".repeat(N)));
    assert_too_deep(&format!("echo {}1{};", "[".repeat(N), "]".repeat(N)));
    assert_too_deep(&format!("{}{}", "{".repeat(N), "}".repeat(N)));
    assert_too_deep(&format!("echo {}1;", "- ".repeat(N)));
    assert_too_deep(&format!("echo {}1;", "!".repeat(N)));
    assert_too_deep(&format!("echo 1{};", "+1".repeat(N)));
    assert_too_deep(&format!("{}echo 1;", "if (1) ".repeat(N)));
    assert_too_deep(&format!("$x = {}1;", "$a = ".repeat(N)));
    assert_too_deep(&format!("echo $f{};", "(1)".repeat(N)));
}

#[test]
fn the_deepest_allowed_program_runs_on_a_small_stack() {
    // Nesting just under the limit must compile and run even on a 2 MiB thread (the default for spawned
    // threads), in debug builds too.
    let depth = hsl::syntax::MAX_NESTING as usize - 10;
    let expression = format!("{}1{}", "(1 + ".repeat(depth / 2), ")".repeat(depth / 2));
    let blocks = depth / 6;
    let statements = format!("{}echo {expression};{}", "if (true) { ".repeat(blocks), " }".repeat(blocks));
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let script = Engine::new().compile("deep.hsl", &statements).expect("compiles");
            script.run_to_string().expect("runs")
        })
        .expect("thread");
    let output = handle.join().expect("no stack overflow");
    assert_eq!(output.trim(), ((depth / 2) + 1).to_string());
}

#[test]
fn deeply_nested_values_are_freed_on_a_small_stack() {
    // A script can nest arrays (directly, or through objects) as deep as its loop runs; freeing them must
    // not take a native frame per level. 2 MiB is a spawned thread's default stack.
    let script = r#"
        class Node { constructor($next) { $this->next = [$next]; } }
        $list = []; $record = []; $chain = none;
        for ($i = 0; $i < 200000; $i++) { $list = [$list]; $record = ["next" => $record]; $chain = Node($chain); }
        $copy = $list;
        $list = none; $record = none; $chain = none;
        echo is_array($copy);
    "#;
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || Engine::new().compile("deep.hsl", script).expect("compiles").run_to_string().expect("runs"))
        .expect("thread");
    assert_eq!(handle.join().expect("no stack overflow").trim(), "true");
}

#[test]
fn a_deep_array_a_thread_keeps_until_it_ends_is_freed() {
    use hsl::value::{Array, Value};
    thread_local! {
        static KEPT: std::cell::RefCell<Option<Value>> = const { std::cell::RefCell::new(None) };
    }
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut nested = Value::Array(Array::new());
            for _ in 0..100_000 {
                nested = Value::Array(Array::from_values([nested]));
            }
            // Freed while the thread's locals are torn down, maybe after the drop queue's own.
            KEPT.with_borrow_mut(|kept| *kept = Some(nested));
        })
        .expect("thread");
    handle.join().expect("no stack overflow or panic at thread exit");
}

#[test]
fn huge_strings_and_arrays_hit_limits() {
    let limits = hsl::Limits { max_array_size: 1000, ..hsl::Limits::default() };
    let engine = Engine::builder().limits(limits).build();
    let script = engine.compile("grow.hsl", "$a = []; forever { $a[] = 1; }").expect("compiles");
    let error = script.run(&mut Vec::new()).expect_err("limited");
    assert_eq!(error.kind, hsl::ErrorKind::Limit(hsl::LimitKind::ArraySize));
    let script = engine.compile("range.hsl", "echo length(array_range(0, 1000000000));").expect("compiles");
    let error = script.run(&mut Vec::new()).expect_err("limited");
    assert_eq!(error.kind, hsl::ErrorKind::Limit(hsl::LimitKind::ArraySize));
}

/// Every `.hsl` under `tests/syntax` (the syntax goldens, good and bad).
fn syntax_corpus() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["tests/syntax/ok", "tests/syntax/err"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "hsl")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                files.push(text);
            }
        }
    }
    files
}

/// Whatever parses must print to text that parses to the same tree, with well-formed spans.
fn check_parse(text: &str) {
    let Ok(mut tree) = hsl::syntax::parse(&SourceFile::new("t.hsl", text)) else { return };
    let problems = hsl::syntax::dump::span_violations(&tree, text.len() as u32);
    assert!(problems.is_empty(), "{text:?}: {problems:?}");
    let printed = hsl::syntax::print(&tree);
    let mut again = match hsl::syntax::parse(&SourceFile::new("printed.hsl", printed.as_str())) {
        Ok(again) => again,
        Err(error) => panic!("{text:?} printed as {printed:?}, which does not parse: {error:?}"),
    };
    hsl::syntax::strip_spans(&mut tree);
    hsl::syntax::strip_spans(&mut again);
    assert_eq!(tree, again, "{text:?} printed as {printed:?}");
}

#[test]
fn syntax_golden_truncations_never_panic() {
    for text in syntax_corpus() {
        for cut in 0..=text.len() {
            if text.is_char_boundary(cut) {
                check_parse(&text[..cut]);
            }
        }
    }
}

#[test]
fn random_token_soup_parses_or_fails_cleanly() {
    let tokens = [
        "$x", "$y", "f", "Foo", "1", "2.5", "0x1F", "\"s\"", "\"a$x\"", "''r''", "#/a/i", "(", ")", "[", "]", "{", "}",
        ";", ",", ":", "::", "?", "?:", "??", "=", "+=", "??=", ".=", "+", "-", "*", "**", ".", "==", "<", "and", "or",
        "not", "!", "~", "&", "|", "^", "<<", ">>>", "++", "--", "->", "=>", "...", "if", "else", "while", "for",
        "foreach", "as", "echo", "return", "function", "closure", "class", "static", "private", "match", "default",
        "case", "switch", "cache", "builtin", "isset", "unset", "array", "try", "catch", "throw", "import", "from",
        "none", "true", "\n", " ",
    ];
    let mut rng = Rng(0xDEAD_BEEF);
    for _ in 0..20_000 {
        let len = 1 + (rng.next() % 24) as usize;
        let text: String =
            (0..len).map(|_| tokens[(rng.next() % tokens.len() as u64) as usize]).collect::<Vec<_>>().join(" ");
        check_parse(&text);
    }
}

#[test]
fn random_bytes_through_the_parser_alone() {
    let mut rng = Rng(7);
    for _ in 0..5000 {
        let len = (rng.next() % 200) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        check_parse(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn deep_nesting_of_every_kind_is_reported() {
    const N: usize = 100_000;
    let cases = [
        format!("echo {}1;", "not ".repeat(N)),
        format!("echo {}1;", "~".repeat(N)),
        format!("echo {}1;", "+ ".repeat(N)),
        format!("echo {}1;", "!-".repeat(N)),
        format!("echo 1{};", " . 1".repeat(N)),
        format!("echo 2{};", " ** 2".repeat(N)),
        format!("echo 1{};", " ?? 1".repeat(N)),
        format!("echo 1{};", " ? 1 : 1".repeat(N)),
        format!("echo 1{};", " ?: 1".repeat(N)),
        format!("echo 1{};", " or 1".repeat(N)),
        format!("echo $a{};", "->b".repeat(N)),
        format!("echo $a{};", "[0]".repeat(N)),
        format!("echo $f{};", "()".repeat(N)),
        format!("echo {}1{};", "array(".repeat(N), ")".repeat(N)),
        format!("echo {}1{};", "f(".repeat(N), ")".repeat(N)),
        format!("{}echo 1;", "while (1) ".repeat(N)),
        format!("{}echo 1;", "forever ".repeat(N)),
        format!("{}echo 1;", "foreach ($a as $b) ".repeat(N)),
        format!("if (1) echo 1;{}", " else if (1) echo 1;".repeat(N)),
        format!("$x = {}1{};", "function () { return ".repeat(N), "; }".repeat(N)),
        format!("$x = {}1{};", "[".repeat(N), "]".repeat(N)),
        "{".repeat(N),
        format!("echo {}", "(".repeat(N)),
    ];
    for text in cases {
        assert_too_deep(&text);
    }
}

#[test]
fn prefix_operators_print_apart_from_their_operand() {
    // Found by the property test: `!(~$x)` printed as `!~$x`, which lexes as the `!~` operator.
    for text in ["echo !(~1);", "$s = 1; echo !(~$s) ?: 2;", "echo -(-1), +(+1), !(!1), ~(~1), -(--$a);"] {
        check_parse(text);
    }
}

#[test]
fn sleep_does_not_outlast_the_deadline() {
    // `sleep` blocked for up to 60 s per call whatever the deadline, and the clock is read only every 1024
    // operations, so `forever { sleep(1); }` under a 0.2 s deadline ran for about 17 minutes.
    let limits = hsl::Limits { deadline: Some(std::time::Duration::from_millis(200)), ..hsl::Limits::default() };
    let engine = Engine::builder().limits(limits).build();
    for text in ["sleep(5);", "forever { sleep(1); }", "try { sleep(5); } catch ($e) { forever { sleep(1); } }"] {
        let script = engine.compile("sleep.hsl", text).expect("compiles");
        let started = std::time::Instant::now();
        let error = script.run(&mut Vec::new()).expect_err("deadline");
        assert_eq!(error.kind, hsl::ErrorKind::Limit(hsl::LimitKind::Deadline), "{text}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{text}: took {:?}", started.elapsed());
    }
    // Short sleeps within the deadline still sleep and report the time slept.
    let script = engine.compile("sleep.hsl", "echo sleep(0.01) >= 0.01;").expect("compiles");
    assert_eq!(script.run_to_string().expect("runs"), "true\n");
}

#[test]
fn deadline_holds_against_expensive_operations() {
    let limits = hsl::Limits { deadline: Some(std::time::Duration::from_millis(200)), ..hsl::Limits::default() };
    let engine = Engine::builder().limits(limits).build();
    // Each match runs to PCRE2's match limit (tens of milliseconds); the clock is read every 16 of them.
    for text in [
        r#"forever { try { $r = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" =~ #/^(a+)+$/; } catch ($e) { } }"#,
        r#"forever { try { pcre_match(#/^(a+)+$/, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"); } catch ($e) { } }"#,
    ] {
        let script = engine.compile("regex.hsl", text).expect("compiles");
        let started = std::time::Instant::now();
        let error = script.run(&mut Vec::new()).expect_err("deadline");
        assert_eq!(error.kind, hsl::ErrorKind::Limit(hsl::LimitKind::Deadline), "{text}");
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "{text} took {:?}", started.elapsed());
    }
}

#[test]
fn huge_format_precision_is_an_error_not_a_panic() {
    // Found by the `parse` fuzz target (constant folding runs `%` at compile time): Rust's `{:.N$}` panics
    // for N > 65535.
    let engine = Engine::new();
    for text in ["echo \"%.70000f\" % [1.5];", "$x = 1.5; echo \"%.344444444444444444444f\" % [$x];"] {
        match engine.compile("fmt.hsl", text) {
            Err(diagnostics) => assert!(diagnostics.to_string().contains("precision"), "{text}: {diagnostics}"),
            Ok(script) => {
                let error = script.run(&mut Vec::new()).expect_err("too large");
                assert!(error.message.contains("precision"), "{text}: {}", error.message);
            }
        }
    }
    // Large but representable precisions still work, and `%s` precision only truncates.
    let script = engine.compile("fmt.hsl", r#"echo length("%.65535f" % [1]); echo "%.99999999s" % ["ab"];"#);
    assert_eq!(script.expect("compiles").run_to_string().expect("runs"), "65537\nab\n");
}
