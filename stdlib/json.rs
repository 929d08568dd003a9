//! JSON (stdlib.md §7) through serde_json.

use serde_json::Value as Json;

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::json::{from_json, number_to_json};
use crate::value::{Key, Value};

/// HSL → JSON for `json_encode`: lists become arrays, other arrays objects. Functions, objects, resources
/// non-finite numbers and byte strings that are not UTF-8 (as values or keys) cannot be encoded (`None`,
/// stdlib.md §7: a JSON string is Unicode text).
fn encode(value: &Value, depth: usize) -> Option<Json> {
    if depth > 512 {
        return None;
    }
    Some(match value {
        Value::None => Json::Null,
        Value::Bool(flag) => Json::Bool(flag.get()),
        Value::Number(number) if number.get().is_finite() => number_to_json(number.get()),
        Value::String(text) => Json::String(std::str::from_utf8(text.as_bytes()).ok()?.to_owned()),
        Value::Array(array) if array.is_list() => {
            Json::Array(array.values().map(|v| encode(v, depth + 1)).collect::<Option<Vec<_>>>()?)
        }
        Value::Array(array) => Json::Object(
            array
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Key::Str(text) => std::str::from_utf8(text.as_bytes()).ok()?.to_owned(),
                        Key::Int(number) => number.to_string(),
                    };
                    Some((key, encode(v, depth + 1)?))
                })
                .collect::<Option<serde_json::Map<_, _>>>()?,
        ),
        _ => return None,
    })
}

/// `\uXXXX` for every non-ASCII character (option `ensure_ascii`, the default).
fn ascii_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn json_encode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let options = args.options(1, &["ensure_ascii", "pretty_print"])?;
    let ensure_ascii = options.boolean("ensure_ascii", true)?;
    let pretty = options.boolean("pretty_print", false)?;
    let Some(json) = encode(args.any(0), 0) else { return Ok(Value::None) };
    let text = if pretty { serde_json::to_string_pretty(&json) } else { serde_json::to_string(&json) };
    let Ok(text) = text else { return Ok(Value::None) };
    Ok(Value::from(if ensure_ascii { ascii_only(&text) } else { text }))
}

fn json_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let options = args.options(1, &["allow_comments"])?;
    let Ok(text) = std::str::from_utf8(args.bytes(0)?) else { return Ok(Value::None) };
    let text =
        if options.boolean("allow_comments", false)? { super::strip_json_comments(text) } else { text.to_string() };
    Ok(serde_json::from_str::<Json>(&text).map_or(Value::None, |json| from_json(&json)))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "json_encode",
        signature: "json_encode(any v, array? options) → string|none",
        summary: "JSON text; lists become arrays, other arrays objects. Options ensure_ascii (default true), pretty_print.",
        example: "echo json_encode([\"a\" => [1, 2]]); // {\"a\":[1,2]}",
        min: 1,
        max: 2,
        func: json_encode,
    },
    NativeDef {
        name: "json_decode",
        signature: "json_decode(string s, array? options) → any",
        summary: "Parses JSON (objects become associative arrays); none on a syntax error. Option allow_comments.",
        example: "echo json_decode(\"[1,2]\")[1]; // 2",
        min: 1,
        max: 2,
        func: json_decode,
    },
];

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::call;
    use crate::value::{Array, Key, Value};

    #[test]
    fn encode_shapes() {
        let value = Value::Array(Array::from_pairs([
            (Key::Str("a".into()), Value::Array(Array::from_values([Value::number(1.0), Value::bool(true)]))),
            (Key::Int(5), Value::from("é")),
        ]));
        assert_eq!(
            call("json_encode", std::slice::from_ref(&value)).unwrap().to_display_string(),
            r#"{"a":[1,true],"5":"\u00e9"}"#
        );
        let options = Value::Array(Array::from_pairs([(Key::Str("ensure_ascii".into()), Value::bool(false))]));
        assert_eq!(call("json_encode", &[value, options]).unwrap().to_display_string(), r#"{"a":[1,true],"5":"é"}"#);
        assert!(call("json_encode", &[Value::number(f64::NAN)]).unwrap().is_none());
    }

    #[test]
    fn decode_and_errors() {
        assert_eq!(
            call("json_decode", &[Value::from(r#"{"a":[1,null]}"#)]).unwrap().to_display_string(),
            r#"["a"=>[0=>1,1=>none]]"#
        );
        assert!(call("json_decode", &[Value::from("{bad")]).unwrap().is_none());
        let options = Value::Array(Array::from_pairs([(Key::Str("allow_comments".into()), Value::bool(true))]));
        assert_eq!(call("json_decode", &[Value::from("[1 /* c */]"), options]).unwrap().to_display_string(), "[0=>1]");
    }
}
