//! The lexer over arbitrary bytes (made UTF-8 lossily): it must end, never panic, and hand out spans that
//! lie inside the text and never go backwards.
#![no_main]

use std::cell::RefCell;
use std::rc::Rc;

use hsl::syntax::lexer::{Lexer, Trail};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let len = text.len() as u32;
    let trail = Rc::new(RefCell::new(Trail::default()));
    let mut previous_start = 0;
    for item in Lexer::new(&text, 0, trail.clone()) {
        match item {
            Ok((start, token, end)) => {
                assert!(start <= end && end <= len, "token {token:?} at {start}..{end} outside 0..{len}");
                assert!(start >= previous_start, "token {token:?} at {start} goes back before {previous_start}");
                previous_start = start;
                let _ = format!("{token:?}");
            }
            Err(error) => {
                let _ = format!("{error:?}");
                break;
            }
        }
    }
    // A base offset shifts every position without changing what is lexed.
    let shifted = Lexer::new(&text, 1000, Rc::new(RefCell::new(Trail::default()))).count();
    let plain = Lexer::new(&text, 0, Rc::new(RefCell::new(Trail::default()))).count();
    assert_eq!(shifted, plain);
});
