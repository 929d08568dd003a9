//! `Str`: HSL's byte string. One thin pointer to one heap block, shared by clones, with copy-on-write
//! mutation.
//!
//! The block is a [`triomphe::ThinArc`], 24 bytes of header then the bytes: `[count | len | capacity |
//! bytes; capacity]`. The reference count has no weak half (one atomic operation per clone or drop), `len` is
//! our header (the bytes in use) and the capacity is the slice length `ThinArc` keeps, so a uniquely held
//! string appends into its spare room (`.=` in a loop is amortized O(1)) and a shared one is copied first.

use std::fmt;
use std::hash::{Hash, Hasher};

use triomphe::{Arc, ThinArc};

/// The smallest capacity a string grows to when an append does not fit.
const MIN_GROWTH: usize = 16;

/// Zero bytes to fill the spare room of a small new block with one copy.
static ZEROS: [u8; 256] = [0; 256];

/// An immutable-looking byte string. Clones share the block; the mutating methods ([`Str::push_bytes`],
/// [`Str::truncate`], [`Str::edit`]) copy it only when another clone still holds it.
#[derive(Clone)]
pub struct Str(ThinArc<usize, u8>);

/// Something a value's string form can be written into: a byte vector, or a [`Str`]'s own block (which
/// spares building the bytes elsewhere and copying them in).
pub trait ByteSink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl ByteSink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl ByteSink for Str {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.push_bytes(bytes);
    }
}

/// A new block holding `bytes`, with room for `capacity` bytes in all.
fn block(bytes: &[u8], capacity: usize) -> ThinArc<usize, u8> {
    let len = bytes.len();
    if capacity <= len {
        return ThinArc::from_header_and_slice(len, bytes);
    }
    let mut block = match ZEROS.get(..capacity) {
        Some(zeros) => ThinArc::from_header_and_slice(len, zeros),
        None => ThinArc::from_header_and_iter(len, std::iter::repeat_n(0, capacity)),
    };
    if len > 0 {
        block.with_arc_mut(|arc| {
            Arc::get_mut(arc).expect("a new block has one owner").slice_mut()[..len].copy_from_slice(bytes)
        });
    }
    block
}

impl Str {
    /// A string holding a copy of `bytes` (text, a byte slice or vector), in one allocation.
    #[inline]
    pub fn new(bytes: impl AsRef<[u8]>) -> Str {
        let bytes = bytes.as_ref();
        Str(ThinArc::from_header_and_slice(bytes.len(), bytes))
    }

    /// An empty string with room for `capacity` bytes before it has to grow.
    pub fn with_capacity(capacity: usize) -> Str {
        Str(block(&[], capacity))
    }

    /// The bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0.slice[..self.0.header.header]
    }

    /// The address of the block (the same for every clone).
    pub fn address(&self) -> usize {
        self.0.ptr() as usize
    }

    /// Length in bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.0.header.header
    }

    /// Whether the string is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many bytes the block holds before an append has to move the string to a bigger one.
    pub fn capacity(&self) -> usize {
        self.0.slice.len()
    }

    /// Appends `bytes`: in place when this is the only clone and they fit; otherwise into a new block
    /// with at least twice the length (copy-on-write, and amortized O(1) growth).
    #[inline]
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        let len = self.len();
        let Some(end) = len.checked_add(bytes.len()) else { panic!("string length overflows usize") };
        let appended = self.0.with_arc_mut(|arc| match Arc::get_mut(arc) {
            Some(block) if block.length() >= end => {
                block.slice_mut()[len..end].copy_from_slice(bytes);
                *block.header_mut() = end;
                true
            }
            _ => false,
        });
        if !appended {
            self.grow_and_push(bytes, end);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_and_push(&mut self, bytes: &[u8], end: usize) {
        let len = self.len();
        let capacity = end.max(len.saturating_mul(2)).max(MIN_GROWTH);
        let mut grown = block(self.as_bytes(), capacity);
        grown.with_arc_mut(|arc| {
            let block = Arc::get_mut(arc).expect("a new block has one owner");
            block.slice_mut()[len..end].copy_from_slice(bytes);
            *block.header_mut() = end;
        });
        self.0 = grown;
    }

    /// Shortens the string to `len` bytes (nothing when it is not longer), keeping the capacity when this is
    /// the only clone.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let done = self.0.with_arc_mut(|arc| match Arc::get_mut(arc) {
            Some(block) => {
                *block.header_mut() = len;
                true
            }
            None => false,
        });
        if !done {
            *self = Str::new(&self.as_bytes()[..len]);
        }
    }

    /// Changes the bytes in place (their number stays), copying them first if they are shared.
    pub fn edit<R>(&mut self, change: impl FnOnce(&mut [u8]) -> R) -> R {
        let len = self.len();
        if !self.0.with_arc_mut(|arc| arc.is_unique()) {
            *self = Str::new(self.as_bytes());
        }
        self.0.with_arc_mut(|arc| change(&mut Arc::get_mut(arc).expect("copied if shared").slice_mut()[..len]))
    }

    /// Replaces the bytes in `range` with `with` (which may be longer or shorter).
    pub fn replace_range(&mut self, range: std::ops::Range<usize>, with: &[u8]) {
        let bytes = self.as_bytes();
        let mut out = Str::with_capacity(bytes.len() - range.len() + with.len());
        out.push_bytes(&bytes[..range.start]);
        out.push_bytes(with);
        out.push_bytes(&bytes[range.end..]);
        *self = out;
    }

    /// The bytes as UTF-8 text, with invalid sequences replaced.
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }

    /// Whether both point at the same allocation.
    pub fn ptr_eq(&self, other: &Str) -> bool {
        std::ptr::eq(self.0.ptr(), other.0.ptr())
    }
}

impl Default for Str {
    fn default() -> Str {
        Str::new([])
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.as_bytes() == other.as_bytes()
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
        Str::new(text)
    }
}
impl From<String> for Str {
    fn from(text: String) -> Str {
        Str::new(text)
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
    use std::hash::BuildHasher;

    #[test]
    fn one_pointer_with_a_niche() {
        assert_eq!(std::mem::size_of::<Str>(), 8);
        assert_eq!(std::mem::size_of::<Option<Str>>(), 8);
    }

    #[test]
    fn push_copies_only_when_shared() {
        let mut a = Str::from("ab");
        let b = a.clone();
        assert!(a.ptr_eq(&b));
        a.push_bytes(b"c");
        assert!(!a.ptr_eq(&b));
        assert_eq!(a.as_bytes(), b"abc");
        assert_eq!(b.as_bytes(), b"ab");
        let before = a.as_bytes().as_ptr();
        a.push_bytes(b"d");
        assert_eq!(before, a.as_bytes().as_ptr());
        assert_eq!(a.as_bytes(), b"abcd");
    }

    #[test]
    fn appends_grow_geometrically_in_place() {
        let mut text = Str::new("x");
        assert_eq!(text.capacity(), 1);
        let mut moves = 0;
        let mut expected = b"x".to_vec();
        for i in 0..10_000u32 {
            let piece = i.to_string();
            let before = text.as_bytes().as_ptr();
            text.push_bytes(piece.as_bytes());
            expected.extend_from_slice(piece.as_bytes());
            if text.as_bytes().as_ptr() != before {
                moves += 1;
            }
            assert!(text.capacity() >= text.len());
        }
        assert_eq!(text.as_bytes(), &expected[..]);
        // Doubling: about log2(38 894 / 16) moves, not one per append.
        assert!(moves <= 14, "{moves} moves");
        // Large blocks (past the zero buffer) are built correctly too.
        assert!(text.capacity() > ZEROS.len());
    }

    #[test]
    fn with_capacity_fills_without_moving() {
        for capacity in [0, 1, 255, 256, 257, 4096] {
            let mut text = Str::with_capacity(capacity);
            assert!(text.is_empty());
            assert_eq!(text.as_bytes(), b"");
            assert_eq!(text.capacity(), capacity);
            let first = text.as_bytes().as_ptr();
            for _ in 0..capacity {
                text.push_bytes(b"z");
            }
            assert_eq!(text.as_bytes(), vec![b'z'; capacity]);
            if capacity > 0 {
                assert_eq!(text.as_bytes().as_ptr(), first);
            }
        }
    }

    #[test]
    fn empty_strings() {
        let empty = Str::default();
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
        assert_eq!(empty.as_bytes(), b"");
        assert_eq!(empty, Str::from(""));
        assert_eq!(empty, Str::with_capacity(100));
        let mut grown = empty.clone();
        grown.push_bytes(b"");
        assert!(grown.is_empty());
        grown.push_bytes(b"a");
        assert_eq!(grown.as_bytes(), b"a");
        assert!(empty.is_empty());
        assert_eq!(format!("{empty:?}|{empty}"), "\"\"|");
    }

    #[test]
    fn equality_order_and_hash_ignore_capacity() {
        let exact = Str::from("hello");
        let mut roomy = Str::with_capacity(64);
        roomy.push_bytes(b"hel");
        roomy.push_bytes(b"lo");
        let mut truncated = Str::from("hello, world");
        truncated.truncate(5);
        let hasher = std::collections::hash_map::RandomState::new();
        for other in [&roomy, &truncated] {
            assert_eq!(&exact, other);
            assert_eq!(exact.cmp(other), std::cmp::Ordering::Equal);
            assert_eq!(hasher.hash_one(&exact), hasher.hash_one(other));
        }
        assert_ne!(exact.capacity(), roomy.capacity());
        assert!(Str::from("a") < Str::from("ab"));
        assert!(Str::from("i") > roomy);
    }

    #[test]
    fn truncate_and_edit_copy_only_when_shared() {
        let mut a = Str::from("abcdef");
        let b = a.clone();
        a.truncate(3);
        assert_eq!((a.as_bytes(), b.as_bytes()), (&b"abc"[..], &b"abcdef"[..]));
        let before = a.as_bytes().as_ptr();
        a.truncate(9);
        a.truncate(2);
        assert_eq!(a.as_bytes(), b"ab");
        assert_eq!(a.as_bytes().as_ptr(), before);
        // The room a truncation frees is reused, and the cut bytes do not come back.
        a.push_bytes(b"Z");
        assert_eq!(a.as_bytes(), b"abZ");
        assert_eq!(a.as_bytes().as_ptr(), before);

        let c = a.clone();
        a.edit(|bytes| bytes.make_ascii_uppercase());
        assert_eq!((a.as_bytes(), c.as_bytes()), (&b"ABZ"[..], &b"abZ"[..]));
        let before = a.as_bytes().as_ptr();
        assert_eq!(a.edit(|bytes| bytes.len()), 3);
        assert_eq!(a.as_bytes().as_ptr(), before);
    }

    #[test]
    fn replace_range_splices() {
        let mut a = Str::from("hello world");
        let b = a.clone();
        a.replace_range(0..5, b"goodbye");
        assert_eq!(a.as_bytes(), b"goodbye world");
        a.replace_range(7..13, b"");
        assert_eq!(a.as_bytes(), b"goodbye");
        a.replace_range(7..7, b"!");
        assert_eq!(a.as_bytes(), b"goodbye!");
        assert_eq!(b.as_bytes(), b"hello world");
    }

    #[test]
    fn sinks_append() {
        let mut text = Str::from("a");
        text.put(b"bc");
        let mut bytes = b"a".to_vec();
        bytes.put(b"bc");
        assert_eq!(text.as_bytes(), &bytes[..]);
    }
}
