//! `Str`: HSL's byte string, one word. A string of up to [`INLINE_CAPACITY`] bytes (7 on 64-bit targets)
//! lives in the word itself; a longer one in one heap block shared by clones, with copy-on-write mutation.
//!
//! Most strings a hook handles are short (a HELO verb, a TLS version, a label of a host name, the
//! `"local"` an outcome is set to), and an inline one costs no allocation, and no atomic reference count
//! to clone or drop: in the embedding benchmark, dropping values was 14% of the run, two thirds of that
//! strings' locked decrements.
//!
//! The block is a [`triomphe::ThinArc`], 24 bytes of header then the bytes: `[count | len | capacity |
//! bytes; capacity]`. The reference count has no weak half (one atomic operation per clone or drop), `len` is
//! our header (the bytes in use) and the capacity is the slice length `ThinArc` keeps, so a uniquely held
//! string appends into its spare room (`.=` in a loop is amortized O(1)) and a shared one is copied first.
//!
//! The word tells the two apart by its lowest bit: a block is 8-aligned, so its address has the bit clear;
//! an inline string sets it, and keeps its length in the rest of the lowest byte and its bytes in the others.

// The one other module with `unsafe`: a word that is either bytes or a block's pointer is a tagged pointer.
#![allow(unsafe_code)]

use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroUsize;
use std::ptr::NonNull;

use triomphe::{Arc, ThinArc};

/// A shared heap block: the bytes in use as the header, the capacity as the slice.
type Block = ThinArc<usize, u8>;

/// How many bytes a string keeps in its own word: all but the lowest byte, which marks it inline.
pub const INLINE_CAPACITY: usize = size_of::<usize>() - 1;

/// Where an inline string's bytes start in its word's memory: after the lowest byte (the inline bit and the
/// length) on a little-endian target, before it on a big-endian one.
const FIRST_BYTE: usize = if cfg!(target_endian = "little") { 1 } else { 0 };

/// Where the word's lowest byte sits in its memory.
const MARKER_BYTE: usize = if cfg!(target_endian = "little") { 0 } else { INLINE_CAPACITY };

/// An inline string's word, as the bytes of its memory.
type WordBytes = [u8; size_of::<usize>()];

/// The smallest capacity a string grows to when an append does not fit.
const MIN_GROWTH: usize = 16;

/// Zero bytes to fill the spare room of a small new block with one copy.
static ZEROS: [u8; 256] = [0; 256];

/// An immutable-looking byte string. Clones share the block; the mutating methods ([`Str::push_bytes`],
/// [`Str::truncate`], [`Str::edit`]) copy it only when another clone still holds it.
///
/// ```
/// use hsl::value::Str;
/// let short = Str::from("EHLO");
/// let long = Str::from("TLS_AES_256_GCM_SHA384");
/// assert_eq!((short.as_bytes(), long.len()), (&b"EHLO"[..], 22));
/// assert_eq!(std::mem::size_of::<Str>(), std::mem::size_of::<usize>());
/// ```
// Invariant: the word is either a `Block` pointer this string owns one count of (lowest bit clear), or an
// inline string without provenance (lowest bit set, length in bits 1..8 of the lowest byte).
pub struct Str(NonNull<u8>);

// SAFETY: a `Str` is plain bytes or one count of a `Block`, and a `ThinArc<usize, u8>` is `Send` and `Sync`.
unsafe impl Send for Str {}
// SAFETY: as for `Send`; `&Str` only reads.
unsafe impl Sync for Str {}

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

/// Copies `source` into the start of `target`. Short copies, which is most of what strings are built
/// from, take two fixed-size moves that may overlap; a copy of a length the compiler does not know is a call
/// to `memcpy` otherwise.
#[inline(always)]
pub(crate) fn copy_bytes(target: &mut [u8], source: &[u8]) {
    let len = source.len();
    let target = &mut target[..len];
    match len {
        0 => {}
        1..=3 => {
            target[0] = source[0];
            target[len / 2] = source[len / 2];
            target[len - 1] = source[len - 1];
        }
        4..=7 => {
            target[..4].copy_from_slice(&source[..4]);
            target[len - 4..].copy_from_slice(&source[len - 4..]);
        }
        8..=16 => {
            target[..8].copy_from_slice(&source[..8]);
            target[len - 8..].copy_from_slice(&source[len - 8..]);
        }
        _ => target.copy_from_slice(source),
    }
}

/// A reusable buffer that text is rendered into (an interpolation, an `echo`): a vector kept filled to its
/// capacity, and the length in use beside it, so that appending a short piece is [`copy_bytes`] into room
/// that is already there.
#[derive(Default)]
pub struct TextBuffer {
    room: Vec<u8>,
    len: usize,
}

impl TextBuffer {
    /// The bytes written since the last [`TextBuffer::clear`].
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.room[..self.len]
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// How many bytes fit before the buffer grows.
    pub fn capacity(&self) -> usize {
        self.room.len()
    }

    /// Empties the buffer, keeping its room.
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// [`ByteSink::put`] of a piece longer than 16 bytes or one the room lacks space for.
    #[cold]
    #[inline(never)]
    fn put_long(&mut self, bytes: &[u8]) {
        let Some(end) = self.len.checked_add(bytes.len()) else { panic!("text length overflows usize") };
        if end > self.room.len() {
            self.grow(end);
        }
        self.room[self.len..end].copy_from_slice(bytes);
        self.len = end;
    }

    fn grow(&mut self, end: usize) {
        let room = end.max(self.room.len() * 2).max(64);
        self.room.resize(room, 0);
    }
}

impl ByteSink for TextBuffer {
    /// Appends `bytes`. A short piece that fits is the fast path: with its length known to be at most 16,
    /// the copy is [`copy_bytes`]' fixed-size moves and nothing in it calls out, so it saves no registers.
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let start = self.len;
        let end = start.wrapping_add(bytes.len());
        if bytes.len() <= 16 && end <= self.room.len() {
            copy_bytes(&mut self.room[start..end], bytes);
            self.len = end;
        } else {
            self.put_long(bytes);
        }
    }
}

/// A new block holding `bytes`, with room for `capacity` bytes in all.
fn block(bytes: &[u8], capacity: usize) -> Block {
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
    /// A string holding a copy of `bytes` (text, a byte slice or vector): in its own word when they fit,
    /// otherwise in one allocation.
    #[inline]
    pub fn new(bytes: impl AsRef<[u8]>) -> Str {
        let bytes = bytes.as_ref();
        match bytes.len() <= INLINE_CAPACITY {
            true => Str::inline(bytes),
            false => Str::from_block(ThinArc::from_header_and_slice(bytes.len(), bytes)),
        }
    }

    /// An empty string with room for `capacity` bytes before it has to grow.
    pub fn with_capacity(capacity: usize) -> Str {
        match capacity <= INLINE_CAPACITY {
            true => Str::inline(&[]),
            false => Str::from_block(block(&[], capacity)),
        }
    }

    /// An inline string of `bytes`, which must fit.
    #[inline(always)]
    fn inline(bytes: &[u8]) -> Str {
        let mut word = WordBytes::default();
        copy_bytes(&mut word[FIRST_BYTE..], bytes);
        Str::from_word_bytes(word, bytes.len())
    }

    /// The inline string of `len` bytes whose word's memory is `word` (its marker byte is set here).
    #[inline(always)]
    fn from_word_bytes(mut word: WordBytes, len: usize) -> Str {
        word[MARKER_BYTE] = ((len as u8) << 1) | 1;
        let word = NonZeroUsize::new(usize::from_ne_bytes(word)).expect("the inline bit is set");
        Str(NonNull::without_provenance(word))
    }

    /// The string that owns `block`'s count.
    #[inline(always)]
    fn from_block(block: Block) -> Str {
        let pointer = NonNull::new(ThinArc::into_raw(block).cast_mut()).expect("a block is never at address 0");
        Str(pointer.cast())
    }

    #[inline(always)]
    fn word(&self) -> usize {
        self.0.addr().get()
    }

    #[inline(always)]
    fn is_inline(&self) -> bool {
        self.word() & 1 == 1
    }

    /// The block, for a string that has one.
    #[inline(always)]
    fn block(&self) -> Option<&Block> {
        match self.is_inline() {
            true => None,
            // SAFETY: the word is a block pointer (the invariant), and `ThinArc` is a `repr(transparent)`
            // pointer, so this word read as a `ThinArc` is the block's handle, borrowed for as long as `self`.
            false => Some(unsafe { &*(&raw const self.0).cast::<Block>() }),
        }
    }

    /// The block, mutably: what `ThinArc::with_arc_mut` writes back (a block pointer) keeps the invariant.
    #[inline(always)]
    fn block_mut(&mut self) -> Option<&mut Block> {
        match self.is_inline() {
            true => None,
            // SAFETY: as in `block`, with `self` borrowed mutably.
            false => Some(unsafe { &mut *(&raw mut self.0).cast::<Block>() }),
        }
    }

    /// The bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        match self.block() {
            Some(block) => &block.slice[..block.header.header],
            // SAFETY: an inline string's word holds its `len` bytes from `FIRST_BYTE` on; they are borrowed
            // with `self`, which they are part of.
            None => unsafe { std::slice::from_raw_parts((&raw const self.0).cast::<u8>().add(FIRST_BYTE), self.len()) },
        }
    }

    /// What identifies the string's storage: the block's address (the same for every clone), or for an
    /// inline string the word itself.
    pub fn address(&self) -> usize {
        self.word()
    }

    /// Whether the bytes live in the string's own word (no allocation; clones are copies).
    #[inline(always)]
    pub fn is_inline_storage(&self) -> bool {
        self.is_inline()
    }

    /// Length in bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        match self.block() {
            Some(block) => block.header.header,
            None => (self.word() & 0xff) >> 1,
        }
    }

    /// Whether the string is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many bytes the string holds before an append has to move it to a bigger block.
    pub fn capacity(&self) -> usize {
        self.block().map_or(INLINE_CAPACITY, |block| block.slice.len())
    }

    /// Appends `bytes`: in place when this is the only clone and they fit; otherwise into a new block
    /// with at least twice the length (copy-on-write, and amortized O(1) growth).
    #[inline]
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        let len = self.len();
        let Some(end) = len.checked_add(bytes.len()) else { panic!("string length overflows usize") };
        let appended = match self.block_mut() {
            Some(block) => block.with_arc_mut(|arc| match Arc::get_mut(arc) {
                Some(block) if block.length() >= end => {
                    copy_bytes(&mut block.slice_mut()[len..end], bytes);
                    *block.header_mut() = end;
                    true
                }
                _ => false,
            }),
            None if end <= INLINE_CAPACITY => {
                let mut word = self.word().to_ne_bytes();
                copy_bytes(&mut word[FIRST_BYTE + len..], bytes);
                *self = Str::from_word_bytes(word, end);
                true
            }
            None => false,
        };
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
        *self = Str::from_block(grown);
    }

    /// Shortens the string to `len` bytes (nothing when it is not longer), keeping the capacity when this is
    /// the only clone of a block.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let done = match self.block_mut() {
            Some(block) => block.with_arc_mut(|arc| match Arc::get_mut(arc) {
                Some(block) => {
                    *block.header_mut() = len;
                    true
                }
                None => false,
            }),
            None => false,
        };
        if !done {
            *self = Str::new(&self.as_bytes()[..len]);
        }
    }

    /// Changes the bytes in place (their number stays), copying them first if they are shared.
    pub fn edit<R>(&mut self, change: impl FnOnce(&mut [u8]) -> R) -> R {
        let len = self.len();
        if self.is_inline() {
            let mut word = self.word().to_ne_bytes();
            let result = change(&mut word[FIRST_BYTE..FIRST_BYTE + len]);
            *self = Str::from_word_bytes(word, len);
            return result;
        }
        if !self.block_mut().is_some_and(|block| block.with_arc_mut(|arc| arc.is_unique())) {
            *self = Str::from_block(ThinArc::from_header_and_slice(len, self.as_bytes()));
        }
        let block = self.block_mut().expect("a long string keeps a block");
        block.with_arc_mut(|arc| change(&mut Arc::get_mut(arc).expect("copied if shared").slice_mut()[..len]))
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

    /// Whether both share their storage (one block, or the same inline word).
    pub fn ptr_eq(&self, other: &Str) -> bool {
        self.0 == other.0
    }
}

impl Clone for Str {
    #[inline]
    fn clone(&self) -> Str {
        match self.block() {
            Some(block) => Str::from_block(block.clone()),
            None => Str(self.0),
        }
    }
}

impl Drop for Str {
    #[inline]
    fn drop(&mut self) {
        if !self.is_inline() {
            // SAFETY: the word is a block pointer this string owns one count of (the invariant); it is
            // turned back into its `ThinArc` once, here, and dropped with it.
            drop(unsafe { Block::from_raw(self.0.as_ptr().cast_const().cast()) });
        }
    }
}

impl Default for Str {
    fn default() -> Str {
        Str::inline(&[])
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
    fn short_strings_live_in_the_word() {
        let all = b"abcdefghij";
        for len in 0..=all.len() {
            let text = Str::new(&all[..len]);
            assert_eq!(text.as_bytes(), &all[..len]);
            assert_eq!(text.len(), len);
            assert_eq!(text.is_inline_storage(), len <= INLINE_CAPACITY, "{len} bytes");
            let copy = text.clone();
            assert!(copy.ptr_eq(&text));
            drop(text);
            assert_eq!(copy.as_bytes(), &all[..len]);
        }
        // Any byte, the marker's bit pattern and zeros included.
        let odd = Str::new([0, 1, 255, 0x0f]);
        assert_eq!(odd.as_bytes(), [0, 1, 255, 0x0f]);
    }

    #[test]
    fn appends_cross_from_the_word_to_a_block() {
        let mut text = Str::default();
        let mut expected = Vec::new();
        for byte in b"abcdefghijklmnopqrstuvwxyz" {
            text.push_bytes(&[*byte]);
            expected.push(*byte);
            assert_eq!(text.as_bytes(), &expected[..]);
            assert_eq!(text.is_inline_storage(), expected.len() <= INLINE_CAPACITY);
        }
        let mut short = Str::from("ab");
        let kept = short.clone();
        short.push_bytes(b"cd");
        assert_eq!((short.as_bytes(), kept.as_bytes()), (&b"abcd"[..], &b"ab"[..]));
        short.push_bytes(b"efghijklmnop");
        assert_eq!(short.as_bytes(), b"abcdefghijklmnop");
        assert!(short.capacity() >= MIN_GROWTH);
    }

    #[test]
    fn short_strings_truncate_and_edit() {
        let mut text = Str::from("HeLLo");
        let kept = text.clone();
        text.edit(|bytes| bytes.make_ascii_lowercase());
        text.truncate(4);
        assert_eq!((text.as_bytes(), kept.as_bytes()), (&b"hell"[..], &b"HeLLo"[..]));
        text.truncate(0);
        assert!(text.is_empty());
        // A long string cut short keeps its block while it is the only clone, and is equal to an inline one.
        let mut long = Str::from("hello, world");
        long.truncate(5);
        assert!(!long.is_inline_storage());
        assert_eq!(long, Str::from("hello"));
        long.edit(|bytes| bytes[0] = b'j');
        assert_eq!(long.as_bytes(), b"jello");
    }

    #[test]
    fn push_copies_only_when_shared() {
        let mut a = Str::from("abcdefgh");
        let b = a.clone();
        assert!(a.ptr_eq(&b));
        a.push_bytes(b"i");
        assert!(!a.ptr_eq(&b));
        assert_eq!(a.as_bytes(), b"abcdefghi");
        assert_eq!(b.as_bytes(), b"abcdefgh");
        let before = a.as_bytes().as_ptr();
        a.push_bytes(b"j");
        assert_eq!(before, a.as_bytes().as_ptr());
        assert_eq!(a.as_bytes(), b"abcdefghij");
    }

    #[test]
    fn appends_grow_geometrically_in_place() {
        let mut text = Str::new("a long start");
        assert_eq!(text.capacity(), 12);
        let mut moves = 0;
        let mut expected = b"a long start".to_vec();
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
        // Doubling: about log2(38 905 / 16) moves, not one per append.
        assert!(moves <= 14, "{moves} moves");
        // Large blocks (past the zero buffer) are built correctly too.
        assert!(text.capacity() > ZEROS.len());
    }

    #[test]
    fn with_capacity_fills_without_moving() {
        for capacity in [8, 9, 255, 256, 257, 4096] {
            let mut text = Str::with_capacity(capacity);
            assert!(text.is_empty());
            assert_eq!(text.as_bytes(), b"");
            assert_eq!(text.capacity(), capacity);
            let first = text.as_bytes().as_ptr();
            for _ in 0..capacity {
                text.push_bytes(b"z");
            }
            assert_eq!(text.as_bytes(), vec![b'z'; capacity]);
            assert_eq!(text.as_bytes().as_ptr(), first);
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
        let mut a = Str::from("abcdefghijklmnop");
        let b = a.clone();
        a.truncate(12);
        assert_eq!((a.as_bytes(), b.as_bytes()), (&b"abcdefghijkl"[..], &b"abcdefghijklmnop"[..]));
        let before = a.as_bytes().as_ptr();
        a.truncate(20);
        a.truncate(10);
        assert_eq!(a.as_bytes(), b"abcdefghij");
        assert_eq!(a.as_bytes().as_ptr(), before);
        // The room a truncation frees is reused, and the cut bytes do not come back.
        a.push_bytes(b"Z");
        assert_eq!(a.as_bytes(), b"abcdefghijZ");
        assert_eq!(a.as_bytes().as_ptr(), before);

        let c = a.clone();
        a.edit(|bytes| bytes.make_ascii_uppercase());
        assert_eq!((a.as_bytes(), c.as_bytes()), (&b"ABCDEFGHIJZ"[..], &b"abcdefghijZ"[..]));
        let before = a.as_bytes().as_ptr();
        assert_eq!(a.edit(|bytes| bytes.len()), 11);
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
    fn short_and_long_copies() {
        let source: Vec<u8> = (0..40).collect();
        for len in 0..=source.len() {
            let mut target = vec![0xff; len + 3];
            copy_bytes(&mut target, &source[..len]);
            assert_eq!(&target[..len], &source[..len]);
            assert_eq!(&target[len..], [0xff; 3], "{len} bytes stay in place");
        }
    }

    #[test]
    fn text_buffers_append_and_keep_their_room() {
        let mut text = TextBuffer::default();
        let mut expected = Vec::new();
        for i in 0..500u32 {
            let piece = format!("{i}-{}", "x".repeat(i as usize % 20));
            text.put(piece.as_bytes());
            expected.extend_from_slice(piece.as_bytes());
        }
        assert_eq!(text.as_bytes(), &expected[..]);
        assert_eq!(text.len(), expected.len());
        let room = text.capacity();
        text.clear();
        assert!(text.len() == 0 && text.as_bytes().is_empty());
        text.put(b"again");
        assert_eq!((text.as_bytes(), text.capacity()), (&b"again"[..], room));
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
