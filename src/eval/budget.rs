//! Resource limits and the one counter that enforces operations, the deadline and host interruption.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::{ErrorKind, Fallible, Interrupted, LimitKind, RuntimeError};
use crate::memory;

/// Every limit of a run. `Default` gives the values `hsl run` uses.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Loop iterations plus calls; `None` for unlimited.
    pub max_operations: Option<u64>,
    /// Nested HSL calls.
    pub max_call_depth: u32,
    /// Wall-clock time for one run.
    pub deadline: Option<Duration>,
    /// Bytes in one string.
    pub max_string_size: usize,
    /// Entries in one array.
    pub max_array_size: usize,
    /// Bytes held by the run (values and frames); enforced when [`crate::TrackingAllocator`] is the global
    /// allocator, see [`crate::memory`]. `None` for unlimited.
    pub max_memory: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: Some(1_000_000_000),
            max_call_depth: if cfg!(debug_assertions) { 2_000 } else { 10_000 },
            deadline: Some(Duration::from_secs(60)),
            max_string_size: 64 << 20,
            max_array_size: 8 << 20,
            max_memory: Some(1 << 30),
        }
    }
}

impl Limits {
    /// No limits except call depth (which protects the native stack).
    pub fn unlimited() -> Self {
        Limits {
            max_operations: None,
            deadline: None,
            max_string_size: usize::MAX,
            max_array_size: usize::MAX,
            max_memory: None,
            ..Limits::default()
        }
    }
}

/// How often (in operations) the clock and the interrupt flag are read.
const CHECK_EVERY: u32 = 1024;

/// What an operation of unbounded cost (a builtin call, a regex match) counts towards the next clock read:
/// the clock is read at least every 16 of them, so the deadline holds even when each takes long.
const COSTLY: u32 = CHECK_EVERY / 16;

/// The per-run counter.
pub struct Budget {
    remaining: u64,
    until_check: u32,
    deadline: Option<Instant>,
    interrupt: Option<Arc<AtomicBool>>,
    /// (bytes the thread held when the run started, the most the run may add), when accounting is on.
    memory: Option<(isize, isize)>,
}

impl Budget {
    /// A budget for one run starting now.
    pub fn new(limits: &Limits, interrupt: Option<Arc<AtomicBool>>) -> Budget {
        Budget::starting_at(Instant::now(), limits, interrupt)
    }

    /// A budget for one run that started at `start` (a caller that has read the clock already passes its
    /// reading: one clock read per run instead of two).
    pub fn starting_at(start: Instant, limits: &Limits, interrupt: Option<Arc<AtomicBool>>) -> Budget {
        Budget {
            remaining: limits.max_operations.unwrap_or(u64::MAX),
            until_check: CHECK_EVERY,
            deadline: limits.deadline.map(|d| start + d),
            interrupt,
            memory: limits
                .max_memory
                .filter(|_| memory::is_tracking())
                .map(|max| (memory::live_bytes(), isize::try_from(max).unwrap_or(isize::MAX))),
        }
    }

    /// Fails when the run holds more memory than its limit. Cheap (a thread-local read); called every
    /// 1024 operations and wherever a string or array grows.
    #[inline]
    pub fn check_memory(&self) -> Fallible<()> {
        if let Some((baseline, max)) = self.memory {
            let held = memory::live_bytes().wrapping_sub(baseline);
            if held > max {
                return Err(memory_limit(held, max));
            }
        }
        Ok(())
    }

    /// Counts one operation (a loop iteration or a call).
    #[inline]
    pub fn tick(&mut self) -> Fallible<()> {
        self.remaining = match self.remaining.checked_sub(1) {
            Some(remaining) => remaining,
            None => return Err(limit(LimitKind::Operations, "the operation budget is exhausted")),
        };
        self.until_check -= 1;
        if self.until_check == 0 {
            return self.slow_check();
        }
        Ok(())
    }

    /// Whether the host asked the run to stop (read by natives that block, such as `sleep`).
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    /// Counts an operation whose cost has no fixed bound (builtins, regex matches) towards the next clock
    /// and interrupt check; it does not use the operation budget.
    #[inline]
    pub fn tick_costly(&mut self) -> Fallible<()> {
        if self.until_check <= COSTLY {
            return self.slow_check();
        }
        self.until_check -= COSTLY;
        Ok(())
    }

    #[cold]
    fn slow_check(&mut self) -> Fallible<()> {
        self.until_check = CHECK_EVERY;
        if let Some(deadline) = self.deadline
            && Instant::now() >= deadline
        {
            return Err(limit(LimitKind::Deadline, "the run exceeded its deadline"));
        }
        if let Some(flag) = &self.interrupt
            && flag.load(Ordering::Relaxed)
        {
            return Err(limit(LimitKind::Interrupted, "the host interrupted the run"));
        }
        self.check_memory()
    }
}

#[cold]
fn memory_limit(held: isize, max: isize) -> Interrupted {
    RuntimeError::new(
        ErrorKind::Limit(LimitKind::Memory),
        format!("limit exceeded (memory): the run holds {held} bytes, over the {max} byte limit"),
    )
    .into()
}

/// A limit error.
pub fn limit(kind: LimitKind, message: &str) -> Interrupted {
    RuntimeError::new(ErrorKind::Limit(kind), format!("limit exceeded ({}): {message}", kind.name())).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_counts_from_the_given_start() {
        let limits = Limits { deadline: Some(Duration::from_secs(60)), ..Limits::default() };
        let later = Instant::now() + Duration::from_secs(3600);
        assert!(Budget::starting_at(later, &limits, None).slow_check().is_ok());
        let limits = Limits { deadline: Some(Duration::ZERO), ..Limits::default() };
        let error = Budget::starting_at(Instant::now(), &limits, None).slow_check().unwrap_err();
        assert!(
            matches!(error.take(), crate::error::Interrupt::Error(ref e) if e.kind == ErrorKind::Limit(LimitKind::Deadline))
        );
    }
}
