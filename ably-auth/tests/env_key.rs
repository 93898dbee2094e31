//! `Key::from_env` leaves no copy of `ABLY_API_KEY` behind: every heap block freed while it
//! runs (and when the key is dropped) is scanned for the secret by a wrapping allocator.
//!
//! One test function only: the allocator is process-wide and the environment is shared.

use ably_auth::{API_KEY_ENV, Key};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

const SECRET: &[u8] = b"EnvSecretZq9Xw7Lp3Mv8";

/// Counts freed (or moved-from) heap blocks that still hold `SECRET` while armed.
struct Scanning;

static ARMED: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);

/// # Safety
/// `ptr` must be valid for reads of `len` bytes.
unsafe fn scan(ptr: *const u8, len: usize) {
    if !ARMED.load(Ordering::SeqCst) || len < SECRET.len() {
        return;
    }
    // SAFETY: the caller's block is live for `len` bytes until it is freed below.
    let block = unsafe { std::slice::from_raw_parts(ptr, len) };
    if block.windows(SECRET.len()).any(|w| w == SECRET) {
        FOUND.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes until freed.
        unsafe {
            scan(ptr, layout.size());
            System.dealloc(ptr, layout)
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A block that moves leaves its old bytes behind, so it counts as freed.
        // SAFETY: as in `dealloc`; then forwarded unchanged.
        unsafe {
            scan(ptr, layout.size());
            System.realloc(ptr, layout, new_size)
        }
    }
}

#[global_allocator]
static ALLOCATOR: Scanning = Scanning;

/// Runs `f` with the scanner armed and returns how many freed blocks held the secret.
fn freed_copies(f: impl FnOnce()) -> usize {
    FOUND.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    f();
    ARMED.store(false, Ordering::SeqCst);
    FOUND.load(Ordering::SeqCst)
}

fn set_env(value: impl AsRef<std::ffi::OsStr>) {
    // SAFETY: this binary's only test sets the variable before any other thread reads it.
    unsafe { std::env::set_var(API_KEY_ENV, value) };
}

#[test]
fn from_env_zeroizes_what_it_read() {
    let secret = std::str::from_utf8(SECRET).unwrap();

    // A valid key, with the whitespace a `.env` file may leave around it.
    set_env(format!(" appId.keyId:{secret}\n"));
    let found = freed_copies(|| {
        let key = Key::from_env().unwrap();
        assert_eq!(key.name(), "appId.keyId");
        assert_eq!(key.secret(), secret);
        drop(key);
    });
    assert_eq!(found, 0, "a freed block still held the key secret");

    // A malformed key: refused, and still zeroized.
    set_env(format!("appId.keyId:{secret}:extra"));
    let found = freed_copies(|| {
        let err = Key::from_env().unwrap_err();
        assert_eq!(err.code(), 40101);
        assert!(!err.to_string().contains(secret), "{err}");
    });
    assert_eq!(found, 0, "a freed block still held the key secret");

    // A value that is not UTF-8.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let mut bytes = b"appId.keyId:".to_vec();
        bytes.extend_from_slice(SECRET);
        bytes.push(0xff);
        set_env(std::ffi::OsString::from_vec(bytes));
        let found = freed_copies(|| {
            let err = Key::from_env().unwrap_err();
            assert_eq!(err.code(), 40106);
            assert!(err.to_string().contains("not UTF-8"), "{err}");
        });
        assert_eq!(found, 0, "a freed block still held the key secret");
    }

    // Unset: 40106 saying what to set.
    // SAFETY: as in `set_env`.
    unsafe { std::env::remove_var(API_KEY_ENV) };
    let err = Key::from_env().unwrap_err();
    assert_eq!(err.code(), 40106);
    assert!(err.to_string().contains("ABLY_API_KEY is not set"), "{err}");

    // The scanner itself sees a plain copy that is freed.
    let found = freed_copies(|| drop(std::hint::black_box(secret.to_owned())));
    assert_eq!(found, 1, "the scanner missed a freed copy of the secret");
}
