//! Conversions between HSL values and JSON (fixtures, `--format json`, `json_encode`/`json_decode`).

use serde_json::Value as Json;

use super::{Array, Key, Value};

/// JSON → HSL: objects become associative arrays, arrays lists, `null` none.
pub fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::None,
        Json::Bool(flag) => Value::bool(*flag),
        Json::Number(number) => Value::number(number.as_f64().unwrap_or(f64::NAN)),
        Json::String(text) => Value::from(text.as_str()),
        Json::Array(items) => Value::Array(Array::from_values(items.iter().map(from_json))),
        Json::Object(map) => Value::Array(Array::from_pairs(
            map.iter().map(|(key, value)| (Key::from_str_key(key.as_str().into()), from_json(value))),
        )),
    }
}

/// HSL → JSON for reporting: lists become arrays, other arrays objects, non-data values their string form.
/// Strings that are not UTF-8 are converted lossily; non-finite numbers become `null`.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::None => Json::Null,
        Value::Bool(flag) => Json::Bool(flag.get()),
        Value::Number(number) => number_to_json(number.get()),
        Value::String(text) => Json::String(text.to_str_lossy().into_owned()),
        Value::Array(array) if array.is_list() => Json::Array(array.values().map(to_json).collect()),
        Value::Array(array) => Json::Object(
            array.iter().map(|(key, value)| (key.to_value().to_display_string(), to_json(value))).collect(),
        ),
        other => Json::String(other.to_display_string()),
    }
}

/// A number as JSON: integral values as integers, the rest as floats, non-finite as `null`.
pub fn number_to_json(number: f64) -> Json {
    if let Some(integer) = super::whole_number(number).filter(|integer| integer.unsigned_abs() < 1 << 53) {
        Json::from(integer)
    } else {
        serde_json::Number::from_f64(number).map_or(Json::Null, Json::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_data() {
        let json: Json = serde_json::from_str(r#"{"a":[1,2.5,"x"],"7":true,"n":null}"#).unwrap();
        let value = from_json(&json);
        let array = value.as_array().unwrap();
        assert!(array.contains_key(super::super::KeyRef::Int(7)));
        assert_eq!(to_json(&value), json);
    }
}
