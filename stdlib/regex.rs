//! Regular expressions (stdlib.md §6, language.md §5.9) on PCRE2 itself, through the `pcre2` crate: HSL
//! patterns are PCRE (look-around, back-references, possessive quantifiers), so a PCRE engine is the only
//! faithful choice. Matching is on bytes unless the `u` flag asks for UTF-8.

use std::cell::{Cell, Ref, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_utils::CachePadded;
use pcre2::bytes::{Regex, RegexBuilder};
use thread_local::ThreadLocal;

use crate::error::{ErrorKind, Fallible, RuntimeError};
use crate::module::{Args, NativeClass, NativeCtx, NativeDef};
use crate::value::{Array, Key, Object, Str, Value};

/// Instances of `#/.../` literals and `pcre_compile()`.
pub static REGEX_CLASS: NativeClass = NativeClass {
    name: "Regex",
    summary: "A compiled regular expression (from `#/pattern/flags` or pcre_compile()).",
    constructor: None,
    methods: &[],
    statics: &[],
};

/// A compiled pattern. A `Regex` matches with scratch space from a pool that serves the first thread to
/// use it without a lock and every other thread through one mutex; a script's regex literal is shared by
/// every thread running the script, so each thread gets its own clone (the compiled code is shared), on
/// cache lines of its own (`ThreadLocal` keeps the threads' values side by side, and a match writes to its
/// pool).
pub struct CompiledRegex {
    regex: Regex,
    per_thread: ThreadLocal<CachePadded<ThreadCopy>>,
}

/// A thread's clone of the pattern, and the thread that made it. `ThreadLocal` gives a new thread the slot
/// of one that has ended, and with it a clone whose pool belongs to the old thread: every match would take
/// the locked path. So a thread that finds another's clone makes its own.
struct ThreadCopy {
    thread: Cell<u64>,
    regex: RefCell<Regex>,
}

static NEXT_THREAD_TAG: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // This thread's number among those that matched a pattern (unlike `ThreadLocal`'s, never reused).
    static THREAD_TAG: u64 = NEXT_THREAD_TAG.fetch_add(1, Ordering::Relaxed);
}

impl CompiledRegex {
    fn new(regex: Regex) -> CompiledRegex {
        CompiledRegex { regex, per_thread: ThreadLocal::new() }
    }

    /// This thread's clone. (Replacing another thread's clone cannot meet a borrow: this thread has not
    /// used the slot before.)
    #[inline]
    fn regex(&self) -> Ref<'_, Regex> {
        let tag = THREAD_TAG.with(|tag| *tag);
        let copy = self.per_thread.get_or(|| {
            CachePadded::new(ThreadCopy { thread: Cell::new(tag), regex: RefCell::new(self.regex.clone()) })
        });
        if copy.thread.get() != tag {
            copy.thread.set(tag);
            *copy.regex.borrow_mut() = self.regex.clone();
        }
        copy.regex.borrow()
    }
}

fn compile(pattern: &[u8], flags: &str) -> Result<Regex, String> {
    let text = std::str::from_utf8(pattern).map_err(|_| "the pattern is not valid UTF-8".to_string())?;
    let mut builder = RegexBuilder::new();
    let mut inline = String::new();
    for flag in flags.chars() {
        match flag {
            'i' => {
                builder.caseless(true);
            }
            'm' => {
                builder.multi_line(true);
            }
            's' => {
                builder.dotall(true);
            }
            'x' => {
                builder.extended(true);
            }
            'u' => {
                builder.utf(true).ucp(true);
            }
            'U' => inline.push_str("(?U)"),
            // PCRE's "extra" option only makes unknown escapes errors, which PCRE2 already does.
            'X' => {}
            other => return Err(format!("unknown regex flag `{other}`")),
        }
    }
    builder.jit_if_available(true);
    builder.build(&format!("{inline}{text}")).map_err(|error| error.to_string())
}

/// Splits a string pattern's optional `/regex/flags` wrapper.
fn split_wrapper(pattern: &[u8]) -> (&[u8], String) {
    if pattern.len() >= 2
        && pattern[0] == b'/'
        && let Some(end) = pattern.iter().rposition(|b| *b == b'/')
        && end > 0
    {
        let flags = &pattern[end + 1..];
        if flags.iter().all(|b| b"imsxuUX".contains(b)) {
            return (&pattern[1..end], String::from_utf8_lossy(flags).into_owned());
        }
    }
    (pattern, String::new())
}

thread_local! {
    /// Patterns given as strings, compiled once per thread: a cache shared by threads would put one lock
    /// (and the compiled patterns' reference counts) under every thread's matches.
    static STRING_PATTERNS: RefCell<HashMap<Vec<u8>, Arc<CompiledRegex>>> = RefCell::default();
}

fn regex_error(message: impl std::fmt::Display) -> crate::error::Interrupted {
    RuntimeError::new(ErrorKind::Regex, format!("invalid regular expression: {message}")).into()
}

/// The compiled regex of a pattern argument: a Regex object, or a string (compiled once and cached).
fn regex_of(pattern: &Value) -> Fallible<Arc<CompiledRegex>> {
    match pattern {
        Value::Object(object) if object.is_native(&REGEX_CLASS) => {
            object.native_state::<Arc<CompiledRegex>>().cloned().ok_or_else(|| regex_error("broken Regex object"))
        }
        Value::String(text) => {
            if let Some(found) = STRING_PATTERNS.with_borrow(|cache| cache.get(text.as_bytes()).cloned()) {
                return Ok(found);
            }
            let (body, flags) = split_wrapper(text.as_bytes());
            let compiled = Arc::new(CompiledRegex::new(compile(body, &flags).map_err(regex_error)?));
            STRING_PATTERNS.with_borrow_mut(|cache| {
                if cache.len() > 512 {
                    cache.clear();
                }
                cache.insert(text.as_bytes().to_vec(), compiled.clone());
            });
            Ok(compiled)
        }
        other => Err(RuntimeError::new(
            ErrorKind::Type,
            format!("a pattern must be a Regex or a string, found {}", other.type_name()),
        )
        .into()),
    }
}

fn regex_value(compiled: CompiledRegex) -> Value {
    Value::Object(Object::native(&REGEX_CLASS, Arc::new(compiled)))
}

/// The Regex object of a `#/pattern/flags` literal (built once, at compile time).
pub fn compile_literal(pattern: &[u8], flags: &str) -> Result<Value, String> {
    Ok(regex_value(CompiledRegex::new(compile(pattern, flags)?)))
}

/// `subject =~ pattern`. A Regex object's pattern is borrowed, not cloned: its reference count is shared
/// by every thread running the script.
pub fn is_match(pattern: &Value, subject: &[u8]) -> Fallible<bool> {
    let is_match = |compiled: &CompiledRegex| compiled.regex().is_match(subject).map_err(regex_error);
    match pattern {
        Value::Object(object) if object.is_native(&REGEX_CLASS) => {
            is_match(object.native_state::<Arc<CompiledRegex>>().ok_or_else(|| regex_error("broken Regex object"))?)
        }
        _ => is_match(&*regex_of(pattern)?),
    }
}

fn pattern_arg(args: &Args<'_>) -> Fallible<Arc<CompiledRegex>> {
    match args.any(0) {
        value @ (Value::String(_) | Value::Object(_)) => regex_of(value),
        _ => Err(args.type_error(0, "a Regex or a string")),
    }
}

/// The groups of one match: unmatched groups are "", trailing unmatched ones are left out, named groups
/// appear under their names too (Q-RE-1).
fn groups(regex: &Regex, captures: &pcre2::bytes::Captures<'_>) -> Array {
    let mut last = 0;
    for index in 0..captures.len() {
        if captures.get(index).is_some() {
            last = index;
        }
    }
    let names = regex.capture_names();
    let mut out = Array::new();
    let data = out.make_mut();
    for index in 0..=last {
        let text = captures.get(index).map_or(Vec::new(), |m| m.as_bytes().to_vec());
        data.insert(Key::Int(index as i64), Value::from(text.clone()));
        if let Some(Some(name)) = names.get(index) {
            data.insert(Key::from_str_key(Str::from(name.as_str())), Value::from(text));
        }
    }
    out
}

fn pcre_match(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let compiled = pattern_arg(args)?;
    let subject = args.bytes(1)?;
    match compiled.regex().captures(subject).map_err(regex_error)? {
        Some(captures) => Ok(Value::Array(groups(&compiled.regex(), &captures))),
        None => Ok(Value::Array(Array::new())),
    }
}

fn pcre_match_all(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let compiled = pattern_arg(args)?;
    let subject = args.bytes(1)?;
    let count = compiled.regex().captures_len();
    let mut columns: Vec<Vec<Value>> = vec![Vec::new(); count];
    for captures in compiled.regex().captures_iter(subject) {
        let captures = captures.map_err(regex_error)?;
        for (index, column) in columns.iter_mut().enumerate() {
            column.push(Value::from(captures.get(index).map_or(Vec::new(), |m| m.as_bytes().to_vec())));
        }
    }
    if columns.first().is_none_or(Vec::is_empty) {
        return Ok(Value::Array(Array::new()));
    }
    Ok(Value::Array(Array::from_values(columns.into_iter().map(|c| Value::Array(Array::from_values(c))))))
}

/// Expands `$0`..`$99` (and `${n}`) in a replacement string.
fn expand(template: &[u8], captures: &pcre2::bytes::Captures<'_>, out: &mut Vec<u8>) {
    let mut index = 0;
    while index < template.len() {
        if template[index] == b'$' {
            let braced = template.get(index + 1) == Some(&b'{');
            let start = index + 1 + usize::from(braced);
            let mut end = start;
            while end < template.len() && end - start < 2 && template[end].is_ascii_digit() {
                end += 1;
            }
            if end > start && (!braced || template.get(end) == Some(&b'}')) {
                let group: usize =
                    std::str::from_utf8(&template[start..end]).ok().and_then(|d| d.parse().ok()).unwrap_or(0);
                if let Some(m) = captures.get(group) {
                    out.extend_from_slice(m.as_bytes());
                }
                index = end + usize::from(braced);
                continue;
            }
        }
        out.push(template[index]);
        index += 1;
    }
}

fn pcre_replace(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let compiled = pattern_arg(args)?;
    let replacement = args.any(1);
    if !matches!(replacement, Value::String(_) | Value::Function(_)) {
        return Err(args.type_error(1, "a string or a function"));
    }
    let subject = args.bytes(2)?;
    let limit = args.opt_number(3, 0.0)?;
    let limit = if limit > 0.0 { limit as usize } else { usize::MAX };
    let mut out = Vec::with_capacity(subject.len());
    let mut last = 0;
    for (count, captures) in compiled.regex().captures_iter(subject).enumerate() {
        if count >= limit {
            break;
        }
        let captures = captures.map_err(regex_error)?;
        let Some(whole) = captures.get(0) else { continue };
        out.extend_from_slice(&subject[last..whole.start()]);
        match replacement {
            Value::String(template) => expand(template.as_bytes(), &captures, &mut out),
            function => {
                // The same shape as a pcre_match() result (Q-RE-1).
                let groups = groups(&compiled.regex(), &captures);
                let result = ctx.call(function, &[Value::Array(groups)])?;
                result.write_display(&mut out);
            }
        }
        last = whole.end();
        ctx.check_string_size(out.len())?;
    }
    out.extend_from_slice(&subject[last..]);
    Ok(Value::from(out))
}

fn pcre_quote(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let mut out = Vec::new();
    for &byte in args.bytes(0)? {
        if b".\\+*?[^]$(){}=!<>|:-#/".contains(&byte) {
            out.push(b'\\');
        }
        if byte == 0 {
            out.extend_from_slice(b"\\000");
            continue;
        }
        out.push(byte);
    }
    Ok(Value::from(out))
}

fn pcre_compile(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (body, flags) = split_wrapper(args.bytes(0)?);
    Ok(regex_value(CompiledRegex::new(compile(body, &flags).map_err(regex_error)?)))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "pcre_match",
        signature: "pcre_match(Regex|string pattern, string subject) → array",
        summary: "The first match and its groups ([0 => whole, 1 => group 1, ...]), or [].",
        example: "echo pcre_match(#/(\\d+)/, \"a42\"); // [0=>\"42\",1=>\"42\"]",
        min: 2,
        max: 2,
        func: pcre_match,
    },
    NativeDef {
        name: "pcre_match_all",
        signature: "pcre_match_all(Regex|string pattern, string subject) → array",
        summary: "Every match, grouped by capture group.",
        example: "echo pcre_match_all(#/\\d/, \"a1b2\"); // [0=>[0=>\"1\",1=>\"2\"]]",
        min: 2,
        max: 2,
        func: pcre_match_all,
    },
    NativeDef {
        name: "pcre_replace",
        signature: "pcre_replace(Regex|string pattern, string|function replacement, string subject, number limit = 0) → string",
        summary: "Replaces matches ($0..$n in a string; a function gets the groups).",
        example: "echo pcre_replace(#/o/, \"0\", \"foo\"); // f00",
        min: 3,
        max: 4,
        func: pcre_replace,
    },
    NativeDef {
        name: "pcre_quote",
        signature: "pcre_quote(string s) → string",
        summary: "Escapes every regex metacharacter.",
        example: "echo pcre_quote(\"a.b\"); // a\\.b",
        min: 1,
        max: 1,
        func: pcre_quote,
    },
    NativeDef {
        name: "pcre_compile",
        signature: "pcre_compile(string pattern) → Regex",
        summary: "Compiles a pattern (with an optional /.../flags wrapper) once.",
        example: "$re = pcre_compile(\"/^ok$/i\");",
        min: 1,
        max: 1,
        func: pcre_compile,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::testing::{call, error_kind};

    #[test]
    fn a_thread_in_an_ended_threads_slot_makes_its_own_clone() {
        let compiled = Arc::new(CompiledRegex::new(compile(b"a+", "").expect("compiles")));
        for _ in 0..3 {
            let compiled = compiled.clone();
            let thread = std::thread::spawn(move || {
                assert!(compiled.regex().is_match(b"caab").expect("matches"));
                let copy = compiled.per_thread.get().expect("made on first use");
                copy.thread.get() == THREAD_TAG.with(|tag| *tag)
            });
            assert!(thread.join().expect("no panic"), "the clone is this thread's own");
        }
    }

    #[test]
    fn a_literal_matches_alike_on_every_thread() {
        let literal = compile_literal(br"^[a-z]+[0-9]*\.", "").expect("compiles");
        let check = || {
            (0..100).all(|_| {
                is_match(&literal, b"mx3.example.net").expect("matches") && !is_match(&literal, b"[x]").expect("runs")
            })
        };
        assert!(check());
        // A pattern given as a string is compiled once per thread, from the same text.
        let text = Value::from(r"/^[A-Z]+[0-9]*\./i");
        assert!(is_match(&text, b"mx3.example.net").expect("matches"));
        assert!(std::thread::scope(|scope| scope
            .spawn(|| is_match(&text, b"MX3.x").expect("matches"))
            .join()
            .unwrap()));
        std::thread::scope(|scope| {
            let threads: Vec<_> = (0..3).map(|_| scope.spawn(check)).collect();
            assert!(threads.into_iter().all(|thread| thread.join().expect("no panic")));
        });
    }

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn wrappers_and_flags() {
        assert!(is_match(&s("/^OK$/i"), b"ok").unwrap());
        assert!(!is_match(&s("^OK$"), b"ok").unwrap());
        assert!(is_match(&compile_literal(b"a.c", "s").unwrap(), b"a\nc").unwrap());
        assert!(is_match(&s("(?<=a)b"), b"ab").unwrap());
        assert_eq!(error_kind(is_match(&s("("), b"x").map(Value::bool)), ErrorKind::Regex);
    }

    #[test]
    fn groups_follow_q_re_1() {
        let result = call("pcre_match", &[s("(a)(x)?(b)(y)?"), s("ab")]).unwrap();
        assert_eq!(result.to_display_string(), r#"[0=>"ab",1=>"a",2=>"",3=>"b"]"#);
        let named = call("pcre_match", &[s("(?<year>\\d{4})"), s("in 2024")]).unwrap();
        assert_eq!(named.to_display_string(), r#"[0=>"2024",1=>"2024","year"=>"2024"]"#);
        assert_eq!(call("pcre_match", &[s("z"), s("ab")]).unwrap().to_display_string(), "[]");
    }

    #[test]
    fn match_all_replace_quote() {
        let all = call("pcre_match_all", &[s("(\\d)"), s("a1b2")]).unwrap();
        assert_eq!(all.to_display_string(), r#"[0=>[0=>"1",1=>"2"],1=>[0=>"1",1=>"2"]]"#);
        assert_eq!(
            call("pcre_replace", &[s("(\\w+)@(\\w+)"), s("$2 at ${1}"), s("me@home")]).unwrap().to_display_string(),
            "home at me"
        );
        assert_eq!(
            call("pcre_replace", &[s("o"), s("0"), s("foo"), Value::number(1.0)]).unwrap().to_display_string(),
            "f0o"
        );
        assert_eq!(call("pcre_quote", &[s("a.b*c")]).unwrap().to_display_string(), "a\\.b\\*c");
        assert!(is_match(&call("pcre_compile", &[s("/^x$/i")]).unwrap(), b"X").unwrap());
    }

    #[test]
    fn replacement_function_gets_the_pcre_match_shape() {
        use crate::value::{Function, FunctionKind};
        let module = crate::stdlib::module();
        let string = Value::Function(Function::new(FunctionKind::Native(module.function("string").unwrap().clone())));
        // trailing unmatched groups are left out, named groups appear under their names too (Q-RE-1)
        let result = call("pcre_replace", &[s("(?<a>x)(y)?"), string, s("x")]).unwrap();
        assert_eq!(result.to_display_string(), r#"[0=>"x",1=>"x","a"=>"x"]"#);
    }

    #[test]
    fn bytes_without_u_and_utf8_with_u() {
        assert!(is_match(&s("^.{2}$"), "é".as_bytes()).unwrap());
        assert!(is_match(&s("/^.$/u"), "é".as_bytes()).unwrap());
    }
}
