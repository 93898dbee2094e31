//! A reusable text buffer per thread, so signing allocates nothing for its intermediate text.

use std::cell::RefCell;

/// What a buffer keeps between calls: a huge capability once should not pin its buffer to the
/// thread.
const KEEP: usize = 4096;

/// Runs `f` with this thread's scratch buffer, emptied (or a fresh one, when a caller up the
/// stack holds it).
pub(crate) fn with_scratch<T>(f: impl FnOnce(&mut String) -> T) -> T {
    thread_local! {
        static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
    }
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.clear();
            let out = f(&mut scratch);
            scratch.clear();
            scratch.shrink_to(KEEP);
            out
        }
        Err(_) => f(&mut String::new()),
    })
}

/// [`with_scratch`] for bytes: this thread's byte buffer, emptied (or a fresh one, when a
/// caller up the stack holds it).
pub(crate) fn with_byte_scratch<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    thread_local! {
        static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.clear();
            let out = f(&mut scratch);
            scratch.clear();
            scratch.shrink_to(KEEP);
            out
        }
        Err(_) => f(&mut Vec::new()),
    })
}
