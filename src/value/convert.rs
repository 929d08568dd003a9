//! Conversions and comparisons between values (language.md §3.7, §3.8, §5.6).

use std::cmp::Ordering;

use super::{Array, ByteSink, FunctionKind, Value};

/// `number` as an `i64` when it is a whole number below 2^63 in size. (`fract()` and `trunc()` are library
/// calls on baseline x86-64, which has no rounding instruction before SSE4.1; two conversions are not.)
#[inline]
pub fn whole_number(number: f64) -> Option<i64> {
    let integer = number as i64; // saturates, and NaN gives 0
    (integer as f64 == number && number.abs() < 9.223_372_036_854_776e18).then_some(integer)
}

/// `number.trunc()` (but 0 for a negative fraction, not -0), with conversions instead of the library call.
#[inline]
pub fn truncate(number: f64) -> f64 {
    // From 2^52 up every double is whole already; below, the conversion is exact.
    if number.abs() < 4_503_599_627_370_496.0 { (number as i64) as f64 } else { number }
}

/// Number to string (open question Q-NUM-1): integral values below 2^63 print as integers, everything else as
/// the shortest round-trip decimal; `inf`, `-inf`, `nan` as words.
pub fn format_number(number: f64) -> String {
    if number.is_nan() {
        return "nan".to_string();
    }
    if number.is_infinite() {
        return if number > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if let Some(integer) = whole_number(number) {
        return integer.to_string();
    }
    format!("{number}")
}

/// Writes the number's string form into `out` without an intermediate `String` in the common integer case.
pub fn write_number(out: &mut impl ByteSink, number: f64) {
    if let Some(integer) = whole_number(number) {
        let mut buffer = itoa::Buffer::new();
        out.put(buffer.format(integer).as_bytes());
    } else {
        out.put(format_number(number).as_bytes());
    }
}

/// `number()` of a string (open question Q-CONV-1): trimmed ASCII whitespace, then `[+-]?digits(.digits)?`
/// or `[+-]?0x hex+`; anything else is `None` (which `number()` turns into 0).
pub fn parse_number(bytes: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(bytes).ok()?.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if let Some(hex) = body.strip_prefix("0x") {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        hex.bytes().fold(0.0f64, |acc, b| acc * 16.0 + (b as char).to_digit(16).unwrap_or(0) as f64)
    } else {
        let (whole, fraction) = match body.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (body, None),
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|part| !digits(part)) {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

impl Value {
    /// `number(v)`: numbers as they are, booleans 1/0, parsable strings, everything else 0.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Number(number) => number.get(),
            Value::Bool(flag) => f64::from(u8::from(flag.get())),
            Value::String(text) => parse_number(text.as_bytes()).unwrap_or(0.0),
            _ => 0.0,
        }
    }

    /// Appends the string form (language.md §3.8) to `out`.
    #[inline(always)]
    pub fn write_display(&self, out: &mut impl ByteSink) {
        match self {
            Value::String(text) => out.put(text.as_bytes()),
            other => other.write_nested(out),
        }
    }

    /// The string form as bytes.
    pub fn to_display(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_display(&mut out);
        out
    }

    /// The string form as lossy UTF-8 text (for messages and tests).
    pub fn to_display_string(&self) -> String {
        String::from_utf8_lossy(&self.to_display()).into_owned()
    }

    /// The form used inside arrays: strings quoted with `\` and `"` escaped.
    fn write_nested(&self, out: &mut impl ByteSink) {
        match self {
            Value::None => out.put(b"none"),
            Value::Bool(flag) => out.put(if flag.get() { b"true" } else { b"false" }),
            Value::Number(number) => write_number(out, number.get()),
            Value::String(text) => {
                out.put(b"\"");
                // Plain runs go in whole; each `"` and `\` gets a backslash before it.
                let mut rest = text.as_bytes();
                while let Some(at) = rest.iter().position(|&byte| byte == b'"' || byte == b'\\') {
                    out.put(&rest[..at]);
                    out.put(b"\\");
                    out.put(&rest[at..=at]);
                    rest = &rest[at + 1..];
                }
                out.put(rest);
                out.put(b"\"");
            }
            Value::Array(array) => write_array(array, out),
            Value::Function(function) => match function.kind() {
                FunctionKind::Native(native) => {
                    out.put(b"function ");
                    out.put(native.name.as_bytes());
                }
                _ => out.put(b"function"),
            },
            Value::Object(object) => out.put(object.class_name().as_bytes()),
            Value::Resource(resource) => out.put(resource.type_name().as_bytes()),
        }
    }

    /// Strict equality `===` (language.md §5.6, Q-OP-5).
    pub fn strict_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a.get() == b.get(),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Function(a), Value::Function(b)) => a.same(b),
            (Value::Object(a), Value::Object(b)) => a.ptr_eq(b),
            (Value::Resource(a), Value::Resource(b)) => a.ptr_eq(b),
            _ => false,
        }
    }

    /// Loose equality `==`, following the table of language.md §5.6.
    pub fn loose_eq(&self, other: &Value) -> bool {
        use Value as V;
        match (self, other) {
            (V::None, V::None) => true,
            (V::None, _) | (_, V::None) => false,
            (V::Bool(a), V::Number(b)) => f64::from(u8::from(a.get())) == b.get(),
            (V::Number(a), V::Bool(b)) => a.get() == f64::from(u8::from(b.get())),
            (V::Bool(a), _) => a.get() == other.truthy(),
            (_, V::Bool(b)) => self.truthy() == b.get(),
            (V::Number(a), V::Number(b)) => a.get() == b.get(),
            (V::Number(a), V::String(_)) => a.get() == other.to_number(),
            (V::String(_), V::Number(b)) => self.to_number() == b.get(),
            (V::Number(a), _) => a.get() == f64::from(u8::from(other.truthy())),
            (_, V::Number(b)) => f64::from(u8::from(self.truthy())) == b.get(),
            _ => self.strict_eq(other),
        }
    }

    /// Ordering for `<`, `<=`, `>`, `>=` (Q-OP-4): two strings compare bytewise, otherwise numbers
    /// (booleans as 1/0, strings converted). `None` for types that have no order, and for NaN.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => a.get().partial_cmp(&b.get()),
            (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (a, b) if a.is_ordered() && b.is_ordered() => a.to_number().partial_cmp(&b.to_number()),
            _ => None,
        }
    }

    fn is_ordered(&self) -> bool {
        matches!(self, Value::Number(_) | Value::Bool(_) | Value::String(_))
    }
}

fn write_array(array: &Array, out: &mut impl ByteSink) {
    out.put(b"[");
    for (position, (key, value)) in array.iter().enumerate() {
        if position > 0 {
            out.put(b",");
        }
        key.to_value().write_nested(out);
        out.put(b"=>");
        value.write_nested(out);
    }
    out.put(b"]");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Key;

    #[test]
    fn whole_numbers_and_truncation_agree_with_the_library() {
        let two_63 = 9_223_372_036_854_775_808.0;
        let cases = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            2.75,
            -2.75,
            1e15 + 0.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_993.0,
            1e18,
            two_63,
            -two_63,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for number in cases {
            let expected = (number.fract() == 0.0 && number.abs() < two_63).then_some(number as i64);
            assert_eq!(whole_number(number), expected, "{number}");
            let truncated = truncate(number);
            assert!(truncated == number.trunc() || (truncated.is_nan() && number.is_nan()), "{number}");
        }
    }

    #[test]
    fn numbers_print_without_trailing_zeros() {
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(0.1), "0.1");
        assert_eq!(format_number(1e21), "1000000000000000000000");
        assert_eq!(format_number(f64::INFINITY), "inf");
        assert_eq!(format_number(f64::NAN), "nan");
    }

    #[test]
    fn number_parsing_follows_q_conv_1() {
        assert_eq!(parse_number(b" 12 "), Some(12.0));
        assert_eq!(parse_number(b"-1.5"), Some(-1.5));
        assert_eq!(parse_number(b"0x1F"), Some(31.0));
        assert_eq!(parse_number(b"12abc"), None);
        assert_eq!(parse_number(b"1e3"), None);
        assert_eq!(parse_number(b"1_000"), None);
        assert_eq!(parse_number(b""), None);
        assert_eq!(parse_number(b"0x"), None);
        assert_eq!(parse_number(b".5"), None);
    }

    #[test]
    fn arrays_render_like_the_manual() {
        let inner = Array::from_values([Value::number(1.0)]);
        let array = Array::from_pairs([
            (Key::Str("domain".into()), Value::from("example.com")),
            (Key::Str("ok".into()), Value::bool(true)),
            (Key::Int(0), Value::Array(inner)),
        ]);
        assert_eq!(Value::Array(array).to_display_string(), r#"["domain"=>"example.com","ok"=>true,0=>[0=>1]]"#);
    }

    #[test]
    fn loose_equality_table() {
        let s = |t: &str| Value::from(t);
        assert!(s("10").loose_eq(&Value::number(10.0)));
        assert!(s("abc").loose_eq(&Value::number(0.0)));
        assert!(s("0").loose_eq(&Value::bool(true)));
        assert!(!Value::number(5.0).loose_eq(&Value::bool(true)));
        assert!(Value::Array(Array::new()).loose_eq(&Value::bool(false)));
        assert!(!Value::None.loose_eq(&Value::bool(false)));
        assert!(Value::None.loose_eq(&Value::None));
    }
}
