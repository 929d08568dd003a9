//! Engine-wide state shared by every run of every script of one engine: the `memory_*` store, the `cache`
//! expression's cache and `barrier` storage (language.md §6.14, stdlib.md §12).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::value::Value;

/// One cached call result.
#[derive(Clone, Debug)]
pub struct CacheEntry {
    /// The result.
    pub value: Value,
    /// Unix time after which it is stale.
    pub expires: f64,
    /// For LRU eviction: a counter value of the last use.
    pub last_used: u64,
}

/// A named cache (namespace + function name) with its size bound.
#[derive(Debug, Default)]
pub struct Cache {
    /// Entries keyed by the string form of the arguments.
    pub entries: HashMap<Vec<u8>, CacheEntry>,
    /// Maximum entries; the smallest size ever requested wins.
    pub size: usize,
    /// Use counter for LRU.
    pub clock: u64,
}

/// The lock of one barrier and the value bound with `=> $var`.
pub type BarrierCell = Arc<Mutex<Option<Value>>>;

/// State shared across runs and threads.
#[derive(Debug, Default)]
pub struct SharedState {
    /// The `memory_*` key/value store.
    pub memory: Mutex<HashMap<Vec<u8>, Value>>,
    /// `cache` expression caches by `namespace\0function`.
    pub caches: Mutex<HashMap<Vec<u8>, Cache>>,
    barriers: Mutex<HashMap<Vec<u8>, BarrierCell>>,
}

impl SharedState {
    /// The lock and stored value of the barrier `name`.
    pub fn barrier(&self, name: &[u8]) -> BarrierCell {
        self.barriers.lock().entry(name.to_vec()).or_default().clone()
    }
}
