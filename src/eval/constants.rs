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
/// thread's map sits on cache lines of its own: `ThreadLocal` keeps the threads' values side by side, and
/// every use writes the `RefCell`'s borrow flag.
#[derive(Default)]
pub struct ConstantCopies(ThreadLocal<CachePadded<RefCell<FxHashMap<usize, Str>>>>);

impl ConstantCopies {
    /// This thread's copies.
    pub(super) fn for_this_thread(&self) -> &RefCell<FxHashMap<usize, Str>> {
        self.0.get_or_default()
    }
}

impl std::fmt::Debug for ConstantCopies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConstantCopies")
    }
}

/// A clone of this thread's copy of `constant`.
#[inline]
pub(super) fn owned(copies: &RefCell<FxHashMap<usize, Str>>, constant: &Str) -> Str {
    copies.borrow_mut().entry(constant.address()).or_insert_with(|| Str::new(constant.as_bytes())).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_gets_its_own_copy_made_once() {
        let copies = ConstantCopies::default();
        let constant = Str::from("local");
        let first = owned(copies.for_this_thread(), &constant);
        let again = owned(copies.for_this_thread(), &constant);
        assert_eq!(first, constant);
        assert_ne!(first.address(), constant.address());
        assert_eq!(first.address(), again.address());
        let other = std::thread::scope(|scope| scope.spawn(|| owned(copies.for_this_thread(), &constant)).join());
        let other = other.expect("no panic");
        assert_eq!(other, constant);
        assert_ne!(other.address(), first.address());
    }
}
