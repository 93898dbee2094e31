//! A compile-time error message, built in a `const` and shown with `panic!("{}", ..)`.

/// Longest message, in bytes; longer text ends with `...`.
const CAPACITY: usize = 1024;

/// Text built in a `const fn`.
pub struct Message {
    buf: [u8; CAPACITY],
    len: usize,
    full: bool,
}

impl Message {
    /// An empty message.
    pub const fn new() -> Message {
        Message {
            buf: [0; CAPACITY],
            len: 0,
            full: false,
        }
    }

    /// Appends `text`, or `...` once when it doesn't fit (never a partial character).
    pub const fn push(mut self, text: &str) -> Message {
        let bytes = text.as_bytes();
        if self.full {
            return self;
        }
        if self.len + bytes.len() + 3 > CAPACITY {
            self.full = true;
            return self.push_bytes(b"...");
        }
        self.push_bytes(bytes)
    }

    const fn push_bytes(mut self, bytes: &[u8]) -> Message {
        let mut i = 0;
        while i < bytes.len() && self.len < CAPACITY {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// The text.
    pub const fn as_str(&self) -> &str {
        match core::str::from_utf8(self.buf.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "invalid `#[derive]` input",
        }
    }
}

impl Default for Message {
    fn default() -> Message {
        Message::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_truncates_whole() {
        const M: Message = Message::new().push("a").push("é").push("c");
        assert_eq!(M.as_str(), "aéc");
        let long = "x".repeat(CAPACITY);
        let m = Message::new().push("start ").push(&long).push("more");
        assert_eq!(m.as_str(), "start ...");
    }
}
