//! HSL values: 16 bytes each, cheap to clone, `Send + Sync` so compiled scripts can share constants.

mod array;
mod convert;
mod function;
mod object;
mod resource;
mod string;

pub mod json;

pub use array::{
    Array, ArrayData, Iter as ArrayIter, Key, KeyRef, KeyStr, Keys as ArrayKeys, Values as ArrayValues, canonical_int,
};
pub use convert::{format_number, parse_number};
pub use function::{Cell, ClassId, FnId, Function, FunctionKind, new_cell};
pub use object::{ClassRef, FieldAt, Fields, Object, ObjectData, ObjectState};
pub use resource::Resource;
pub use string::{ByteSink, Str};

/// An HSL value.
// A word-sized tag and every payload (the boolean too) at offset 8: a Value is two plain words with no
// padding. With Rust's default layout the boolean sat at offset 1, and moves copied bytes 1..8 as
// overlapping 4-byte pieces that stalled store forwarding on every hot clone and return. The tag's unused
// values still give `Option<Value>` its niche (16 bytes).
#[derive(Debug, Default)]
#[repr(C, u64)]
pub enum Value {
    /// `none`.
    #[default]
    None,
    /// `true` / `false`.
    Bool(bool),
    /// Every HSL number is an IEEE double.
    Number(f64),
    /// A byte string.
    String(Str),
    /// An ordered map.
    Array(Array),
    /// A callable.
    Function(Function),
    /// A class instance or builtin object (reference semantics).
    Object(Object),
    /// An opaque host handle (reference semantics).
    Resource(Resource),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Clone for Value {
    /// Inline for the plain variants (a clone is then two register moves), out of line for the
    /// reference-counted ones.
    #[inline(always)]
    fn clone(&self) -> Value {
        match self {
            Value::Number(number) => Value::Number(*number),
            Value::None => Value::None,
            Value::Bool(flag) => Value::Bool(*flag),
            shared => shared.clone_shared(),
        }
    }
}

impl Value {
    #[inline(never)]
    fn clone_shared(&self) -> Value {
        match self {
            Value::None => Value::None,
            Value::Bool(flag) => Value::Bool(*flag),
            Value::Number(number) => Value::Number(*number),
            Value::String(text) => Value::String(text.clone()),
            Value::Array(array) => Value::Array(array.clone()),
            Value::Function(function) => Value::Function(function.clone()),
            Value::Object(object) => Value::Object(object.clone()),
            Value::Resource(resource) => Value::Resource(resource.clone()),
        }
    }
}
const _: () = assert!(std::mem::size_of::<Option<Value>>() == 16);

impl Value {
    /// The HSL type name, as used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Function(_) => "function",
            Value::Object(_) => "object",
            Value::Resource(_) => "resource",
        }
    }

    /// A string value from text or bytes.
    pub fn string(text: impl Into<Str>) -> Value {
        Value::String(text.into())
    }

    /// Whether this is `none`.
    #[inline]
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// HSL truthiness (language.md §3.7).
    #[inline]
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(flag) => *flag,
            Value::Number(number) => *number != 0.0,
            Value::String(text) => !text.is_empty(),
            Value::Array(array) => !array.is_empty(),
            Value::Function(_) | Value::Object(_) | Value::Resource(_) => true,
        }
    }

    /// The array inside, if this is one.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Array(array) => Some(array),
            _ => None,
        }
    }

    /// The string inside, if this is one.
    pub fn as_str(&self) -> Option<&Str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(flag: bool) -> Value {
        Value::Bool(flag)
    }
}
impl From<f64> for Value {
    fn from(number: f64) -> Value {
        Value::Number(number)
    }
}
impl From<i64> for Value {
    fn from(number: i64) -> Value {
        Value::Number(number as f64)
    }
}
impl From<usize> for Value {
    fn from(number: usize) -> Value {
        Value::Number(number as f64)
    }
}
impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(text.into())
    }
}
impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::String(text.into())
    }
}
impl From<Str> for Value {
    fn from(text: Str) -> Value {
        Value::String(text)
    }
}
impl From<Vec<u8>> for Value {
    fn from(bytes: Vec<u8>) -> Value {
        Value::String(bytes.into())
    }
}
impl From<Array> for Value {
    fn from(array: Array) -> Value {
        Value::Array(array)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(option: Option<T>) -> Value {
        option.map_or(Value::None, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_sixteen_bytes_and_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_send_sync::<Value>();
    }

    #[test]
    fn truthiness_follows_the_table() {
        assert!(!Value::None.truthy());
        assert!(!Value::Number(0.0).truthy());
        assert!(Value::Number(f64::NAN).truthy());
        assert!(Value::from("0").truthy());
        assert!(!Value::from("").truthy());
        assert!(!Value::Array(Array::new()).truthy());
    }
}
