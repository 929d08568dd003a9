//! Strings (stdlib.md §3): byte oriented, ASCII-only case mapping. Also the `%` format operator and string
//! repetition, which the evaluator calls for the operators.

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::{Array, Str, Value, format_number};

/// `%` formatting (language.md §5.5): `%[argument][[fill]align][width][.precision]type`.
pub fn format(template: &[u8], values: &Array) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(template.len());
    let mut next = 0usize;
    let mut index = 0;
    while index < template.len() {
        let byte = template[index];
        if byte != b'%' {
            out.push(byte);
            index += 1;
            continue;
        }
        index += 1;
        if template.get(index) == Some(&b'%') {
            out.push(b'%');
            index += 1;
            continue;
        }
        let mut argument = None;
        if template.get(index) == Some(&b'[') {
            let end = template[index..].iter().position(|b| *b == b']').map(|p| index + p);
            let Some(end) = end else { return Err("unterminated `%[` in format string".into()) };
            let digits = std::str::from_utf8(&template[index + 1..end]).unwrap_or("");
            argument = Some(digits.parse::<usize>().map_err(|_| format!("invalid argument index `{digits}`"))?);
            index = end + 1;
        }
        let mut fill = b' ';
        let mut align = None;
        if template.get(index) == Some(&b'\'') {
            let Some(&f) = template.get(index + 1) else {
                return Err("`'` must be followed by a fill character".into());
            };
            fill = f;
            index += 2;
            match template.get(index) {
                Some(&a @ (b'<' | b'>' | b'^' | b'=')) => {
                    align = Some(a);
                    index += 1;
                }
                _ => return Err("a fill character must be followed by an alignment (< > ^ =)".into()),
            }
        } else if let Some(&a @ (b'<' | b'>' | b'^' | b'=')) = template.get(index) {
            align = Some(a);
            index += 1;
        }
        let mut width = 0usize;
        while let Some(digit) = template.get(index).filter(|b| b.is_ascii_digit()) {
            width = width.saturating_mul(10).saturating_add(usize::from(digit - b'0'));
            index += 1;
        }
        let mut precision = None;
        if template.get(index) == Some(&b'.') {
            index += 1;
            let mut value = 0usize;
            while let Some(digit) = template.get(index).filter(|b| b.is_ascii_digit()) {
                value = value.saturating_mul(10).saturating_add(usize::from(digit - b'0'));
                index += 1;
            }
            precision = Some(value);
        }
        let Some(&kind) = template.get(index) else { return Err("format string ends inside a placeholder".into()) };
        index += 1;
        if width > 1 << 20 {
            return Err("format width is too large".into());
        }
        // Rust's formatter panics past u16::MAX digits (`%.70000f`); no double has that many anyway.
        if kind == b'f' && precision.is_some_and(|p| p > usize::from(u16::MAX)) {
            return Err("format precision is too large".into());
        }
        let position = argument.unwrap_or(next);
        next = position + 1;
        let value = values.get_index(position).map(|(_, v)| v).ok_or_else(|| {
            format!(
                "format string needs a value at position {position}, but only {} {} given",
                values.len(),
                if values.len() == 1 { "was" } else { "were" }
            )
        })?;
        let (text, numeric) = match kind {
            b's' => {
                let mut text = value.to_display();
                if let Some(precision) = precision {
                    text.truncate(precision);
                }
                (text, false)
            }
            b'f' => {
                let number = value.to_number();
                let text = match precision {
                    Some(precision) if number.is_finite() => format!("{number:.precision$}"),
                    _ => format_number(number),
                };
                (text.into_bytes(), true)
            }
            b'x' | b'b' => {
                let number = value.to_number();
                let integer = if number.is_finite() { number as i64 } else { 0 };
                let text = if kind == b'x' { format!("{:x}", integer as u64) } else { format!("{:b}", integer as u64) };
                let text = if integer < 0 && integer >= i64::from(i32::MIN) {
                    if kind == b'x' {
                        format!("{:x}", integer as i32 as u32)
                    } else {
                        format!("{:b}", integer as i32 as u32)
                    }
                } else {
                    text
                };
                (text.into_bytes(), true)
            }
            b'c' => (vec![(value.to_number() as i64 & 0xff) as u8], false),
            other => return Err(format!("unknown format type `{}`", other as char)),
        };
        let align = align.unwrap_or(if numeric { b'>' } else { b'<' });
        let padding = width.saturating_sub(text.len());
        match align {
            b'<' => {
                out.extend_from_slice(&text);
                out.extend(std::iter::repeat_n(fill, padding));
            }
            b'^' => {
                out.extend(std::iter::repeat_n(fill, padding / 2));
                out.extend_from_slice(&text);
                out.extend(std::iter::repeat_n(fill, padding - padding / 2));
            }
            b'=' if text.first() == Some(&b'-') => {
                out.push(b'-');
                out.extend(std::iter::repeat_n(fill, padding));
                out.extend_from_slice(&text[1..]);
            }
            _ => {
                out.extend(std::iter::repeat_n(fill, padding));
                out.extend_from_slice(&text);
            }
        }
    }
    Ok(out)
}

/// String repetition for `*` (language.md §5.4): counts truncate; negative counts are errors.
pub fn repeat(bytes: &[u8], count: f64) -> Result<Vec<u8>, String> {
    if count.is_nan() || count < 0.0 {
        return Err("cannot repeat a string a negative number of times".into());
    }
    let times = count as usize; // truncates, and saturates past usize::MAX
    if bytes.len().saturating_mul(times) > 1 << 30 {
        return Err("the repeated string would be too large".into());
    }
    Ok(bytes.repeat(times))
}

fn integer(args: &Args<'_>, index: usize, default: f64) -> Fallible<i64> {
    let number = args.opt_number(index, default)?;
    if !number.is_finite() {
        return Err(args.value_error(format!("argument {} must be a finite number", index + 1)));
    }
    Ok(number as i64) // truncates toward zero and saturates
}

fn chr(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let code = integer(args, 0, 0.0)?;
    match u8::try_from(code) {
        Ok(byte) => Ok(Value::string([byte].as_slice())),
        // the number as given, not as clamped to i64 (`chr(10 ** 300)`)
        Err(_) => Err(args.value_error(format!("{} is outside 0–255", format_number(args.number(0)?)))),
    }
}

fn ord(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    match args.bytes(0)?.first() {
        Some(byte) => Ok(Value::number(f64::from(*byte))),
        None => Err(args.value_error("the string is empty")),
    }
}

fn str_repeat(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let bytes = args.bytes(0)?;
    let count = args.number(1)?;
    ctx.check_string_size(bytes.len().saturating_mul(count.max(0.0).min(usize::MAX as f64) as usize))?;
    repeat(bytes, count).map(Value::from).map_err(|message| args.value_error(message))
}

/// The first position of `needle` in `haystack`: `memchr` for one byte (the usual delimiter), else a
/// substring search that does not compare a window at every position.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [byte] => memchr::memchr(*byte, haystack),
        _ => memchr::memmem::find(haystack, needle),
    }
}

/// The last position of `needle` in `haystack` (`haystack.len()` for an empty needle).
fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [byte] => memchr::memrchr(*byte, haystack),
        _ => memchr::memmem::rfind(haystack, needle),
    }
}

fn str_replace(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (search, replace, subject) = (args.bytes(0)?, args.bytes(1)?, args.bytes(2)?);
    if search.is_empty() {
        return Ok(Value::string(subject));
    }
    let mut out = Str::with_capacity(subject.len());
    let mut rest = subject;
    while let Some(position) = find(rest, search) {
        out.push_bytes(&rest[..position]);
        out.push_bytes(replace);
        rest = &rest[position + search.len()..];
        ctx.check_string_size(out.len())?;
    }
    out.push_bytes(rest);
    Ok(Value::String(out))
}

fn str_split(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (text, delimiter) = (args.bytes(0)?, args.bytes(1)?);
    let limit = integer(args, 2, 0.0)?;
    if delimiter.is_empty() {
        return Err(args.value_error("the delimiter is empty"));
    }
    // Every piece, and every run of pieces a limit joins back together, is a range of `text`: the values are
    // built straight from it, with no intermediate vectors.
    let piece = |range: std::ops::Range<usize>| Value::String(Str::from(&text[range]));
    let mut values = Vec::new();
    if limit >= 0 {
        // A positive limit keeps `limit - 1` pieces and the rest of the text as the last one.
        let splits = if limit > 0 { limit as usize - 1 } else { usize::MAX };
        let mut start = 0;
        while values.len() < splits
            && let Some(position) = find(&text[start..], delimiter)
        {
            values.push(piece(start..start + position));
            start += position + delimiter.len();
        }
        values.push(piece(start..text.len()));
    } else {
        // A negative limit keeps the last `-limit - 1` pieces and joins the ones before them.
        let mut ends = Vec::new();
        let mut start = 0;
        while let Some(position) = find(&text[start..], delimiter) {
            ends.push((start + position, start + position + delimiter.len()));
            start += position + delimiter.len();
        }
        // Pieces `0..=first` are joined: the prefix ends where piece `first` does.
        let first = ends.len() - (limit.unsigned_abs() as usize - 1).min(ends.len());
        let mut start = 0;
        for &(end, next) in &ends[first..] {
            values.push(piece(start..end));
            start = next;
        }
        values.push(piece(start..text.len()));
    }
    Ok(Value::Array(Array::from_values(values)))
}

/// A start offset: negative counts from the end (Q-LIB-4), clamped to the string.
fn start_offset(len: usize, offset: i64) -> usize {
    if offset < 0 { len.saturating_sub(offset.unsigned_abs() as usize) } else { (offset as usize).min(len) }
}

fn str_find(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (text, needle) = (args.bytes(0)?, args.bytes(1)?);
    let offset = start_offset(text.len(), integer(args, 2, 0.0)?);
    Ok(Value::number(find(&text[offset..], needle).map_or(-1.0, |p| (p + offset) as f64)))
}

fn str_rfind(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (text, needle) = (args.bytes(0)?, args.bytes(1)?);
    let offset = integer(args, 2, 0.0)?.max(0) as usize;
    let end = text.len().saturating_sub(offset);
    Ok(Value::number(rfind(&text[..end], needle).map_or(-1.0, |p| p as f64)))
}

fn str_lower(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    change_case(args, u8::is_ascii_uppercase, <[u8]>::make_ascii_lowercase)
}

fn str_upper(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    change_case(args, u8::is_ascii_lowercase, <[u8]>::make_ascii_uppercase)
}

/// The first argument with `change` applied. Text with no byte that `needs` it (the usual case for host
/// names) is shared, not copied.
fn change_case(args: &Args<'_>, needs: fn(&u8) -> bool, change: fn(&mut [u8])) -> Fallible<Value> {
    let text = args.string(0)?;
    if !text.as_bytes().iter().any(needs) {
        return Ok(Value::String(text.clone()));
    }
    let mut changed = text.clone();
    changed.edit(change);
    Ok(Value::String(changed))
}

/// PHP `substr` semantics (Q-LIB-4).
fn str_slice(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let text = args.bytes(0)?;
    let start = start_offset(text.len(), integer(args, 1, 0.0)?);
    let end = match args.get(2) {
        None | Some(Value::None) => text.len(),
        Some(_) => {
            let length = integer(args, 2, 0.0)?;
            if length < 0 {
                text.len().saturating_sub(length.unsigned_abs() as usize).max(start)
            } else {
                start.saturating_add(length as usize).min(text.len())
            }
        }
    };
    Ok(Value::string(&text[start..end]))
}

fn strip_set(args: &Args<'_>) -> Fallible<Vec<u8>> {
    Ok(match args.opt_string(1)? {
        Some(chars) => chars.as_bytes().to_vec(),
        None => b" \t\r\n".to_vec(),
    })
}

fn strip(args: &Args<'_>, left: bool, right: bool) -> Fallible<Value> {
    let text = args.bytes(0)?;
    let set = strip_set(args)?;
    let start = if left { text.iter().position(|b| !set.contains(b)).unwrap_or(text.len()) } else { 0 };
    let end = if right { text.iter().rposition(|b| !set.contains(b)).map_or(start, |p| p + 1) } else { text.len() };
    Ok(Value::string(&text[start..end.max(start)]))
}

fn str_strip(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    strip(args, true, true)
}

fn str_lstrip(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    strip(args, true, false)
}

fn str_rstrip(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    strip(args, false, true)
}

fn str_chunk(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let text = args.bytes(0)?;
    let length = integer(args, 1, 0.0)?;
    if length <= 0 {
        return Err(args.value_error("the chunk length must be positive"));
    }
    let mut chunks = Vec::new();
    let mut rest = text;
    if args.get(2).is_some() {
        let first = integer(args, 2, 0.0)?;
        if first <= 0 {
            return Err(args.value_error("the first chunk length must be positive"));
        }
        let split = (first as usize).min(rest.len());
        chunks.push(Value::string(&rest[..split]));
        rest = &rest[split..];
    }
    for chunk in rest.chunks(length as usize) {
        chunks.push(Value::string(chunk));
    }
    Ok(Value::Array(Array::from_values(chunks)))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "chr",
        signature: "chr(number n) → string",
        summary: "The one-byte string with code n (0–255).",
        example: "echo chr(65); // A",
        min: 1,
        max: 1,
        func: chr,
    },
    NativeDef {
        name: "ord",
        signature: "ord(string c) → number",
        summary: "The code (0–255) of the first byte.",
        example: "echo ord(\"A\"); // 65",
        min: 1,
        max: 1,
        func: ord,
    },
    NativeDef {
        name: "str_repeat",
        signature: "str_repeat(string s, number n) → string",
        summary: "s repeated n times.",
        example: "echo str_repeat(\"ab\", 3); // ababab",
        min: 2,
        max: 2,
        func: str_repeat,
    },
    NativeDef {
        name: "str_replace",
        signature: "str_replace(string search, string replace, string subject) → string",
        summary: "Replaces every occurrence of search (case-sensitive).",
        example: "echo str_replace(\"a\", \"o\", \"banana\"); // bonono",
        min: 3,
        max: 3,
        func: str_replace,
    },
    NativeDef {
        name: "str_split",
        signature: "str_split(string s, string delimiter, number limit = 0) → array",
        summary: "Splits on a literal delimiter; a positive limit keeps the rest in the last part, a negative one counts from the right.",
        example: "echo str_split(\"a b c\", \" \", -2); // [0=>\"a b\",1=>\"c\"]",
        min: 2,
        max: 3,
        func: str_split,
    },
    NativeDef {
        name: "str_find",
        signature: "str_find(string s, string needle, number offset = 0) → number",
        summary: "Byte position of the first occurrence at or after offset, or -1.",
        example: "echo str_find(\"hello\", \"l\"); // 2",
        min: 2,
        max: 3,
        func: str_find,
    },
    NativeDef {
        name: "str_rfind",
        signature: "str_rfind(string s, string needle, number offset = 0) → number",
        summary: "Byte position of the last occurrence (offset counts from the end), or -1.",
        example: "echo str_rfind(\"hello\", \"l\"); // 3",
        min: 2,
        max: 3,
        func: str_rfind,
    },
    NativeDef {
        name: "str_lower",
        signature: "str_lower(string s) → string",
        summary: "ASCII letters lowered; other bytes untouched.",
        example: "echo str_lower(\"MX.Example\"); // mx.example",
        min: 1,
        max: 1,
        func: str_lower,
    },
    NativeDef {
        name: "str_upper",
        signature: "str_upper(string s) → string",
        summary: "ASCII letters raised; other bytes untouched.",
        example: "echo str_upper(\"ehlo\"); // EHLO",
        min: 1,
        max: 1,
        func: str_upper,
    },
    NativeDef {
        name: "str_slice",
        signature: "str_slice(string s, number offset, number? length) → string",
        summary: "The bytes from offset (negative counts from the end), optionally length bytes (negative stops before the end).",
        example: "echo str_slice(\"Halon\", 1, 3); // alo",
        min: 2,
        max: 3,
        func: str_slice,
    },
    NativeDef {
        name: "str_strip",
        signature: "str_strip(string s, string? chars) → string",
        summary: "Removes the given bytes (default space, tab, CR, LF) from both ends.",
        example: "echo str_strip(\"  x \"); // x",
        min: 1,
        max: 2,
        func: str_strip,
    },
    NativeDef {
        name: "str_lstrip",
        signature: "str_lstrip(string s, string? chars) → string",
        summary: "Removes the given bytes from the start.",
        example: "echo str_lstrip(\"xxy\", \"x\"); // y",
        min: 1,
        max: 2,
        func: str_lstrip,
    },
    NativeDef {
        name: "str_rstrip",
        signature: "str_rstrip(string s, string? chars) → string",
        summary: "Removes the given bytes from the end.",
        example: "echo str_rstrip(\"line\\r\\n\"); // line",
        min: 1,
        max: 2,
        func: str_rstrip,
    },
    NativeDef {
        name: "str_chunk",
        signature: "str_chunk(string s, number length, number? firstlength) → array",
        summary: "Splits into pieces of length bytes; the first piece may have its own length.",
        example: "echo str_chunk(\"abcde\", 2); // [0=>\"ab\",1=>\"cd\",2=>\"e\"]",
        min: 2,
        max: 3,
        func: str_chunk,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    fn show(value: Fallible<Value>) -> String {
        value.unwrap().to_display_string()
    }

    #[test]
    fn format_examples_from_the_spec() {
        let values = Array::from_values([s("ann"), Value::number(7.5)]);
        assert_eq!(format(b"%s scored %'0>6.2f", &values).unwrap(), b"ann scored 007.50");
        let values = Array::from_values([s("a"), s("b")]);
        assert_eq!(format(b"%[1]s-%[0]s", &values).unwrap(), b"b-a");
        assert_eq!(format(b"100%%", &Array::new()).unwrap(), b"100%");
        assert_eq!(format(b"%5s|", &Array::from_values([s("ab")])).unwrap(), b"ab   |");
        assert_eq!(format(b"%5f|", &Array::from_values([Value::number(1.5)])).unwrap(), b"  1.5|");
        assert_eq!(
            format(b"%x %b %c", &Array::from_values([Value::number(255.0), Value::number(5.0), Value::number(65.0)]))
                .unwrap(),
            b"ff 101 A"
        );
        assert_eq!(format(b"%'*^7s", &Array::from_values([s("ab")])).unwrap(), b"**ab***");
        assert_eq!(format(b"%'0=6f", &Array::from_values([Value::number(-12.0)])).unwrap(), b"-00012");
        assert_eq!(format(b"%.2s", &Array::from_values([s("abc")])).unwrap(), b"ab");
        assert!(format(b"%s %s", &Array::from_values([s("a")])).is_err());
        assert!(format(b"%q", &Array::from_values([s("a")])).is_err());
    }

    #[test]
    fn split_limits() {
        assert_eq!(show(call("str_split", &[s("a b c"), s(" ")])), r#"[0=>"a",1=>"b",2=>"c"]"#);
        assert_eq!(show(call("str_split", &[s("a b c"), s(" "), Value::number(2.0)])), r#"[0=>"a",1=>"b c"]"#);
        assert_eq!(show(call("str_split", &[s("a b c"), s(" "), Value::number(-2.0)])), r#"[0=>"a b",1=>"c"]"#);
        assert_eq!(error_kind(call("str_split", &[s("abc"), s("")])), ErrorKind::Value);
    }

    #[test]
    fn case_changes_share_text_that_does_not_change() {
        let shared = |name: &str, text: &str| {
            let input = Str::from(text);
            match call(name, &[Value::String(input.clone())]).unwrap() {
                Value::String(output) => output.ptr_eq(&input),
                other => panic!("{other:?}"),
            }
        };
        assert!(shared("str_lower", "mail.example.com"));
        assert!(shared("str_upper", "HELO 1"));
        assert!(!shared("str_lower", "Mail1.Example.COM"));
        assert_eq!(show(call("str_lower", &[s("Mail1.Example.COM")])), "mail1.example.com");
        assert_eq!(show(call("str_upper", &[s("ehlo 1")])), "EHLO 1");
    }

    #[test]
    fn str_split_limits_join_the_cut_pieces() {
        let split = |text: &str, delimiter: &str, limit: f64| {
            show(call("str_split", &[s(text), s(delimiter), Value::number(limit)]))
        };
        assert_eq!(split("a.b.c.d", ".", 0.0), r#"[0=>"a",1=>"b",2=>"c",3=>"d"]"#);
        assert_eq!(split("a.b.c.d", ".", 1.0), r#"[0=>"a.b.c.d"]"#);
        assert_eq!(split("a.b.c.d", ".", 3.0), r#"[0=>"a",1=>"b",2=>"c.d"]"#);
        assert_eq!(split("a.b.c.d", ".", 9.0), r#"[0=>"a",1=>"b",2=>"c",3=>"d"]"#);
        assert_eq!(split("a.b.c.d", ".", -1.0), r#"[0=>"a.b.c.d"]"#);
        assert_eq!(split("a.b.c.d", ".", -3.0), r#"[0=>"a.b",1=>"c",2=>"d"]"#);
        assert_eq!(split("a.b.c.d", ".", -9.0), r#"[0=>"a",1=>"b",2=>"c",3=>"d"]"#);
        assert_eq!(split("", ".", 0.0), r#"[0=>""]"#);
        assert_eq!(split(".a.", ".", 0.0), r#"[0=>"",1=>"a",2=>""]"#);
        // Matches are found left to right even when cutting from the right.
        assert_eq!(split("aaaaa", "aa", 0.0), r#"[0=>"",1=>"",2=>"a"]"#);
        assert_eq!(split("aaaaa", "aa", -2.0), r#"[0=>"aa",1=>"a"]"#);
        assert_eq!(split("x::y::z", "::", 2.0), r#"[0=>"x",1=>"y::z"]"#);
        assert_eq!(split("x::y::z", "::", -2.0), r#"[0=>"x::y",1=>"z"]"#);
        // Limits truncate toward zero, and huge ones saturate.
        assert_eq!(split("a.b.c.d", ".", 2.9), r#"[0=>"a",1=>"b.c.d"]"#);
        assert_eq!(split("a.b.c.d", ".", -2.9), r#"[0=>"a.b.c",1=>"d"]"#);
        assert_eq!(split("a.b.c.d", ".", 0.5), r#"[0=>"a",1=>"b",2=>"c",3=>"d"]"#);
        assert_eq!(split("a.b.c.d", ".", 1e300), r#"[0=>"a",1=>"b",2=>"c",3=>"d"]"#);
        assert_eq!(split("a.b.c.d", ".", -1e300), r#"[0=>"a",1=>"b",2=>"c",3=>"d"]"#);
        assert!(call("str_split", &[s("a.b"), s("."), Value::number(f64::INFINITY)]).is_err());
    }

    #[test]
    fn repeat_truncates_its_count() {
        assert_eq!(repeat(b"ab", 2.9).unwrap(), b"abab");
        assert_eq!(repeat(b"ab", 0.5).unwrap(), b"");
        assert!(repeat(b"ab", 1e300).is_err());
        assert!(repeat(b"ab", f64::NAN).is_err());
    }

    #[test]
    fn find_and_slice() {
        assert_eq!(call("str_find", &[s("hello"), s("l")]).unwrap().to_number(), 2.0);
        assert_eq!(call("str_find", &[s("hello"), s("z")]).unwrap().to_number(), -1.0);
        assert_eq!(call("str_find", &[s("hello"), s("l"), Value::number(-2.0)]).unwrap().to_number(), 3.0);
        assert_eq!(call("str_rfind", &[s("hello"), s("l")]).unwrap().to_number(), 3.0);
        assert_eq!(show(call("str_slice", &[s("Halon"), Value::number(1.0), Value::number(3.0)])), "alo");
        assert_eq!(show(call("str_slice", &[s("Halon"), Value::number(-3.0)])), "lon");
        assert_eq!(show(call("str_slice", &[s("Halon"), Value::number(1.0), Value::number(-1.0)])), "alo");
        assert_eq!(show(call("str_slice", &[s("Halon"), Value::number(9.0)])), "");
    }

    #[test]
    fn find_and_rfind_agree_with_a_window_scan() {
        let naive = |haystack: &[u8], needle: &[u8]| {
            let first = (0..=haystack.len()).find(|&at| haystack[at..].starts_with(needle));
            let last = (0..=haystack.len()).rev().find(|&at| haystack[at..].starts_with(needle));
            (first, last)
        };
        let haystacks: [&[u8]; 5] = [b"", b"a", b"abcabcab", b"aaaaa", b"x::y::z::"];
        let needles: [&[u8]; 7] = [b"", b"a", b"ab", b"abc", b"aa", b"::", b"abcabcabc"];
        for haystack in haystacks {
            for needle in needles {
                assert_eq!((find(haystack, needle), rfind(haystack, needle)), naive(haystack, needle));
            }
        }
    }

    #[test]
    fn case_strip_and_chunks() {
        assert_eq!(show(call("str_upper", &[Value::from(b"\xffab".to_vec())])).as_bytes(), "\u{fffd}AB".as_bytes());
        assert_eq!(show(call("str_strip", &[s(" \tx\r\n")])), "x");
        assert_eq!(show(call("str_rstrip", &[s("xx--"), s("-")])), "xx");
        assert_eq!(
            show(call("str_chunk", &[s("abcde"), Value::number(2.0), Value::number(1.0)])),
            r#"[0=>"a",1=>"bc",2=>"de"]"#
        );
        assert_eq!(error_kind(call("str_chunk", &[s("abc"), Value::number(0.0)])), ErrorKind::Value);
    }

    #[test]
    fn bytes_and_errors() {
        assert_eq!(show(call("chr", &[Value::number(65.0)])), "A");
        assert_eq!(error_kind(call("chr", &[Value::number(256.0)])), ErrorKind::Value);
        match call("chr", &[Value::number(1e20)]).unwrap_err().take() {
            crate::error::Interrupt::Error(error) => {
                assert_eq!(error.message, "chr(): 100000000000000000000 is outside 0–255")
            }
            other => panic!("expected an error, got {other:?}"),
        }
        assert_eq!(error_kind(call("ord", &[s("")])), ErrorKind::Value);
        assert_eq!(error_kind(call("str_lower", &[Value::number(1.0)])), ErrorKind::Type);
        assert_eq!(show(call("str_replace", &[s(""), s("x"), s("abc")])), "abc");
        assert_eq!(show(call("str_repeat", &[s("ab"), Value::number(2.9)])), "abab");
        assert_eq!(error_kind(call("str_repeat", &[s("ab"), Value::number(-1.0)])), ErrorKind::Value);
    }
}
