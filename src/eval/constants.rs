//! Per-thread copies of a program's string constants.
//!
//! A compiled script is shared by every thread that runs it, and so are its constants. Cloning one
//! (`$outcome = "local"`, an argument such as `"."`) writes its reference count, and threads that write
//! one cache line stall each other: two threads running the same hook went from 1.45x to 1.7x the runs of
//! one when they stopped doing it. So a run takes owned string constants from its thread's copies, made
//! on the first use and kept as long as the program; the shared constants are only ever read.

use std::cell::RefCell;

use crossbeam_utils::CachePadded;
use rustc_hash::FxHashMap;
use thread_local::ThreadLocal;

use crate::value::Str;

/// Each thread's copies of a program's string constants, by the address of the shared constant (a
/// program's constants never move and live as long as it, so an address names one constant). Each
/// thread's copies sit on cache lines of their own: `ThreadLocal` keeps the threads' values side by side,
/// and every use writes the `RefCell`'s borrow flag.
#[derive(Default)]
pub struct ConstantCopies(ThreadLocal<CachePadded<RefCell<Copies>>>);

/// How many copies a thread finds by address alone, without hashing.
const RECENT: usize = 64;

/// One thread's copies: all of them by address, and a direct-mapped table in front of the map, indexed
/// by bits of the address. A hook uses a handful of constants, so nearly every use is found there.
pub struct Copies {
    recent: [Option<(usize, Str)>; RECENT],
    all: FxHashMap<usize, Str>,
}

impl Default for Copies {
    fn default() -> Copies {
        Copies { recent: std::array::from_fn(|_| None), all: FxHashMap::default() }
    }
}

impl ConstantCopies {
    /// This thread's copies.
    pub(super) fn for_this_thread(&self) -> &RefCell<Copies> {
        self.0.get_or_default()
    }
}

impl std::fmt::Debug for ConstantCopies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConstantCopies")
    }
}

/// Where a constant at `address` sits in the direct-mapped table (blocks are at least 32 bytes apart).
#[inline(always)]
fn recent_slot(address: usize) -> usize {
    (address >> 5) % RECENT
}

/// A clone of this thread's copy of `constant` (or of the constant itself when it is short enough to be
/// kept inline: a clone of that is a copy of its word, shared with nobody).
#[inline]
pub(super) fn owned(copies: &RefCell<Copies>, constant: &Str) -> Str {
    if constant.is_inline_storage() {
        return constant.clone();
    }
    let address = constant.address();
    if let Some((at, copy)) = &copies.borrow().recent[recent_slot(address)]
        && *at == address
    {
        return copy.clone();
    }
    owned_from_map(copies, constant)
}

/// [`owned`] past the direct-mapped table: the thread's copy from the map (made on the constant's first
/// use), which then takes the constant's place in the table.
#[cold]
#[inline(never)]
fn owned_from_map(copies: &RefCell<Copies>, constant: &Str) -> Str {
    let address = constant.address();
    let mut copies = copies.borrow_mut();
    let copy = copies.all.entry(address).or_insert_with(|| Str::new(constant.as_bytes())).clone();
    copies.recent[recent_slot(address)] = Some((address, copy.clone()));
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_gets_its_own_copy_made_once() {
        let copies = ConstantCopies::default();
        let constant = Str::from("a shared constant");
        let first = owned(copies.for_this_thread(), &constant);
        let again = owned(copies.for_this_thread(), &constant);
        assert_eq!(first, constant);
        assert_ne!(first.address(), constant.address());
        assert_eq!(first.address(), again.address());
        // Constants that share a slot of the direct-mapped table still get their own copies.
        let many: Vec<Str> = (0..4 * RECENT).map(|n| Str::from(format!("constant {n}").as_str())).collect();
        let copy_addresses = |copies: &ConstantCopies| -> Vec<usize> {
            many.iter().map(|constant| owned(copies.for_this_thread(), constant).address()).collect()
        };
        let made = copy_addresses(&copies);
        assert!(made.iter().zip(&many).all(|(copy, constant)| *copy != constant.address()));
        assert_eq!(copy_addresses(&copies), made, "each constant keeps its one copy");
        assert_eq!(owned(copies.for_this_thread(), &constant).address(), first.address());
        let other = std::thread::scope(|scope| scope.spawn(|| owned(copies.for_this_thread(), &constant)).join());
        let other = other.expect("no panic");
        assert_eq!(other, constant);
        assert_ne!(other.address(), first.address());
        // A short constant is its own copy: cloning it touches no shared memory.
        let short = Str::from("local");
        assert_eq!(owned(copies.for_this_thread(), &short).address(), short.address());
    }
}
