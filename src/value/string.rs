//! `Str`: HSL's byte string. A thin `Arc` pointer with copy-on-write mutation.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// An immutable-looking byte string. Clones share the bytes; [`Str::make_mut`] copies them only when
/// another clone still holds them, so `.=` in a loop appends in place.
#[derive(Clone, Default)]
pub struct Str(Arc<Vec<u8>>);

impl Str {
    /// A string from bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Str {
        Str(Arc::new(bytes.into()))
    }

    /// The bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the string is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Mutable access to the bytes, copying them first if they are shared.
    #[inline]
    pub fn make_mut(&mut self) -> &mut Vec<u8> {
        Arc::make_mut(&mut self.0)
    }

    /// The bytes as UTF-8 text, with invalid sequences replaced.
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// Whether both point at the same allocation.
    pub fn ptr_eq(&self, other: &Str) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.0 == other.0
    }
}
impl Eq for Str {}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Str {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_str_lossy())
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

impl From<&str> for Str {
    fn from(text: &str) -> Str {
        Str::new(text.as_bytes())
    }
}
impl From<String> for Str {
    fn from(text: String) -> Str {
        Str::new(text.into_bytes())
    }
}
impl From<Vec<u8>> for Str {
    fn from(bytes: Vec<u8>) -> Str {
        Str::new(bytes)
    }
}
impl From<&[u8]> for Str {
    fn from(bytes: &[u8]) -> Str {
        Str::new(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_mut_copies_only_when_shared() {
        let mut a = Str::from("ab");
        let b = a.clone();
        a.make_mut().push(b'c');
        assert_eq!(a.as_bytes(), b"abc");
        assert_eq!(b.as_bytes(), b"ab");
        let before = a.as_bytes().as_ptr();
        a.make_mut().push(b'd');
        assert_eq!(before, a.as_bytes().as_ptr());
    }
}
