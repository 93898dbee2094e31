//! Where TokenRequest nonces come from.

use chacha20::ChaCha12Rng;
use rand_core::{Rng, SeedableRng};
use std::cell::RefCell;
use std::sync::Arc;

/// A source of TokenRequest nonces (at least 16 characters, never repeating).
pub trait NonceSource: Send + Sync {
    /// A fresh nonce.
    fn nonce(&self) -> String;

    /// Appends a fresh nonce to `out`. The default appends [`NonceSource::nonce`]; override
    /// it to skip that allocation.
    fn push_nonce(&self, out: &mut String) {
        out.push_str(&self.nonce());
    }
}

/// 32 lowercase hex characters (128 bits) from a ChaCha12 stream per thread, seeded from the
/// operating system's CSPRNG and reseeded after every MiB drawn, so a nonce costs neither a
/// system call nor a lock.
///
/// As with any per-process random state, a process that forks after signing should not sign
/// in both parent and child without a fresh thread: the child starts from a copy of the
/// parent's stream.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomNonce;

const NONCE_BYTES: usize = 16;
/// 256 nonces per refill.
const POOL_BYTES: usize = NONCE_BYTES * 256;
/// Bytes drawn from one seed before the next comes from the operating system.
const RESEED_AFTER: usize = 1 << 20;

struct Pool {
    rng: Option<ChaCha12Rng>,
    bytes: [u8; POOL_BYTES],
    used: usize,
    drawn: usize,
}

impl Drop for Pool {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes[..]);
    }
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool { rng: None, bytes: [0; POOL_BYTES], used: POOL_BYTES, drawn: 0 })
    };
}

impl Pool {
    fn refill(&mut self) {
        let rng = match &mut self.rng {
            Some(rng) if self.drawn < RESEED_AFTER => rng,
            _ => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).expect("the operating system CSPRNG is unavailable");
                self.drawn = 0;
                let rng = self.rng.insert(ChaCha12Rng::from_seed(seed));
                zeroize::Zeroize::zeroize(&mut seed);
                rng
            }
        };
        rng.fill_bytes(&mut self.bytes);
        self.drawn += POOL_BYTES;
        self.used = 0;
    }
}

impl RandomNonce {
    fn random_bytes() -> [u8; NONCE_BYTES] {
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.used == POOL_BYTES {
                pool.refill();
            }
            let start = pool.used;
            let mut out = [0u8; NONCE_BYTES];
            out.copy_from_slice(&pool.bytes[start..start + NONCE_BYTES]);
            pool.bytes[start..start + NONCE_BYTES].fill(0);
            pool.used += NONCE_BYTES;
            out
        })
    }
}

impl RandomNonce {
    /// A fresh nonce: 32 lowercase hex digits.
    pub(crate) fn hex() -> [u8; NONCE_BYTES * 2] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = RandomNonce::random_bytes();
        let mut hex = [0u8; NONCE_BYTES * 2];
        for (pair, b) in hex.chunks_exact_mut(2).zip(bytes) {
            pair[0] = HEX[(b >> 4) as usize];
            pair[1] = HEX[(b & 0xf) as usize];
        }
        hex
    }
}

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        let mut out = String::with_capacity(NONCE_BYTES * 2);
        self.push_nonce(&mut out);
        out
    }

    fn push_nonce(&self, out: &mut String) {
        out.push_str(std::str::from_utf8(&RandomNonce::hex()).unwrap_or_default());
    }
}

impl<N: NonceSource + ?Sized> NonceSource for Arc<N> {
    fn nonce(&self) -> String {
        (**self).nonce()
    }

    fn push_nonce(&self, out: &mut String) {
        (**self).push_nonce(out)
    }
}
