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
pub(crate) use convert::{truncate, whole_number};
pub use function::{Cell, ClassId, FnId, Function, FunctionKind, new_cell};
pub use object::{ClassRef, FieldAt, Fields, Object, ObjectData, ObjectState};
pub use resource::Resource;
pub(crate) use string::TextBuffer;
pub use string::{ByteSink, Str};

/// An HSL value.
// A word-sized tag and every payload a plain 64-bit word at offset 8 (the number and the boolean too, see
// [`Number`]): to the compiler a Value is then a scalar pair, passed and returned in two registers and moved
// as two words. An `f64` or `bool` payload makes it a 16-byte aggregate instead, moved with 16-byte loads
// that cannot be forwarded from the two 8-byte stores that wrote it, which stalled every hot clone and
// return. The tag's unused values still give `Option<Value>` its niche (16 bytes).
#[derive(Debug, Default)]
#[repr(C, u64)]
pub enum Value {
    /// `none`.
    #[default]
    None,
    /// `true` / `false`.
    Bool(Bool),
    /// Every HSL number is an IEEE double.
    Number(Number),
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

/// An HSL number: an IEEE double, kept as its bits so that [`Value`] has only integer and pointer payloads.
///
/// ```
/// use hsl::value::{Number, Value};
/// let number = Number::new(2.5);
/// assert_eq!(number.get(), 2.5);
/// assert!(matches!(Value::number(2.5), Value::Number(n) if n.get() == 2.5));
/// ```
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Number(u64);

impl Number {
    /// The number `value`.
    #[inline(always)]
    pub const fn new(value: f64) -> Number {
        Number(value.to_bits())
    }

    /// The double it holds.
    #[inline(always)]
    pub const fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl std::fmt::Debug for Number {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(formatter)
    }
}

impl From<f64> for Number {
    fn from(value: f64) -> Number {
        Number::new(value)
    }
}

/// An HSL boolean as a 64-bit word (see [`Number`] for why).
///
/// ```
/// use hsl::value::{Bool, Value};
/// assert!(Bool::new(true).get());
/// assert!(matches!(Value::bool(false), Value::Bool(Bool::False)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Bool {
    /// `false`.
    False = 0,
    /// `true`.
    True = 1,
}

impl Bool {
    /// The boolean `value`.
    #[inline(always)]
    pub const fn new(value: bool) -> Bool {
        match value {
            true => Bool::True,
            false => Bool::False,
        }
    }

    /// The `bool` it holds.
    #[inline(always)]
    pub const fn get(self) -> bool {
        matches!(self, Bool::True)
    }
}

impl std::fmt::Debug for Bool {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(formatter)
    }
}

impl From<bool> for Bool {
    fn from(value: bool) -> Bool {
        Bool::new(value)
    }
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

    /// A number value.
    #[inline(always)]
    pub const fn number(value: f64) -> Value {
        Value::Number(Number::new(value))
    }

    /// A boolean value.
    #[inline(always)]
    pub const fn bool(value: bool) -> Value {
        Value::Bool(Bool::new(value))
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
            Value::Bool(flag) => flag.get(),
            Value::Number(number) => number.get() != 0.0,
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
        Value::bool(flag)
    }
}
impl From<f64> for Value {
    fn from(number: f64) -> Value {
        Value::number(number)
    }
}
impl From<i64> for Value {
    fn from(number: i64) -> Value {
        Value::number(number as f64)
    }
}
impl From<usize> for Value {
    fn from(number: usize) -> Value {
        Value::number(number as f64)
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
    fn numbers_and_booleans_keep_their_value_and_print_it() {
        for number in [0.0, -0.0, 1.5, -3e300, f64::INFINITY, f64::MIN_POSITIVE] {
            assert_eq!(Number::new(number).get().to_bits(), number.to_bits());
        }
        assert!(Number::new(f64::NAN).get().is_nan());
        assert_eq!(format!("{:?}", Value::number(2.5)), "Number(2.5)");
        assert!(Bool::new(true).get() && !Bool::new(false).get());
        assert_eq!(format!("{:?}", Value::bool(true)), "Bool(true)");
    }

    #[test]
    fn truthiness_follows_the_table() {
        assert!(!Value::None.truthy());
        assert!(!Value::number(0.0).truthy());
        assert!(Value::number(f64::NAN).truthy());
        assert!(Value::from("0").truthy());
        assert!(!Value::from("").truthy());
        assert!(!Value::Array(Array::new()).truthy());
    }
}
