//! The growable buffers of a `Machine` that outlive its run. Each thread keeps the buffers of its last run,
//! emptied, and the next run on that thread starts with them already allocated: a host that runs a hook
//! per connection allocates nothing for the machine itself after the first run.

use std::cell::Cell;

use crate::span::Span;
use crate::value::{FnId, TextBuffer, Value};

/// A buffer with room for more than this many entries is freed rather than kept, so one deep recursion
/// does not hold its stack for the rest of the thread's life.
const KEEP_ENTRIES: usize = 1 << 14;

/// Argument vectors kept for native calls (as deep as natives calling back into natives usually nest).
const KEEP_ARG_VECTORS: usize = 16;

/// The buffers (see the fields of `Machine` of the same names).
#[derive(Default)]
pub(super) struct Scratch {
    pub globals: Vec<Vec<Option<Value>>>,
    pub statics: Vec<Vec<Value>>,
    pub module_started: Vec<bool>,
    pub stack: Vec<Option<Value>>,
    pub arg_pool: Vec<Vec<Value>>,
    pub text: TextBuffer,
    pub calls: Vec<(FnId, Span)>,
}

thread_local! {
    static SPARE: Cell<Option<Scratch>> = const { Cell::new(None) };
    static SPARE_GLOBALS: Cell<Vec<Option<Value>>> = const { Cell::new(Vec::new()) };
}

/// This thread's spare vector for a run's main-module globals (empty): a host's inputs are moved into it,
/// so a run does not regrow the host's vector to the script's size.
pub fn take_globals() -> Vec<Option<Value>> {
    SPARE_GLOBALS.try_with(Cell::take).unwrap_or_default()
}

/// Empties a run's globals vector (dropping what it holds) and keeps it for the thread's next run.
pub fn give_back_globals(mut globals: Vec<Option<Value>>) {
    globals.clear();
    if globals.capacity() <= KEEP_ENTRIES {
        let _ = SPARE_GLOBALS.try_with(|spare| spare.set(globals));
    }
}

impl Scratch {
    /// This thread's spare buffers (empty), or new ones when there are none (the first run, or a run
    /// started while another is active on the thread).
    pub fn take() -> Scratch {
        SPARE.try_with(Cell::take).ok().flatten().unwrap_or_default()
    }

    /// Empties the buffers, dropping the values they hold now, and keeps them for the thread's next run.
    pub fn give_back(mut self) {
        self.globals.clear();
        self.statics.clear();
        self.module_started.clear();
        self.stack.clear();
        self.calls.clear();
        self.text.clear();
        self.arg_pool.truncate(KEEP_ARG_VECTORS);
        self.arg_pool.retain(|args| args.capacity() <= KEEP_ENTRIES);
        self.arg_pool.iter_mut().for_each(Vec::clear);
        let oversized = [self.globals.capacity(), self.statics.capacity(), self.module_started.capacity()]
            .into_iter()
            .chain([self.stack.capacity(), self.calls.capacity(), self.text.capacity() / 16])
            .any(|capacity| capacity > KEEP_ENTRIES);
        if !oversized {
            // Fails only while the thread is ending; the buffers are then simply freed.
            let _ = SPARE.try_with(|spare| spare.set(Some(self)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_gets_back_its_emptied_buffers() {
        std::thread::spawn(|| {
            let mut scratch = Scratch::take();
            scratch.stack.resize(100, Some(Value::number(1.0)));
            scratch.arg_pool.push(vec![Value::from("held")]);
            scratch.module_started.push(true);
            let stack = scratch.stack.as_ptr();
            scratch.give_back();

            let again = Scratch::take();
            assert_eq!(again.stack.as_ptr(), stack);
            assert!(again.stack.is_empty() && again.stack.capacity() >= 100);
            assert!(again.module_started.is_empty());
            assert!(again.arg_pool.iter().all(Vec::is_empty));
            // While one run holds the buffers, another on the same thread gets new ones.
            assert_eq!(Scratch::take().stack.capacity(), 0);
            again.give_back();
        })
        .join()
        .unwrap();
    }

    #[test]
    fn oversized_buffers_are_freed() {
        std::thread::spawn(|| {
            let mut scratch = Scratch::take();
            scratch.stack.resize(KEEP_ENTRIES + 1, None);
            scratch.give_back();
            assert_eq!(Scratch::take().stack.capacity(), 0);
        })
        .join()
        .unwrap();
    }
}
