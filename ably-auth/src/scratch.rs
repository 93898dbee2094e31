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
    SCRATCH.with(|scratch| reuse(scratch, f))
}

/// [`with_scratch`] for bytes: this thread's byte buffer, emptied (or a fresh one, when a
/// caller up the stack holds it).
pub(crate) fn with_byte_scratch<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    thread_local! {
        static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| reuse(scratch, f))
}

/// A buffer the scratch functions can empty and trim.
trait Buffer: Default {
    fn clear(&mut self);
    fn shrink_to(&mut self, capacity: usize);
}

impl Buffer for String {
    fn clear(&mut self) {
        String::clear(self);
    }
    fn shrink_to(&mut self, capacity: usize) {
        String::shrink_to(self, capacity);
    }
}

impl Buffer for Vec<u8> {
    fn clear(&mut self) {
        Vec::clear(self);
    }
    fn shrink_to(&mut self, capacity: usize) {
        Vec::shrink_to(self, capacity);
    }
}

/// Runs `f` with the buffer in `cell`, emptied before and after and trimmed to [`KEEP`]; with a
/// fresh one when `cell` is already borrowed up the stack.
fn reuse<B: Buffer, T>(cell: &RefCell<B>, f: impl FnOnce(&mut B) -> T) -> T {
    match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            let out = f(&mut buffer);
            buffer.clear();
            buffer.shrink_to(KEEP);
            out
        }
        Err(_) => f(&mut B::default()),
    }
}
