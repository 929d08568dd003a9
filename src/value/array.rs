//! `Array`: HSL's ordered map with copy-on-write sharing.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use indexmap::{Equivalent, IndexMap};
use rustc_hash::FxBuildHasher;

use super::{Str, Value};

/// An array key after HSL's casting rules: an integer or a byte string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// An integer key (HSL casts numeric keys to 32-bit integers).
    Int(i64),
    /// A string key that is not a canonical integer.
    Str(Str),
}

/// A borrowed key, used to look up without building a [`Key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    /// An integer key.
    Int(i64),
    /// A string key (already known not to be a canonical integer).
    Str(&'a [u8]),
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state)
    }
}

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            KeyRef::Int(number) => {
                state.write_u8(0);
                state.write_i64(*number)
            }
            KeyRef::Str(bytes) => {
                state.write_u8(1);
                bytes.hash(state)
            }
        }
    }
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        *self == key.as_ref()
    }
}

impl Key {
    /// The borrowed form.
    #[inline]
    pub fn as_ref(&self) -> KeyRef<'_> {
        match self {
            Key::Int(number) => KeyRef::Int(*number),
            Key::Str(text) => KeyRef::Str(text.as_bytes()),
        }
    }

    /// A key from a string, casting canonical decimal integers that fit in i32 to integer keys.
    pub fn from_str_key(text: Str) -> Key {
        match canonical_int(text.as_bytes()) {
            Some(number) => Key::Int(number),
            None => Key::Str(text),
        }
    }

    /// The key as an HSL value.
    pub fn to_value(&self) -> Value {
        match self {
            Key::Int(number) => Value::Number(*number as f64),
            Key::Str(text) => Value::String(text.clone()),
        }
    }
}

impl<'a> KeyRef<'a> {
    /// A borrowed key from string bytes, with the same integer casting as [`Key::from_str_key`].
    pub fn from_bytes(bytes: &'a [u8]) -> KeyRef<'a> {
        match canonical_int(bytes) {
            Some(number) => KeyRef::Int(number),
            None => KeyRef::Str(bytes),
        }
    }
}

/// `0`, or an optional `-` then a non-zero digit and more digits, fitting in i32 (open question Q-ARR-1b).
pub fn canonical_int(bytes: &[u8]) -> Option<i64> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits[0] == b'0' && (digits.len() > 1 || bytes.len() > 1) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let number: i64 = text.parse().ok()?;
    (i32::MIN as i64..=i32::MAX as i64).contains(&number).then_some(number)
}

/// The map behind an [`Array`].
#[derive(Clone, Debug, Default)]
pub struct ArrayData {
    entries: IndexMap<Key, Value, FxBuildHasher>,
    next_index: i64,
}

/// An HSL array: an insertion-ordered map. Clones share the map until one side writes.
#[derive(Clone, Debug, Default)]
pub struct Array(Arc<ArrayData>);

impl Array {
    /// An empty array.
    pub fn new() -> Array {
        Array::default()
    }

    /// An empty array with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Array {
        Array(Arc::new(ArrayData {
            entries: IndexMap::with_capacity_and_hasher(capacity, FxBuildHasher),
            next_index: 0,
        }))
    }

    /// A list with keys 0..n.
    pub fn from_values(values: impl IntoIterator<Item = Value>) -> Array {
        let iter = values.into_iter();
        let mut array = Array::with_capacity(iter.size_hint().0);
        {
            let data = array.make_mut();
            for value in iter {
                data.push(value);
            }
        }
        array
    }

    /// An array from key/value pairs (later duplicates overwrite, keeping the first position).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Key, Value)>) -> Array {
        let mut array = Array::new();
        {
            let data = array.make_mut();
            for (key, value) in pairs {
                data.insert(key, value);
            }
        }
        array
    }

    /// The shared map (read-only).
    #[inline]
    pub fn data(&self) -> &ArrayData {
        &self.0
    }

    /// Mutable access, copying the map first if it is shared.
    #[inline]
    pub fn make_mut(&mut self) -> &mut ArrayData {
        Arc::make_mut(&mut self.0)
    }

    /// Whether both share one map.
    pub fn ptr_eq(&self, other: &Array) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Array {
    type Target = ArrayData;
    fn deref(&self) -> &ArrayData {
        &self.0
    }
}

impl ArrayData {
    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it has no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value at a key.
    #[inline]
    pub fn get(&self, key: KeyRef<'_>) -> Option<&Value> {
        self.entries.get(&key)
    }

    /// The value at a key, mutably.
    #[inline]
    pub fn get_mut(&mut self, key: KeyRef<'_>) -> Option<&mut Value> {
        self.entries.get_mut(&key)
    }

    /// Whether the key exists.
    pub fn contains_key(&self, key: KeyRef<'_>) -> bool {
        self.entries.contains_key(&key)
    }

    /// Inserts or overwrites (keeping the old position).
    pub fn insert(&mut self, key: Key, value: Value) {
        if let Key::Int(number) = key {
            self.bump_next_index(number);
        }
        self.entries.insert(key, value);
    }

    /// The slot for a key, created with none when missing.
    pub fn entry_mut(&mut self, key: Key) -> &mut Value {
        if let Key::Int(number) = key {
            self.bump_next_index(number);
        }
        self.entries.entry(key).or_insert(Value::None)
    }

    fn bump_next_index(&mut self, number: i64) {
        if number >= self.next_index {
            self.next_index = number + 1;
        }
    }

    /// Appends with the automatic index (highest integer key + 1) and returns that key.
    pub fn push(&mut self, value: Value) -> i64 {
        let index = self.next_index;
        self.next_index += 1;
        self.entries.insert(Key::Int(index), value);
        index
    }

    /// The next automatic index.
    pub fn next_index(&self) -> i64 {
        self.next_index
    }

    /// Removes a key, keeping the order of the others.
    pub fn remove(&mut self, key: KeyRef<'_>) -> Option<Value> {
        self.entries.shift_remove(&key)
    }

    /// Entries in order.
    pub fn iter(&self) -> indexmap::map::Iter<'_, Key, Value> {
        self.entries.iter()
    }

    /// Values in order.
    pub fn values(&self) -> indexmap::map::Values<'_, Key, Value> {
        self.entries.values()
    }

    /// Keys in order.
    pub fn keys(&self) -> indexmap::map::Keys<'_, Key, Value> {
        self.entries.keys()
    }

    /// The entry at a position.
    pub fn get_index(&self, position: usize) -> Option<(&Key, &Value)> {
        self.entries.get_index(position)
    }

    /// Whether the keys are exactly 0..n in order (a list).
    pub fn is_list(&self) -> bool {
        self.entries.keys().enumerate().all(|(position, key)| *key == Key::Int(position as i64))
    }

    /// Keeps entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &mut Value) -> bool) {
        self.entries.retain(|key, value| keep(key, value));
    }

    /// Reserves room for more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        self.ptr_eq(other)
            || (self.len() == other.len()
                && self.iter().zip(other.iter()).all(|((ka, va), (kb, vb))| ka == kb && va.strict_eq(vb)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_int_rules() {
        assert_eq!(canonical_int(b"0"), Some(0));
        assert_eq!(canonical_int(b"7"), Some(7));
        assert_eq!(canonical_int(b"-12"), Some(-12));
        assert_eq!(canonical_int(b"01"), None);
        assert_eq!(canonical_int(b"-0"), None);
        assert_eq!(canonical_int(b"+1"), None);
        assert_eq!(canonical_int(b" 1"), None);
        assert_eq!(canonical_int(b"1.0"), None);
        assert_eq!(canonical_int(b"2147483647"), Some(2147483647));
        assert_eq!(canonical_int(b"2147483648"), None);
        assert_eq!(canonical_int(b""), None);
    }

    #[test]
    fn push_uses_highest_integer_key() {
        let mut array = Array::new();
        let data = array.make_mut();
        data.push(Value::Number(1.0));
        data.insert(Key::Int(5), Value::Number(2.0));
        assert_eq!(data.push(Value::Number(3.0)), 6);
        data.insert(Key::Str("x".into()), Value::None);
        assert_eq!(data.push(Value::None), 7);
    }

    #[test]
    fn clones_are_copy_on_write() {
        let mut a = Array::from_values([Value::Number(1.0)]);
        let b = a.clone();
        a.make_mut().push(Value::Number(2.0));
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 1);
    }
}
