//! A small type schema for hook globals, used to validate fixtures and host inputs (disconnect.md §2).

use crate::value::{Array, Key, KeyRef, Value};

/// The expected shape of a value.
#[derive(Clone, Debug)]
pub enum Schema {
    /// Anything (`$context`).
    Any,
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// A list whose items all match.
    List(Box<Schema>),
    /// An associative array with known keys; unknown keys are rejected.
    Record(Vec<Field>),
    /// An empty array (`$transaction` in disconnect).
    Empty,
    /// A host resource of the named type (`X509Resource`).
    Resource(&'static str),
}

/// One key of a [`Schema::Record`].
#[derive(Clone, Debug)]
pub struct Field {
    /// Key name.
    pub name: &'static str,
    /// Its shape.
    pub schema: Schema,
    /// Whether it must be present.
    pub required: bool,
}

impl Field {
    /// A required field.
    pub fn required(name: &'static str, schema: Schema) -> Field {
        Field { name, schema, required: true }
    }

    /// An optional field (absent when not supplied, never present-with-none).
    pub fn optional(name: &'static str, schema: Schema) -> Field {
        Field { name, schema, required: false }
    }
}

/// A value that does not match its schema: where (a dotted path) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// `connection.remoteport`.
    pub path: String,
    /// `expected a number, found a string`.
    pub message: String,
}

fn article(type_name: &str) -> String {
    match type_name.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

impl Schema {
    /// Describes the schema in words ("a number", "a list of strings").
    pub fn describe(&self) -> String {
        match self {
            Schema::Any => "any value".into(),
            Schema::String => "a string".into(),
            Schema::Number => "a number".into(),
            Schema::Boolean => "a boolean".into(),
            Schema::List(item) => format!("a list of {}", plural(&item.describe())),
            Schema::Record(_) => "an object".into(),
            Schema::Empty => "an empty array".into(),
            Schema::Resource(name) => format!("{} (a PEM certificate in fixtures)", article(name)),
        }
    }

    /// Checks `value`, appending every mismatch with its path.
    pub fn check(&self, value: &Value, path: &str, errors: &mut Vec<SchemaError>) {
        let mismatch = |errors: &mut Vec<SchemaError>| {
            errors.push(SchemaError {
                path: path.to_string(),
                message: format!("expected {}, found {}", self.describe(), describe_value(value)),
            })
        };
        match (self, value) {
            (Schema::Any, _) => {}
            (Schema::Number, Value::Number(n)) if !n.get().is_finite() => mismatch(errors),
            (Schema::String, Value::String(_))
            | (Schema::Number, Value::Number(_))
            | (Schema::Boolean, Value::Bool(_)) => {}
            (Schema::List(item), Value::Array(array)) if array.is_list() => {
                for (index, entry) in array.values().enumerate() {
                    item.check(entry, &format!("{path}[{index}]"), errors);
                }
            }
            (Schema::Record(fields), Value::Array(array)) => check_record(fields, array, path, errors),
            (Schema::Empty, Value::Array(array)) if array.is_empty() => {}
            (Schema::Resource(name), Value::Resource(resource)) if resource.type_name() == *name => {}
            _ => mismatch(errors),
        }
    }
}

fn plural(text: &str) -> String {
    let noun = text.strip_prefix("a ").or_else(|| text.strip_prefix("an ")).unwrap_or(text);
    format!("{noun}s")
}

fn check_record(fields: &[Field], array: &Array, path: &str, errors: &mut Vec<SchemaError>) {
    let join = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    for field in fields {
        match array.get(KeyRef::Str(field.name.as_bytes())) {
            Some(value) => field.schema.check(value, &join(field.name), errors),
            None if field.required => errors.push(SchemaError {
                path: join(field.name),
                message: format!("missing (expected {})", field.schema.describe()),
            }),
            None => {}
        }
    }
    for key in array.keys() {
        let known = match &key {
            Key::Str(name) => fields.iter().any(|field| field.name.as_bytes() == name.as_bytes()),
            Key::Int(_) => false,
        };
        if !known {
            let name = key.to_value().to_display_string();
            let expected: Vec<&str> = fields.iter().map(|field| field.name).collect();
            errors.push(SchemaError {
                path: join(&name),
                message: format!("unknown field (expected one of: {})", expected.join(", ")),
            });
        }
    }
}

/// A value's type in fixture words ("a string", "an object").
pub fn describe_value(value: &Value) -> String {
    match value {
        Value::Array(array) if array.is_list() && !array.is_empty() => "a list".into(),
        Value::Array(array) if array.is_empty() => "an empty array".into(),
        Value::Array(_) => "an object".into(),
        Value::None => "null".into(),
        other => article(other.type_name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_paths_and_types() {
        let schema = Schema::Record(vec![Field::required("remoteport", Schema::Number)]);
        let value = Value::Array(Array::from_pairs([(Key::Str("remoteport".into()), Value::from("x"))]));
        let mut errors = Vec::new();
        schema.check(&value, "connection", &mut errors);
        assert_eq!(errors[0].path, "connection.remoteport");
        assert_eq!(errors[0].message, "expected a number, found a string");
    }

    #[test]
    fn missing_and_unknown_fields() {
        let schema = Schema::Record(vec![Field::required("close", Schema::String)]);
        let value = Value::Array(Array::from_pairs([(Key::Str("extra".into()), Value::bool(true))]));
        let mut errors = Vec::new();
        schema.check(&value, "arguments", &mut errors);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].path, "arguments.close");
        assert!(errors[1].message.starts_with("unknown field"));
    }

    #[test]
    fn lists_check_each_item() {
        let schema = Schema::List(Box::new(Schema::Number));
        let value = Value::Array(Array::from_values([Value::number(1.0), Value::from("2")]));
        let mut errors = Vec::new();
        schema.check(&value, "reply.enhanced", &mut errors);
        assert_eq!(errors[0].path, "reply.enhanced[1]");
        assert_eq!(Schema::List(Box::new(Schema::String)).describe(), "a list of strings");
    }
}
