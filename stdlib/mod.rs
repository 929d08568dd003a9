//! The standard library: every CORE function, one file per category.
//!
//! This module lives in `stdlib/` at the top level and is included with `#[path]` from `src/lib.rs`: a separate
//! crate would need `Value` from `hsl` while `hsl` needs the library back.
