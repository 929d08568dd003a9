//! `Array`: HSL's ordered map with copy-on-write sharing.

use std::cell::{Cell, RefCell};
use std::hash::{Hash, Hasher};
use std::mem::ManuallyDrop;

use indexmap::{Equivalent, IndexMap};
use rustc_hash::FxBuildHasher;
// No weak count: one atomic operation per clone or drop, not two on the last drop.
use triomphe::{Arc, UniqueArc};

use super::string::copy_bytes;
use super::{Str, Value};

/// An array key after HSL's casting rules: an integer or a byte string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// An integer key (HSL casts numeric keys to 32-bit integers).
    Int(i64),
    /// A string key that is not a canonical integer.
    Str(KeyStr),
}

// A key is two words: a pair is four, and finding a key among pairs reads no other memory.
const _: () = assert!(std::mem::size_of::<Key>() == 16);

/// The most bytes a string key keeps inline.
const INLINE_KEY: usize = 14;

/// A string key's bytes. Keys are mostly field names (`"remoteip"`, `"helo"`), so one of up to
/// 14 bytes is kept inside the key itself: making it allocates nothing, and comparing it reads
/// nothing behind a pointer. A longer one shares a [`Str`]. Each length has one form, so the derived
/// equality is byte equality.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyStr(KeyRepr);

#[derive(Clone, PartialEq, Eq)]
enum KeyRepr {
    /// `len` bytes, the rest zero.
    Inline {
        len: u8,
        bytes: [u8; INLINE_KEY],
    },
    Shared(Str),
}

impl KeyStr {
    /// A key holding a copy of `bytes` (which the caller has checked is not a canonical integer).
    #[inline]
    pub fn new(bytes: &[u8]) -> KeyStr {
        match KeyStr::inline(bytes) {
            Some(key) => key,
            None => KeyStr(KeyRepr::Shared(Str::new(bytes))),
        }
    }

    #[inline]
    fn inline(bytes: &[u8]) -> Option<KeyStr> {
        if bytes.len() > INLINE_KEY {
            return None;
        }
        let mut inline = [0; INLINE_KEY];
        copy_bytes(&mut inline, bytes);
        Some(KeyStr(KeyRepr::Inline { len: bytes.len() as u8, bytes: inline }))
    }

    /// The bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            KeyRepr::Inline { len, bytes } => &bytes[..*len as usize],
            KeyRepr::Shared(text) => text.as_bytes(),
        }
    }

    /// Whether the key's bytes are `wanted`.
    #[inline(always)]
    fn is(&self, wanted: &[u8]) -> bool {
        match &self.0 {
            KeyRepr::Inline { len, bytes } => {
                *len as usize == wanted.len()
                    && wanted.first().is_none_or(|first| *first == bytes[0])
                    && bytes[..wanted.len()] == *wanted
            }
            KeyRepr::Shared(text) => text.len() == wanted.len() && text.as_bytes() == wanted,
        }
    }

    /// Length in bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        match &self.0 {
            KeyRepr::Inline { len, .. } => *len as usize,
            KeyRepr::Shared(text) => text.len(),
        }
    }

    /// Whether the key is the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key as a string value's bytes (a short key is copied out; a long one is shared).
    pub fn to_str(&self) -> Str {
        match &self.0 {
            KeyRepr::Inline { .. } => Str::new(self.as_bytes()),
            KeyRepr::Shared(text) => text.clone(),
        }
    }
}

impl From<Str> for KeyStr {
    /// Keeps a long string's block; a short one is copied inline and the string dropped.
    fn from(text: Str) -> KeyStr {
        match KeyStr::inline(text.as_bytes()) {
            Some(key) => key,
            None => KeyStr(KeyRepr::Shared(text)),
        }
    }
}

impl From<&str> for KeyStr {
    fn from(text: &str) -> KeyStr {
        KeyStr::new(text.as_bytes())
    }
}

impl std::fmt::Debug for KeyStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&Str::new(self.as_bytes()), f)
    }
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
            None => Key::Str(KeyStr::from(text)),
        }
    }

    /// A key from string bytes, with the same casting as [`Key::from_str_key`]; a short one allocates
    /// nothing (what a host building a record from its field names wants).
    pub fn from_bytes(bytes: &[u8]) -> Key {
        match canonical_int(bytes) {
            Some(number) => Key::Int(number),
            None => Key::Str(KeyStr::new(bytes)),
        }
    }

    /// The key as an HSL value.
    pub fn to_value(&self) -> Value {
        match self {
            Key::Int(number) => Value::number(*number as f64),
            Key::Str(text) => Value::String(text.to_str()),
        }
    }
}

impl From<&str> for Key {
    /// [`Key::from_bytes`] of the text.
    fn from(text: &str) -> Key {
        Key::from_bytes(text.as_bytes())
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
#[inline]
pub fn canonical_int(bytes: &[u8]) -> Option<i64> {
    // Most keys are names: their first byte settles it, here where the key is made.
    if !matches!(bytes.first(), Some(b'0'..=b'9' | b'-')) {
        return None;
    }
    canonical_digits(bytes)
}

/// [`canonical_int`] of bytes that start with a digit or `-`.
#[inline(never)]
fn canonical_digits(bytes: &[u8]) -> Option<i64> {
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

/// The storage behind an [`Array`].
///
/// Arrays start packed: while the keys are exactly `0..len` in order (lists, the common case), the values
/// sit in a plain vector, indexed directly, with no keys stored and nothing hashed. The first key that
/// breaks the pattern converts the array to keyed storage, for good (PHP 7 does the same): up to eight
/// entries as pairs in order, found by comparing keys (records such as a hook's `$connection`: no hashing,
/// one buffer), and beyond that an insertion-ordered hash map.
#[derive(Clone, Debug)]
pub struct ArrayData {
    storage: Storage,
    /// The automatic index for `[]=`: one past the highest integer key ever inserted (removals keep it).
    next_index: i64,
}

#[derive(Clone, Debug)]
enum Storage {
    /// Keys `0..len`, in order.
    List(Vec<Value>),
    /// Any keys, at most [`SMALL`] of them, in order; a key is found by comparing it with each.
    Small(Vec<(Key, Value)>),
    /// Any keys.
    Map(IndexMap<Key, Value, FxBuildHasher>),
}

/// The most entries keyed storage keeps as pairs before it becomes a hash map. Finding a key among this
/// many by comparison costs about what hashing it does, and building and freeing the pairs is cheaper.
const SMALL: usize = 8;

impl Default for ArrayData {
    fn default() -> ArrayData {
        ArrayData { storage: Storage::List(Vec::new()), next_index: 0 }
    }
}

/// An HSL array: an insertion-ordered map. Clones share the map until one side writes.
// `ManuallyDrop` so that `Drop` can take the map out: see `impl Drop for Array`.
#[derive(Clone, Debug, Default)]
pub struct Array(ManuallyDrop<Arc<ArrayData>>);

/// How many arrays deep a drop goes on the native stack before it queues the maps below (see
/// `impl Drop for Array`).
const DROP_DEPTH: u32 = 64;

thread_local! {
    // How many array drops are under way on this thread, one inside another.
    static DROP_NESTING: Cell<u32> = const { Cell::new(0) };
    // Maps found past `DROP_DEPTH`, left for the outermost drop to free.
    static DROP_QUEUE: RefCell<Vec<ArrayData>> = const { RefCell::new(Vec::new()) };
}

// The one `unsafe` here: a drop that owns the map must take it out of `&mut self`.
#[allow(unsafe_code)]
impl Drop for Array {
    /// Frees a map its last owner drops, without recursing without bound: a script can nest arrays a
    /// million deep (`$a = [$a]` in a loop), and dropping that one level per native frame would overflow the
    /// stack. Maps deeper than `DROP_DEPTH` below the outermost drop are queued, and that drop frees them
    /// one after another. The last owner also skips the atomic decrement: its count is 1 and nobody else
    /// can raise it.
    fn drop(&mut self) {
        // SAFETY: `self.0` is taken exactly once, here, and `self` is not used after its drop.
        let shared = unsafe { ManuallyDrop::take(&mut self.0) };
        let Ok(unique) = Arc::try_unique(shared) else { return };
        let data = UniqueArc::into_inner(unique);
        let nesting = DROP_NESTING.get();
        if nesting >= DROP_DEPTH {
            // Left for the outermost drop; a thread whose locals are already gone frees it here.
            let mut data = Some(data);
            let _ = DROP_QUEUE.try_with(|queue| queue.borrow_mut().extend(data.take()));
            drop(data);
            return;
        }
        DROP_NESTING.set(nesting + 1);
        drop(data);
        if nesting == 0 && DROP_QUEUE.try_with(|queue| !queue.borrow().is_empty()).unwrap_or(false) {
            drain_drop_queue();
        }
        DROP_NESTING.set(nesting);
    }
}

/// Frees the maps a deep drop queued (each may queue more), then the queue's own room.
#[cold]
#[inline(never)]
fn drain_drop_queue() {
    while let Some(queued) = DROP_QUEUE.with_borrow_mut(Vec::pop) {
        drop(queued);
    }
    DROP_QUEUE.with_borrow_mut(|queue| *queue = Vec::new());
}

impl Array {
    #[inline]
    fn wrap(data: ArrayData) -> Array {
        Array(ManuallyDrop::new(Arc::new(data)))
    }

    /// An empty array.
    pub fn new() -> Array {
        Array::default()
    }

    /// An empty array with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Array {
        Array::wrap(ArrayData { storage: Storage::List(Vec::with_capacity(capacity)), next_index: 0 })
    }

    /// A list with keys 0..n.
    pub fn from_values(values: impl IntoIterator<Item = Value>) -> Array {
        let list: Vec<Value> = values.into_iter().collect();
        let next_index = list.len() as i64;
        Array::wrap(ArrayData { storage: Storage::List(list), next_index })
    }

    /// An array from key/value pairs (later duplicates overwrite, keeping the first position).
    ///
    /// The storage is chosen from the first key: a list when it is `0`, otherwise keyed storage sized for
    /// every pair, so a record (string keys) is built without a list to convert or a table to regrow.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Key, Value)>) -> Array {
        let mut pairs = pairs.into_iter().peekable();
        let capacity = pairs.size_hint().0;
        let storage = match pairs.peek() {
            None | Some((Key::Int(0), _)) => Storage::List(Vec::with_capacity(capacity)),
            Some(_) => Storage::keyed(capacity),
        };
        let mut data = ArrayData { storage, next_index: 0 };
        if let Storage::Small(built) = &mut data.storage {
            // A record (up to SMALL pairs fit whatever their keys): each key is compared with the ones
            // before it, and a new one pushed, without the general insert's checks.
            let mut next_index = 0;
            for (key, value) in pairs.by_ref().take(SMALL) {
                if let Key::Int(number) = key {
                    next_index = next_index.max(number + 1);
                }
                match key_position(built, &key) {
                    Some(position) => built[position].1 = value,
                    None => built.push((key, value)),
                }
            }
            data.next_index = next_index;
        }
        for (key, value) in pairs {
            data.insert(key, value);
        }
        Array::wrap(data)
    }

    /// A record from a host's vector of pairs, kept as the array's storage when it can be: up to eight
    /// pairs, none of them a repeat, and not starting at key `0` (a list). Anything else is built as
    /// [`Array::from_pairs`] builds it. A host that makes a record per connection saves the copy.
    pub fn from_pair_vec(pairs: Vec<(Key, Value)>) -> Array {
        let keeps = |pairs: &[(Key, Value)]| {
            pairs.len() <= SMALL
                && !matches!(pairs.first(), None | Some((Key::Int(0), _)))
                && (1..pairs.len()).all(|at| key_position(&pairs[..at], &pairs[at].0).is_none())
        };
        if !keeps(&pairs) {
            return Array::from_pairs(pairs);
        }
        let next_index = pairs.iter().fold(0, |next, (key, _)| match key {
            Key::Int(number) => next.max(number + 1),
            Key::Str(_) => next,
        });
        Array::wrap(ArrayData { storage: Storage::Small(pairs), next_index })
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

impl Storage {
    /// Empty keyed storage with room for `capacity` entries: pairs when they fit, else a hash map.
    fn keyed(capacity: usize) -> Storage {
        if capacity <= SMALL {
            Storage::Small(Vec::with_capacity(capacity))
        } else {
            Storage::Map(IndexMap::with_capacity_and_hasher(capacity, FxBuildHasher))
        }
    }
}

/// Whether a stored key is `key`. A string key's length is checked first (an inline key holds it), then
/// its first byte (keys of one length usually differ there), and only then the rest (a call out of line).
#[inline(always)]
fn is_key(candidate: &Key, key: KeyRef<'_>) -> bool {
    match (candidate, key) {
        (Key::Int(stored), KeyRef::Int(wanted)) => *stored == wanted,
        (Key::Str(stored), KeyRef::Str(wanted)) => stored.is(wanted),
        _ => false,
    }
}

/// The position of a borrowed key among pairs.
#[inline]
fn pair_position(pairs: &[(Key, Value)], key: KeyRef<'_>) -> Option<usize> {
    pairs.iter().position(|(candidate, _)| is_key(candidate, key))
}

/// The position of a key among pairs. The loop is chosen by the key's form, so each candidate costs a tag
/// check and, for an inline key, a compare of its length and bytes as a few words.
#[inline]
fn key_position(pairs: &[(Key, Value)], key: &Key) -> Option<usize> {
    let mut keys = pairs.iter().map(|(candidate, _)| candidate);
    match key {
        Key::Int(wanted) => keys.position(|candidate| matches!(candidate, Key::Int(stored) if stored == wanted)),
        Key::Str(KeyStr(KeyRepr::Inline { len, bytes })) => keys.position(|candidate| {
            matches!(candidate, Key::Str(KeyStr(KeyRepr::Inline { len: stored_len, bytes: stored })) if stored_len == len && stored == bytes)
        }),
        Key::Str(KeyStr(KeyRepr::Shared(wanted))) => shared_key_position(pairs, wanted),
    }
}

/// [`key_position`] of a long key. Out of line: its byte compare is a library call, whose saved registers
/// would otherwise cost every lookup of a short key a longer prologue.
#[inline(never)]
fn shared_key_position(pairs: &[(Key, Value)], wanted: &Str) -> Option<usize> {
    pairs.iter().position(|(candidate, _)| {
        matches!(candidate, Key::Str(KeyStr(KeyRepr::Shared(stored))) if stored.len() == wanted.len() && stored.as_bytes() == wanted.as_bytes())
    })
}

/// The position of an integer key in a packed list of `len` values.
#[inline(always)]
fn list_position(key: KeyRef<'_>, len: usize) -> Option<usize> {
    match key {
        KeyRef::Int(number) if (0..len as i64).contains(&number) => Some(number as usize),
        _ => None,
    }
}

impl ArrayData {
    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        match &self.storage {
            Storage::List(list) => list.len(),
            Storage::Small(pairs) => pairs.len(),
            Storage::Map(map) => map.len(),
        }
    }

    /// Whether it has no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at a key.
    #[inline]
    pub fn get(&self, key: KeyRef<'_>) -> Option<&Value> {
        match &self.storage {
            Storage::List(list) => list_position(key, list.len()).map(|position| &list[position]),
            Storage::Small(pairs) => pairs.iter().find(|(candidate, _)| is_key(candidate, key)).map(|(_, v)| v),
            Storage::Map(map) => map.get(&key),
        }
    }

    /// The value at a key already cast (a constant key of the script): a short string key compares with
    /// each stored one as a few words.
    #[inline]
    pub fn get_key(&self, key: &Key) -> Option<&Value> {
        match &self.storage {
            Storage::Small(pairs) => key_position(pairs, key).map(|position| &pairs[position].1),
            _ => self.get(key.as_ref()),
        }
    }

    /// The value at a key, mutably.
    #[inline]
    pub fn get_mut(&mut self, key: KeyRef<'_>) -> Option<&mut Value> {
        match &mut self.storage {
            Storage::List(list) => list_position(key, list.len()).map(|position| &mut list[position]),
            Storage::Small(pairs) => pair_position(pairs, key).map(|position| &mut pairs[position].1),
            Storage::Map(map) => map.get_mut(&key),
        }
    }

    /// Whether the key exists.
    pub fn contains_key(&self, key: KeyRef<'_>) -> bool {
        self.get(key).is_some()
    }

    /// Converts a packed list to keyed storage (nothing else changes): pairs while its entries and
    /// `extra` more fit, else a hash map. Either gets at least the room the list had reserved (an
    /// [`Array::with_capacity`] array whose first key is a string converts while still empty, and would
    /// otherwise grow one doubling at a time).
    #[inline(never)]
    fn unpack(&mut self, extra: usize) {
        let Storage::List(list) = &mut self.storage else { return };
        let list = std::mem::take(list);
        let mut storage = Storage::keyed(list.capacity().max(list.len() + extra));
        let entries = list.into_iter().enumerate().map(|(index, value)| (Key::Int(index as i64), value));
        match &mut storage {
            Storage::Small(pairs) => pairs.extend(entries),
            Storage::Map(map) => map.extend(entries),
            Storage::List(_) => unreachable!("keyed storage"),
        }
        self.storage = storage;
    }

    /// Converts keyed pairs that are full to a hash map with room for one more entry.
    fn grow_to_map(&mut self) {
        if let Storage::Small(pairs) = &mut self.storage {
            let mut map = IndexMap::with_capacity_and_hasher(pairs.len() * 2, FxBuildHasher);
            map.extend(std::mem::take(pairs));
            self.storage = Storage::Map(map);
        }
    }

    /// Inserts or overwrites (keeping the old position).
    pub fn insert(&mut self, key: Key, value: Value) {
        *self.entry_mut(key) = value;
    }

    /// The slot for a key, created with none when missing.
    pub fn entry_mut(&mut self, key: Key) -> &mut Value {
        if let Key::Int(number) = key {
            self.bump_next_index(number);
        }
        let list_position = match (&self.storage, &key) {
            (Storage::List(list), Key::Int(number)) if (0..=list.len() as i64).contains(number) => {
                Some(*number as usize)
            }
            _ => None,
        };
        if let Some(position) = list_position {
            let Storage::List(list) = &mut self.storage else { unreachable!("matched a list above") };
            if position == list.len() {
                list.push(Value::None);
            }
            return &mut list[position];
        }
        if let Storage::List(_) = self.storage {
            self.unpack(1);
        }
        // Pairs that are full and lack the key become a map first, so one mutable borrow serves each case.
        let found = match &self.storage {
            Storage::Small(pairs) => {
                let found = key_position(pairs, &key);
                if found.is_none() && pairs.len() >= SMALL {
                    self.grow_to_map();
                }
                found
            }
            _ => None,
        };
        match &mut self.storage {
            Storage::Small(pairs) => {
                let position = found.unwrap_or_else(|| {
                    pairs.push((key, Value::None));
                    pairs.len() - 1
                });
                &mut pairs[position].1
            }
            Storage::Map(map) => map.entry(key).or_insert(Value::None),
            Storage::List(_) => unreachable!("unpacked above"),
        }
    }

    fn bump_next_index(&mut self, number: i64) {
        if number >= self.next_index {
            self.next_index = number + 1;
        }
    }

    /// Appends with the automatic index (highest integer key + 1) and returns that key.
    #[inline]
    pub fn push(&mut self, value: Value) -> i64 {
        let index = self.next_index;
        self.next_index += 1;
        match &mut self.storage {
            Storage::List(list) if list.len() as i64 == index => list.push(value),
            // A new key (it is above every integer key), so this appends.
            _ => *self.entry_mut(Key::Int(index)) = value,
        }
        index
    }

    /// The next automatic index.
    pub fn next_index(&self) -> i64 {
        self.next_index
    }

    /// Removes a key, keeping the order of the others.
    pub fn remove(&mut self, key: KeyRef<'_>) -> Option<Value> {
        if let Storage::List(list) = &mut self.storage {
            let position = list_position(key, list.len())?;
            if position + 1 == list.len() {
                // Dropping the last key leaves keys 0..len: still a list.
                return list.pop();
            }
            self.unpack(0);
        }
        match &mut self.storage {
            Storage::Small(pairs) => pair_position(pairs, key).map(|position| pairs.remove(position).1),
            Storage::Map(map) => map.shift_remove(&key),
            Storage::List(_) => unreachable!("unpacked above"),
        }
    }

    /// Entries in order.
    pub fn iter(&self) -> Iter<'_> {
        match &self.storage {
            Storage::List(list) => Iter::List(list.iter().enumerate()),
            Storage::Small(pairs) => Iter::Small(pairs.iter()),
            Storage::Map(map) => Iter::Map(map.iter()),
        }
    }

    /// Values in order.
    pub fn values(&self) -> Values<'_> {
        match &self.storage {
            Storage::List(list) => Values::List(list.iter()),
            Storage::Small(pairs) => Values::Small(pairs.iter()),
            Storage::Map(map) => Values::Map(map.values()),
        }
    }

    /// Keys in order.
    pub fn keys(&self) -> Keys<'_> {
        match &self.storage {
            Storage::List(list) => Keys::List(0..list.len()),
            Storage::Small(pairs) => Keys::Small(pairs.iter()),
            Storage::Map(map) => Keys::Map(map.keys()),
        }
    }

    /// The entry at a position.
    #[inline]
    pub fn get_index(&self, position: usize) -> Option<(Key, &Value)> {
        match &self.storage {
            Storage::List(list) => list.get(position).map(|value| (Key::Int(position as i64), value)),
            Storage::Small(pairs) => pairs.get(position).map(|(key, value)| (key.clone(), value)),
            Storage::Map(map) => map.get_index(position).map(|(key, value)| (key.clone(), value)),
        }
    }

    /// The key at a position (for a packed list, without touching memory).
    #[inline]
    pub fn key_at(&self, position: usize) -> Option<Key> {
        match &self.storage {
            Storage::List(list) => (position < list.len()).then_some(Key::Int(position as i64)),
            Storage::Small(pairs) => pairs.get(position).map(|(key, _)| key.clone()),
            Storage::Map(map) => map.get_index(position).map(|(key, _)| key.clone()),
        }
    }

    /// The value at a position.
    #[inline]
    pub fn value_at(&self, position: usize) -> Option<&Value> {
        match &self.storage {
            Storage::List(list) => list.get(position),
            Storage::Small(pairs) => pairs.get(position).map(|(_, value)| value),
            Storage::Map(map) => map.get_index(position).map(|(_, value)| value),
        }
    }

    /// Whether the keys are exactly 0..n in order (a list).
    pub fn is_list(&self) -> bool {
        match &self.storage {
            Storage::List(_) => true,
            _ => self.keys().enumerate().all(|(position, key)| key == Key::Int(position as i64)),
        }
    }

    /// Keeps entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &mut Value) -> bool) {
        self.unpack(0);
        match &mut self.storage {
            Storage::Small(pairs) => pairs.retain_mut(|(key, value)| keep(key, value)),
            Storage::Map(map) => map.retain(|key, value| keep(key, value)),
            Storage::List(_) => unreachable!("unpacked above"),
        }
    }

    /// Reserves room for more entries.
    pub fn reserve(&mut self, additional: usize) {
        match &mut self.storage {
            Storage::List(list) => list.reserve(additional),
            Storage::Small(pairs) if pairs.len() + additional <= SMALL => pairs.reserve(additional),
            Storage::Small(pairs) => {
                let mut map = IndexMap::with_capacity_and_hasher(pairs.len() + additional, FxBuildHasher);
                map.extend(std::mem::take(pairs));
                self.storage = Storage::Map(map);
            }
            Storage::Map(map) => map.reserve(additional),
        }
    }
}

/// Iterator over an array's entries, in order.
pub enum Iter<'a> {
    #[doc(hidden)]
    List(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
    #[doc(hidden)]
    Small(std::slice::Iter<'a, (Key, Value)>),
    #[doc(hidden)]
    Map(indexmap::map::Iter<'a, Key, Value>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (Key, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::List(list) => list.next().map(|(position, value)| (Key::Int(position as i64), value)),
            Iter::Small(pairs) => pairs.next().map(|(key, value)| (key.clone(), value)),
            Iter::Map(map) => map.next().map(|(key, value)| (key.clone(), value)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::List(list) => list.size_hint(),
            Iter::Small(pairs) => pairs.size_hint(),
            Iter::Map(map) => map.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Iter::List(list) => list.next_back().map(|(position, value)| (Key::Int(position as i64), value)),
            Iter::Small(pairs) => pairs.next_back().map(|(key, value)| (key.clone(), value)),
            Iter::Map(map) => map.next_back().map(|(key, value)| (key.clone(), value)),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Iterator over an array's values, in order.
pub enum Values<'a> {
    #[doc(hidden)]
    List(std::slice::Iter<'a, Value>),
    #[doc(hidden)]
    Small(std::slice::Iter<'a, (Key, Value)>),
    #[doc(hidden)]
    Map(indexmap::map::Values<'a, Key, Value>),
}

impl<'a> Iterator for Values<'a> {
    type Item = &'a Value;

    #[inline]
    fn next(&mut self) -> Option<&'a Value> {
        match self {
            Values::List(list) => list.next(),
            Values::Small(pairs) => pairs.next().map(|(_, value)| value),
            Values::Map(map) => map.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Values::List(list) => list.size_hint(),
            Values::Small(pairs) => pairs.size_hint(),
            Values::Map(map) => map.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Values<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Values::List(list) => list.next_back(),
            Values::Small(pairs) => pairs.next_back().map(|(_, value)| value),
            Values::Map(map) => map.next_back(),
        }
    }
}

impl ExactSizeIterator for Values<'_> {}

/// Iterator over an array's keys, in order.
pub enum Keys<'a> {
    #[doc(hidden)]
    List(std::ops::Range<usize>),
    #[doc(hidden)]
    Small(std::slice::Iter<'a, (Key, Value)>),
    #[doc(hidden)]
    Map(indexmap::map::Keys<'a, Key, Value>),
}

impl Iterator for Keys<'_> {
    type Item = Key;

    #[inline]
    fn next(&mut self) -> Option<Key> {
        match self {
            Keys::List(range) => range.next().map(|position| Key::Int(position as i64)),
            Keys::Small(pairs) => pairs.next().map(|(key, _)| key.clone()),
            Keys::Map(map) => map.next().cloned(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Keys::List(range) => range.size_hint(),
            Keys::Small(pairs) => pairs.size_hint(),
            Keys::Map(map) => map.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Keys<'_> {
    fn next_back(&mut self) -> Option<Key> {
        match self {
            Keys::List(range) => range.next_back().map(|position| Key::Int(position as i64)),
            Keys::Small(pairs) => pairs.next_back().map(|(key, _)| key.clone()),
            Keys::Map(map) => map.next_back().cloned(),
        }
    }
}

impl ExactSizeIterator for Keys<'_> {}

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
    fn short_string_keys_are_inline_and_long_ones_shared() {
        let short = KeyStr::new(b"fourteen-bytes");
        let long = KeyStr::new(b"fifteen-bytes!!");
        assert!(matches!(short.0, KeyRepr::Inline { len: 14, .. }));
        assert!(matches!(long.0, KeyRepr::Shared(_)));
        assert_eq!((short.as_bytes(), short.len()), (&b"fourteen-bytes"[..], 14));
        assert_eq!(long.as_bytes(), b"fifteen-bytes!!");
        // A string made into a key takes the form its length gives, so equal bytes are equal keys.
        assert_eq!(KeyStr::from(Str::from("fourteen-bytes")), short);
        assert_eq!(KeyStr::from(Str::from("fifteen-bytes!!")), long);
        assert_ne!(KeyStr::from(""), KeyStr::from("a"));
        assert!(KeyStr::from("").is_empty());
        assert_eq!(Key::from("7"), Key::Int(7));
        assert!(Key::from("x").to_value().strict_eq(&Value::from("x")));
        assert!(Key::Str(long.clone()).to_value().strict_eq(&Value::from("fifteen-bytes!!")));
    }

    #[test]
    fn inline_and_shared_keys_are_found_in_every_storage() {
        let names: Vec<String> = (0..20).map(|index| format!("{}{index}", "k".repeat(index))).collect();
        let mut array = Array::new();
        for (index, name) in names.iter().enumerate() {
            array.make_mut().insert(Key::from(name.as_str()), Value::number(index as f64));
            // Pairs while they fit, a hash map after: every key stays findable by its bytes.
            for (earlier, name) in names[..=index].iter().enumerate() {
                let found = array.get(KeyRef::from_bytes(name.as_bytes()));
                assert!(matches!(found, Some(Value::Number(n)) if n.get() == earlier as f64), "{name}");
            }
        }
        assert_eq!(storage_name(&array), "map");
        assert!(array.get(KeyRef::Str(b"kk")).is_none());
    }

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
        assert_eq!(canonical_int(b"-"), None);
        assert_eq!(canonical_int(b"x1"), None);
        assert_eq!(canonical_int(b"-2147483648"), Some(-2147483648));
    }

    #[test]
    fn push_uses_highest_integer_key() {
        let mut array = Array::new();
        let data = array.make_mut();
        data.push(Value::number(1.0));
        data.insert(Key::Int(5), Value::number(2.0));
        assert_eq!(data.push(Value::number(3.0)), 6);
        data.insert(Key::Str("x".into()), Value::None);
        assert_eq!(data.push(Value::None), 7);
    }

    fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a.strict_eq(b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }

    fn is_packed(array: &Array) -> bool {
        matches!(array.data().storage, Storage::List(_))
    }

    fn keys(array: &Array) -> Vec<Key> {
        array.keys().collect()
    }

    #[test]
    fn lists_stay_packed() {
        let mut array = Array::from_values([Value::number(1.0), Value::number(2.0)]);
        let data = array.make_mut();
        data.push(Value::number(3.0));
        data.insert(Key::Int(3), Value::number(4.0));
        *data.entry_mut(Key::Int(4)) = Value::number(5.0);
        data.insert(Key::Int(0), Value::number(0.0));
        assert!(same(data.remove(KeyRef::Int(4)).as_ref(), Some(&Value::number(5.0))));
        assert!(is_packed(&array));
        assert_eq!(array.len(), 4);
        assert!(same(array.get(KeyRef::Int(0)), Some(&Value::number(0.0))));
        assert!(array.get(KeyRef::Int(4)).is_none());
        assert!(array.get(KeyRef::Int(-1)).is_none());
        assert!(array.get(KeyRef::Str(b"a")).is_none());
        let (key, value) = array.get_index(3).unwrap();
        assert_eq!(key, Key::Int(3));
        assert!(same(Some(value), Some(&Value::number(4.0))));
        assert!(array.is_list());
    }

    #[test]
    fn keys_that_break_the_list_unpack_it() {
        let cases: [fn(&mut ArrayData); 5] = [
            |data| data.insert(Key::Int(-1), Value::None),
            |data| data.insert(Key::Int(3), Value::None),
            |data| data.insert(Key::Str("x".into()), Value::None),
            |data| drop(data.remove(KeyRef::Int(0))),
            |data| data.retain(|_, _| true),
        ];
        for change in cases {
            let mut array = Array::from_values([Value::number(1.0), Value::number(2.0)]);
            let before: Vec<Value> = array.values().cloned().collect();
            change(array.make_mut());
            assert!(!is_packed(&array));
            // The entries that were there keep their keys and order.
            let kept: Vec<(Key, Value)> = array.iter().map(|(key, value)| (key, value.clone())).collect();
            for (key, value) in kept {
                if let Key::Int(index @ 0..=1) = key {
                    assert!(value.strict_eq(&before[index as usize]));
                }
            }
        }
    }

    #[test]
    fn append_after_removing_the_last_key_skips_it() {
        // Removal keeps the automatic index, so the next append leaves a gap and the list becomes a map.
        let mut array = Array::from_values([Value::number(1.0), Value::number(2.0), Value::number(3.0)]);
        let data = array.make_mut();
        data.remove(KeyRef::Int(2));
        assert!(is_packed(&array));
        assert_eq!(array.make_mut().push(Value::None), 3);
        assert!(!is_packed(&array));
        assert_eq!(keys(&array), [Key::Int(0), Key::Int(1), Key::Int(3)]);
        assert!(same(array.get(KeyRef::Int(3)), Some(&Value::None)));
    }

    fn storage_name(array: &Array) -> &'static str {
        match array.data().storage {
            Storage::List(_) => "list",
            Storage::Small(_) => "pairs",
            Storage::Map(_) => "map",
        }
    }

    fn string_keys(count: usize) -> Vec<Key> {
        (0..count).map(|index| Key::from(format!("k{index}").as_str())).collect()
    }

    #[test]
    fn iterators_agree_in_every_representation() {
        let list = Array::from_values([Value::number(1.0), Value::number(2.0)]);
        let mut pairs = list.clone();
        pairs.make_mut().insert(Key::Str("k".into()), Value::number(3.0));
        let mut map = pairs.clone();
        for key in string_keys(SMALL) {
            map.make_mut().insert(key, Value::None);
        }
        assert_eq!([&list, &pairs, &map].map(storage_name), ["list", "pairs", "map"]);
        for array in [&list, &pairs, &map] {
            let from_iter: Vec<Key> = array.iter().map(|(key, _)| key).collect();
            assert_eq!(from_iter, keys(array));
            let reversed: Vec<Key> = array.keys().rev().collect();
            assert_eq!(reversed.into_iter().rev().collect::<Vec<_>>(), keys(array));
            let backwards: Vec<Key> = array.iter().rev().map(|(key, _)| key).collect();
            assert_eq!(backwards.into_iter().rev().collect::<Vec<_>>(), keys(array));
            assert_eq!(array.values().len(), array.len());
            assert_eq!(array.values().rev().count(), array.len());
            assert!(same(array.value_at(1), Some(&Value::number(2.0))));
            assert_eq!(array.get_index(1).map(|(key, _)| key), Some(Key::Int(1)));
            assert_eq!(array.key_at(1), Some(Key::Int(1)));
            assert_eq!(array.key_at(array.len()), None);
        }
        assert_eq!(keys(&pairs), [Key::Int(0), Key::Int(1), Key::Str("k".into())]);
        assert!(!pairs.is_list() && !map.is_list());
        assert!(list.is_list());
    }

    #[test]
    fn few_keys_are_pairs_and_more_become_a_map() {
        let mut array = Array::from_pairs(string_keys(5).into_iter().map(|key| (key, Value::number(1.0))));
        assert_eq!(storage_name(&array), "pairs");
        let data = array.make_mut();
        for (index, key) in string_keys(SMALL).into_iter().enumerate() {
            // The first five overwrite in place; the rest are added.
            data.insert(key, Value::number(index as f64));
        }
        assert_eq!(storage_name(&array), "pairs");
        assert_eq!(array.len(), SMALL);
        array.make_mut().insert(Key::Str("k3".into()), Value::number(33.0));
        assert_eq!(storage_name(&array), "pairs");
        array.make_mut().insert(Key::Int(-1), Value::number(-1.0));
        assert_eq!(storage_name(&array), "map");
        let mut expected = string_keys(SMALL);
        expected.push(Key::Int(-1));
        assert_eq!(keys(&array), expected);
        assert!(same(array.get(KeyRef::Str(b"k3")), Some(&Value::number(33.0))));
        assert!(same(array.get(KeyRef::Str(b"k7")), Some(&Value::number(7.0))));
        assert!(same(array.get(KeyRef::Int(-1)), Some(&Value::number(-1.0))));
        assert_eq!(array.next_index(), 0);
    }

    #[test]
    fn pairs_find_update_remove_and_retain_by_key() {
        let mut array = Array::from_pairs([
            (Key::Str("a".into()), Value::number(1.0)),
            (Key::Int(7), Value::number(2.0)),
            (Key::Str("b".into()), Value::number(3.0)),
        ]);
        assert_eq!(storage_name(&array), "pairs");
        assert!(array.contains_key(KeyRef::Int(7)) && !array.contains_key(KeyRef::Str(b"7")));
        assert!(array.get(KeyRef::Str(b"c")).is_none());
        let same_start =
            Array::from_pairs([(Key::Str("ab".into()), Value::number(1.0)), (Key::Str("ac".into()), Value::None)]);
        assert!(same(same_start.get(KeyRef::Str(b"ac")), Some(&Value::None)));
        assert!(same_start.get(KeyRef::Str(b"ad")).is_none() && same_start.get(KeyRef::Str(b"")).is_none());
        let data = array.make_mut();
        *data.get_mut(KeyRef::Str(b"a")).unwrap() = Value::number(10.0);
        assert!(data.get_mut(KeyRef::Int(8)).is_none());
        assert_eq!(data.push(Value::number(4.0)), 8);
        assert!(same(data.remove(KeyRef::Int(7)).as_ref(), Some(&Value::number(2.0))));
        assert!(data.remove(KeyRef::Int(7)).is_none());
        data.retain(|key, _| *key != Key::Str("b".into()));
        assert_eq!(keys(&array), [Key::Str("a".into()), Key::Int(8)]);
        assert!(same(array.get(KeyRef::Str(b"a")), Some(&Value::number(10.0))));
        assert_eq!(storage_name(&array), "pairs");
        array.make_mut().reserve(SMALL);
        assert_eq!(storage_name(&array), "map");
        assert_eq!(keys(&array), [Key::Str("a".into()), Key::Int(8)]);
    }

    #[test]
    fn a_list_becomes_pairs_or_a_map_by_its_reserved_room() {
        let mut small = Array::with_capacity(4);
        small.make_mut().insert(Key::Str("x".into()), Value::None);
        let Storage::Small(pairs) = &small.data().storage else { panic!("a few entries are pairs") };
        assert!(pairs.capacity() >= 4);
        let mut reserved = Array::with_capacity(SMALL + 4);
        reserved.make_mut().insert(Key::Str("x".into()), Value::None);
        let Storage::Map(map) = &reserved.data().storage else { panic!("room for many entries is a map") };
        assert!(map.capacity() >= SMALL + 4);
        let mut long = Array::from_values((0..SMALL + 1).map(|n| Value::number(n as f64)));
        long.make_mut().remove(KeyRef::Int(0));
        assert_eq!(storage_name(&long), "map");
        assert_eq!(keys(&long).first(), Some(&Key::Int(1)));
        let records = Array::from_pairs(string_keys(SMALL + 1).into_iter().map(|key| (key, Value::None)));
        assert_eq!(storage_name(&records), "map");
    }

    #[test]
    fn from_pairs_picks_the_storage_from_the_first_key() {
        let list = Array::from_pairs([(Key::Int(0), Value::number(1.0)), (Key::Int(1), Value::number(2.0))]);
        assert!(is_packed(&list));
        assert_eq!(list.next_index(), 2);
        let pairs = [(Key::Int(1), Value::None), (Key::Int(0), Value::None), (Key::Str("k".into()), Value::None)];
        let map = Array::from_pairs(pairs);
        assert_eq!(storage_name(&map), "pairs");
        assert_eq!(keys(&map), [Key::Int(1), Key::Int(0), Key::Str("k".into())]);
        assert_eq!(map.next_index(), 2);
        let duplicates = Array::from_pairs([
            (Key::Str("a".into()), Value::number(1.0)),
            (Key::Str("b".into()), Value::number(2.0)),
            (Key::Str("a".into()), Value::number(3.0)),
        ]);
        assert_eq!(keys(&duplicates), [Key::Str("a".into()), Key::Str("b".into())]);
        assert!(same(duplicates.get(KeyRef::Str(b"a")), Some(&Value::number(3.0))));
        assert!(is_packed(&Array::from_pairs([])));
    }

    #[test]
    fn from_pairs_builds_what_inserting_one_by_one_builds() {
        let key = |index: usize| match index % 4 {
            0 => Key::Int(index as i64 % 7),
            1 => Key::Int(-(index as i64)),
            _ => Key::from(format!("k{}", index % 5).as_str()),
        };
        // Pairs whose first key is a string (keyed storage), with duplicates, short of and past SMALL.
        for count in [1, 3, SMALL, SMALL + 1, 20] {
            let pairs: Vec<(Key, Value)> = std::iter::once((Key::from("first"), Value::None))
                .chain((0..count).map(|index| (key(index), Value::number(index as f64))))
                .collect();
            assert_builds_what_inserting_builds(&pairs);
        }
        // And lists, empty input, distinct records, and a record that starts with an integer key.
        let distinct = |count: usize| (0..count).map(|index| (Key::from(format!("f{index}").as_str()), Value::None));
        let cases: [Vec<(Key, Value)>; 5] = [
            (0..4).map(|index| (Key::Int(index), Value::number(index as f64))).collect(),
            Vec::new(),
            distinct(SMALL).collect(),
            distinct(SMALL + 1).collect(),
            std::iter::once((Key::Int(5), Value::None)).chain(distinct(3)).collect(),
        ];
        for pairs in cases {
            assert_builds_what_inserting_builds(&pairs);
        }
    }

    /// `from_pairs` and `from_pair_vec` of `pairs` hold what inserting them one by one gives.
    fn assert_builds_what_inserting_builds(pairs: &[(Key, Value)]) {
        let mut inserted = Array::new();
        for (key, value) in pairs.iter().cloned() {
            inserted.make_mut().insert(key, value);
        }
        for built in [Array::from_pairs(pairs.to_vec()), Array::from_pair_vec(pairs.to_vec())] {
            assert_eq!(keys(&built), keys(&inserted), "{pairs:?}");
            assert!(built.values().zip(inserted.values()).all(|(a, b)| a.strict_eq(b)));
            assert_eq!(built.next_index(), inserted.next_index(), "{pairs:?}");
        }
    }

    #[test]
    fn from_pair_vec_keeps_a_distinct_record_as_its_pairs() {
        let record = vec![(Key::from("verb"), Value::from("EHLO")), (Key::from("host"), Value::from("mx"))];
        assert_eq!(storage_name(&Array::from_pair_vec(record)), "pairs");
        let list = vec![(Key::Int(0), Value::None), (Key::Int(1), Value::None)];
        assert!(is_packed(&Array::from_pair_vec(list)));
        let repeated = vec![(Key::from("a"), Value::from("1")), (Key::from("a"), Value::from("2"))];
        let built = Array::from_pair_vec(repeated);
        assert_eq!(built.len(), 1);
        assert!(same(built.get(KeyRef::Str(b"a")), Some(&Value::from("2"))));
    }

    #[test]
    fn clones_are_copy_on_write() {
        let mut a = Array::from_values([Value::number(1.0)]);
        let b = a.clone();
        a.make_mut().push(Value::number(2.0));
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 1);
    }
}
