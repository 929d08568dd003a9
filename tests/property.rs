//! Property test over random scripts generated from the grammar (grammar/hsl.lalrpop): compiling never
//! panics, whatever parses prints to text that parses back to the same tree and prints the same again, and
//! running under an operation budget and a deadline ends, Ok or an error, within its limits and without a
//! panic.
//!
//! The generator is a seeded xorshift, so every failure names the case that reproduces it:
//! `HSL_PROPERTY_CASE=N cargo test --test property -- --nocapture` runs case N alone and prints its script.
//! Debugging aids: `HSL_PROPERTY_WHY=1` prints why each script failed to compile or run,
//! `HSL_PROPERTY_SLOW=1` prints runs slower than 100 ms.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use hsl::source::SourceFile;
use hsl::{Engine, Limits, Output, RunOptions};

const CASES: u64 = 400;
const SEED: u64 = 0x5EED_0F4A_11CA_5E00;

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Never zero; mix the seed so neighbouring cases differ from the first draw.
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        rng.next();
        rng
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const VARS: &[&str] = &["$a", "$b", "$c", "$i", "$s"];
const BINARY: &[&str] = &[
    "+", "-", "*", "/", "%", "**", ".", "==", "!=", "===", "!==", "<", "<=", ">", ">=", "and", "or", "&", "|", "^",
    "<<", ">>", ">>>", "??", "=~", "!~",
];
const ASSIGN: &[&str] = &["=", "+=", "-=", "*=", "/=", "%=", "**=", ".=", "??="];
const COMPARISONS: &[&str] = &["==", "!=", "===", "!==", "<", "<=", ">", ">=", "=~", "!~"];
const UNARY: &[&str] = &["!", "not ", "-", "+", "~"];
/// Standard functions that are quick whatever their arguments (no `sleep`).
const NATIVES: &[&str] = &[
    "length",
    "array_keys",
    "array_join",
    "array_map",
    "array_filter",
    "array_reverse",
    "array_sort",
    "array_range",
    "array_unique",
    "str_repeat",
    "str_replace",
    "str_split",
    "str_find",
    "str_lower",
    "str_upper",
    "str_slice",
    "str_strip",
    "chr",
    "ord",
    "abs",
    "floor",
    "round",
    "sqrt",
    "pow",
    "is_array",
    "is_string",
    "is_number",
    "number",
    "string",
    "json_encode",
    "json_decode",
    "sha1",
    "md5",
];

/// Builds one script's text. `depth` bounds expression nesting; `loops` and `in_function` keep `break`,
/// `continue` and `return` where they belong, so most scripts compile.
struct Gen {
    rng: Rng,
    /// Each of [`NATIVES`] with its fewest and most arguments.
    natives: Vec<(&'static str, usize, usize)>,
    depth: u32,
    loops: u32,
    breakable: u32,
    in_function: bool,
    out: String,
    indent: usize,
}

impl Gen {
    fn new(seed: u64, natives: Vec<(&'static str, usize, usize)>) -> Gen {
        let rng = Rng::new(seed);
        Gen { rng, natives, depth: 0, loops: 0, breakable: 0, in_function: false, out: String::new(), indent: 0 }
    }

    fn script(mut self) -> String {
        // Every pool variable starts defined, and so do a function and a class to call.
        self.out.push_str("$a = 1; $b = \"two\"; $c = [1, \"k\" => 2, 3]; $i = 0; $s = none;\n");
        self.out.push_str("function f($x, $y = 2) { return $x . $y; }\n");
        self.out.push_str(
            "class K { $p = 1; static $n = 0; constructor($v = 0) { $this->p = $v; } function m($z) { return $this->p + $z; } static function sm() { return K::$n; } }\n",
        );
        let statements = 1 + self.rng.below(8);
        for _ in 0..statements {
            // Most random statements fail at run time (HSL is strict about types); a catch lets the run go
            // on to the next one, so more of the evaluator gets exercised.
            if self.rng.chance(60) {
                self.out.push_str("try ");
                self.block(1);
                self.out.push_str(" catch ($e) {\n    echo $e;\n}\n");
            } else {
                self.stmt();
            }
        }
        self.out
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(&"    ".repeat(self.indent));
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn block(&mut self, statements: usize) {
        self.out.push_str("{\n");
        self.indent += 1;
        for _ in 0..statements {
            self.stmt();
        }
        self.indent -= 1;
        self.out.push_str(&"    ".repeat(self.indent));
        self.out.push('}');
    }

    fn body(&mut self) {
        let n = 1 + self.rng.below(3);
        self.block(n);
        self.out.push('\n');
    }

    fn loop_body(&mut self) {
        self.loops += 1;
        self.breakable += 1;
        self.body();
        self.breakable -= 1;
        self.loops -= 1;
    }

    fn stmt(&mut self) {
        let nested = self.indent < 4;
        let choice = self.rng.below(if nested { 22 } else { 6 });
        let pad = "    ".repeat(self.indent);
        match choice {
            0 | 1 => {
                let (v, op, e) = (self.var(), self.rng.pick(ASSIGN), self.expr());
                self.line(&format!("{v} {op} {e};"));
            }
            2 | 3 => {
                let e = self.expr();
                self.line(&format!("echo {e};"));
            }
            4 => {
                let e = self.expr();
                self.line(&format!("{e};"));
            }
            5 => match self.rng.below(4) {
                0 if self.breakable > 0 => self.line("break;"),
                1 if self.loops > 0 => self.line("continue;"),
                2 if self.in_function => {
                    let e = self.expr();
                    self.line(&format!("return {e};"));
                }
                _ => {
                    let v = self.var();
                    self.line(&format!("{v}++;"));
                }
            },
            6 | 7 => {
                let c = self.expr();
                self.out.push_str(&format!("{pad}if ({c}) "));
                self.body();
                if self.rng.chance(50) {
                    self.out.push_str(&format!("{pad}else "));
                    self.body();
                }
            }
            8 => {
                let c = self.expr();
                self.out.push_str(&format!("{pad}while ({c}) "));
                self.loop_body();
            }
            9 => {
                let (v, n) = (self.var(), self.rng.below(5));
                self.out.push_str(&format!("{pad}for ({v} = 0; {v} < {n}; {v}++) "));
                self.loop_body();
            }
            10 | 11 => {
                let e = self.expr();
                let (k, v) = (self.var(), self.var());
                let target = if self.rng.chance(50) { format!("{k} => {v}") } else { k.to_string() };
                self.out.push_str(&format!("{pad}foreach ({e} as {target}) "));
                self.loop_body();
            }
            12 => {
                self.out.push_str(&format!("{pad}forever "));
                self.loops += 1;
                self.breakable += 1;
                self.out.push_str("{\n");
                self.indent += 1;
                self.stmt();
                self.line("break;");
                self.indent -= 1;
                self.line("}");
                self.breakable -= 1;
                self.loops -= 1;
            }
            13 => {
                let e = self.expr();
                self.line(&format!("switch ({e}) {{"));
                self.indent += 1;
                self.breakable += 1;
                let mut has_default = false;
                for _ in 0..1 + self.rng.below(3) {
                    if !has_default && self.rng.chance(25) {
                        has_default = true;
                        self.line("default:");
                    } else {
                        let c = self.leaf();
                        self.line(&format!("case {c}:"));
                    }
                    self.indent += 1;
                    self.stmt();
                    if self.rng.chance(60) {
                        self.line("break;");
                    }
                    self.indent -= 1;
                }
                self.breakable -= 1;
                self.indent -= 1;
                self.line("}");
            }
            14 => {
                self.out.push_str(&format!("{pad}try "));
                let n = 1 + self.rng.below(2);
                self.block(n);
                let v = self.var();
                self.out.push_str(&format!(" catch ({v}) "));
                self.body();
            }
            15 => {
                let e = self.expr();
                self.line(&format!("throw {e};"));
            }
            16 if self.indent == 0 => {
                let name = format!("g{}", self.rng.below(1000));
                self.out.push_str(&format!("{pad}function {name}($a, $b = 1, ...$c) "));
                self.in_function = true;
                self.out.push_str("{\n");
                self.indent += 1;
                self.line("$i = 0; $s = none;");
                for _ in 0..1 + self.rng.below(3) {
                    self.stmt();
                }
                let e = self.expr();
                self.line(&format!("return {e};"));
                self.indent -= 1;
                self.line("}");
                self.in_function = false;
                let (x, y) = (self.expr(), self.expr());
                self.line(&format!("echo {name}({x}, {y});"));
            }
            17 => {
                let (v, e) = (self.var(), self.expr());
                self.line(&format!("[{v}, $tmp] = [{e}, 1];"));
            }
            18 => {
                let (v, i, e) = (self.var(), self.expr(), self.expr());
                self.line(&format!("{v}[{i}] = {e};"));
            }
            19 => {
                let v = self.var();
                self.line(&format!("unset({v}[0]);"));
            }
            20 => {
                self.out.push_str(&pad);
                self.block(1);
                self.out.push('\n');
            }
            _ => {
                let (v, e, format) = (self.var(), self.expr(), self.rng.pick(&["%s", "%d", "%5.2f", "%-3s|%x"]));
                self.line(&format!("{v} = \"{format} \" % [{e}];"));
            }
        }
    }

    fn var(&mut self) -> &'static str {
        self.rng.pick(VARS)
    }

    fn leaf(&mut self) -> String {
        match self.rng.below(12) {
            0 => self.rng.below(100).to_string(),
            1 => format!("{}.{}", self.rng.below(10), self.rng.below(100)),
            2 => self.rng.pick(&["0x1F", "0o17", "0b101", "1_000", "0", "9007199254740993"]).to_string(),
            3 | 4 => self.string(),
            5 => self.rng.pick(&["''raw\\n''", "'EOT'a'b\"$x'EOT'", "''''"]).to_string(),
            6 => self.rng.pick(&["true", "false", "none"]).to_string(),
            7 => self.rng.pick(&["#/a+/i", "#/^[0-9]+$/", "#/x\\/y/"]).to_string(),
            _ => self.var().to_string(),
        }
    }

    fn string(&mut self) -> String {
        let mut s = String::from("\"");
        for _ in 0..self.rng.below(5) {
            match self.rng.below(9) {
                0 => s.push_str("$a "),
                1 => s.push_str("${b}x"),
                2 => s.push_str("\\$"),
                3 => s.push_str("\\n\\t\\\\\\\""),
                4 => s.push_str("\\x41\\xff"),
                5 => s.push('é'),
                6 => s.push_str("$ "),
                7 => s.push_str("$c[0]"),
                _ => s.push_str("text "),
            }
        }
        s.push('"');
        s
    }

    /// Operands are parenthesised only sometimes, so the printer's precedence handling gets exercised.
    fn operand(&mut self) -> String {
        let e = self.expr();
        if self.rng.chance(40) { format!("({e})") } else { e }
    }

    fn compound_in_parens(&mut self) -> String {
        let e = self.expr();
        if e.contains(' ') { format!("({e})") } else { e }
    }

    fn args(&mut self, max: usize) -> String {
        let n = self.rng.below(max + 1);
        (0..n).map(|_| self.expr()).collect::<Vec<_>>().join(", ")
    }

    fn expr(&mut self) -> String {
        if self.depth >= 4 || self.rng.chance(30) {
            return self.leaf();
        }
        self.depth += 1;
        let e = match self.rng.below(22) {
            0..=4 => {
                let op = self.rng.pick(BINARY);
                let (x, y) = if COMPARISONS.contains(&op) {
                    // Comparisons do not chain (`1 < 2 < 3` is a syntax error): compound operands get parentheses.
                    (self.compound_in_parens(), self.compound_in_parens())
                } else {
                    (self.operand(), self.operand())
                };
                format!("{x} {op} {y}")
            }
            5 => {
                let (op, x) = (self.rng.pick(UNARY), self.operand());
                // `- -1`, not `--1`; `! ~1`, not `!~1`.
                let space = if x.starts_with(['-', '+', '~', '!']) { " " } else { "" };
                format!("{op}{space}{x}")
            }
            6 => {
                let (c, t, e) = (self.operand(), self.operand(), self.operand());
                format!("{c} ? {t} : {e}")
            }
            7 => {
                let (c, e) = (self.operand(), self.operand());
                format!("{c} ?: {e}")
            }
            8 => {
                let (name, min, max) = self.natives[self.rng.below(self.natives.len())];
                let n = min + self.rng.below(max.min(min + 2) - min + 1);
                let args = (0..n).map(|_| self.expr()).collect::<Vec<_>>().join(", ");
                format!("{name}({args})")
            }
            9 => {
                let args = if self.rng.chance(50) { self.expr() } else { format!("{}, {}", self.expr(), self.expr()) };
                format!("f({args})")
            }
            10 => {
                let (v, i) = (self.var(), self.expr());
                format!("{v}[{i}]")
            }
            11 => {
                let v = self.var();
                let parts = [self.rng.pick(&["", "1", "-1", "$i"]), self.rng.pick(&["", "2", "-1"])];
                if self.rng.chance(50) {
                    format!("{v}[{}:{}]", parts[0], parts[1])
                } else {
                    format!("{v}[{}:{}:{}]", parts[0], parts[1], self.rng.pick(&["", "2", "-1"]))
                }
            }
            12 => {
                let n = self.rng.below(4);
                let items: Vec<String> = (0..n)
                    .map(|_| match self.rng.below(4) {
                        0 => format!("{} => {}", self.leaf(), self.expr()),
                        1 => format!("...{}", self.var()),
                        _ => self.expr(),
                    })
                    .collect();
                let trailing = if n > 0 && self.rng.chance(20) { "," } else { "" };
                if self.rng.chance(20) {
                    format!("array({}{trailing})", items.join(", "))
                } else {
                    format!("[{}{trailing}]", items.join(", "))
                }
            }
            13 => {
                let body = self.expr();
                // The parameters and captures define all of [`VARS`] inside.
                let call = if self.rng.chance(50) { "(1, 2)" } else { "" };
                format!("(function ($a, $b = 1, ...$c) closure ($i, $s) {{ return {body}; }}){call}")
            }
            14 => {
                let (e, x, y, d) = (self.expr(), self.leaf(), self.expr(), self.expr());
                format!("match ({e}) {{ {x}, 2 => {y}, default => {d} }}")
            }
            15 => {
                let args = self.args(1);
                match self.rng.below(5) {
                    0 => format!("K({args})"),
                    1 => format!("K({args})->m(1)"),
                    2 => "K()->p".to_string(),
                    3 => "K::sm()".to_string(),
                    _ => "K::$n".to_string(),
                }
            }
            16 => {
                let v = self.var();
                self.rng.pick(&["isset(V)", "isset(V[0])", "V++", "--V", "(V = 3)", "(V .= \"x\")"]).replace('V', v)
            }
            17 => {
                let (x, y) = (self.operand(), self.operand());
                format!("{x} ?? {y}")
            }
            18 => {
                let x = self.expr();
                format!("cache [\"ttl\" => 1] f({x})")
            }
            19 => {
                let (x, y) = (self.operand(), self.operand());
                format!("{x} ** {y}")
            }
            20 => {
                let x = self.expr();
                format!("builtin length({x})")
            }
            _ => {
                let e = self.expr();
                format!("({e})")
            }
        };
        self.depth -= 1;
        e
    }
}

/// Counts output bytes instead of keeping them.
struct Counter(usize);

impl Output for Counter {
    fn echo(&mut self, line: &[u8]) {
        self.0 += line.len() + 1;
    }
}

const DEADLINE: Duration = Duration::from_secs(2);

fn engine() -> Engine {
    Engine::builder()
        .limits(Limits {
            max_operations: Some(20_000),
            max_call_depth: 100,
            deadline: Some(DEADLINE),
            max_string_size: 1 << 16,
            max_array_size: 1 << 12,
            max_memory: Some(256 << 20),
        })
        .loader(|path| Err(std::io::Error::new(std::io::ErrorKind::NotFound, path.display().to_string())))
        .fixed_time(1_700_000_000.0)
        .seed(7)
        .hostname("test")
        .build()
}

#[derive(Default, Debug)]
struct Tally {
    parsed: u64,
    compiled: u64,
    ran_ok: u64,
}

/// Checks one script; `Err` describes the broken property.
fn check(engine: &Engine, text: &str, tally: &mut Tally) -> Result<(), String> {
    // (a) compiling never panics.
    let compiled = catch_unwind(AssertUnwindSafe(|| engine.compile("prop.hsl", text)))
        .map_err(|panic| format!("compile panicked: {}", panic_message(&panic)))?;

    // (b) parse, print, parse, print: the same text.
    // The trees must match too (spans aside): a printer that drops needed parentheses prints `a - (b - c)`
    // as `a - b - c`, which prints the same again but means something else.
    if let Ok(mut tree) = hsl::syntax::parse(&SourceFile::new("prop.hsl", text)) {
        tally.parsed += 1;
        let printed = hsl::syntax::print(&tree);
        let mut again = hsl::syntax::parse(&SourceFile::new("printed.hsl", printed.as_str()))
            .map_err(|error| format!("the printed text does not parse: {error}\nprinted:\n{printed}"))?;
        let reprinted = hsl::syntax::print(&again);
        if reprinted != printed {
            return Err(format!("printing is not stable\nprinted:\n{printed}\nreprinted:\n{reprinted}"));
        }
        hsl::syntax::strip_spans(&mut tree);
        hsl::syntax::strip_spans(&mut again);
        if tree != again {
            return Err(format!("the printed text parses to a different tree\nprinted:\n{printed}"));
        }
    } else if compiled.is_ok() {
        return Err("the script compiles but does not parse".into());
    }

    if let Err(diagnostics) = &compiled
        && std::env::var("HSL_PROPERTY_WHY").is_ok()
    {
        eprintln!("why: {}", diagnostics.0.first().map(|d| d.to_string()).unwrap_or_default());
    }

    // (c) running ends within its limits, without a panic.
    let Ok(script) = compiled else { return Ok(()) };
    tally.compiled += 1;
    let started = Instant::now();
    let mut output = Counter(0);
    let result = catch_unwind(AssertUnwindSafe(|| script.run_raw(Vec::new(), &mut output, &RunOptions::default())))
        .map_err(|panic| format!("run panicked: {}", panic_message(&panic)))?;
    let elapsed = started.elapsed();
    if std::env::var("HSL_PROPERTY_SLOW").is_ok() && elapsed > Duration::from_millis(100) {
        eprintln!("slow run {elapsed:?}:\n{text}");
    }
    if elapsed > DEADLINE + Duration::from_secs(1) {
        return Err(format!("the run took {elapsed:?}, past its {DEADLINE:?} deadline"));
    }
    match result.ending {
        hsl::eval::Ending::Failed(error) => {
            // Every runtime error must locate.
            if std::env::var("HSL_PROPERTY_WHY").is_ok() {
                eprintln!("why (run): {}", error.message);
            }
            let _ = script.report(*error).line_column();
        }
        _ => tally.ran_ok += 1,
    }
    Ok(())
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string panic>".into())
}

#[test]
fn random_scripts_compile_print_and_run_cleanly() {
    let engine = engine();
    let natives: Vec<_> = NATIVES
        .iter()
        .map(|name| {
            let doc = engine.natives().doc(name).unwrap_or_else(|| panic!("no native {name}"));
            (doc.name, doc.min, doc.max)
        })
        .collect();
    let only: Option<u64> = std::env::var("HSL_PROPERTY_CASE").ok().and_then(|v| v.parse().ok());
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for case in 0..CASES {
        if only.is_some_and(|n| n != case) {
            continue;
        }
        let text = Gen::new(SEED ^ case, natives.clone()).script();
        if only.is_some() {
            println!("{text}");
        }
        if let Err(problem) = check(&engine, &text, &mut tally) {
            failures.push(format!("case {case}: {problem}\nscript:\n{text}"));
            if failures.len() >= 3 {
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
    println!("{tally:?}");
    if only.is_none() {
        // The generator must keep producing scripts that get past the parser and into the evaluator;
        // otherwise this test would quietly stop testing anything.
        assert!(tally.parsed >= CASES * 9 / 10, "too few scripts parse: {tally:?}");
        assert!(tally.compiled >= CASES * 8 / 10, "too few scripts compile: {tally:?}");
        assert!(tally.ran_ok >= CASES / 5, "too few scripts run to the end: {tally:?}");
    }
}
