//! HMAC-SHA256 (RFC 2104) over SHA-256's compression function, keyed once per [`crate::Key`].
//!
//! Every MAC this crate computes (TokenRequests, Ably JWTs, and checking both) is one call
//! over one byte string, so the key's inner and outer states are hashed once, when the key is
//! parsed, and a MAC is then the message's blocks plus one block for the outer hash, straight
//! through [`compress256`], with the padding written on the stack. Tests check it against the
//! RFC 4231 vectors, the `hmac` crate and the SDKs' vectors.

use sha2::block_api::compress256;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

const BLOCK: usize = 64;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 states after the key's inner (`key ^ 0x36…`) and outer (`key ^ 0x5c…`) blocks.
/// Either state lets whoever holds it forge MACs, so both are zeroized on drop, and so is
/// every working copy.
#[derive(Clone)]
pub(crate) struct PreKeyed {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl PreKeyed {
    /// Hashes the key's two padded blocks (a key longer than a block is hashed first).
    pub(crate) fn new(key: &[u8]) -> PreKeyed {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut digest: [u8; 32] = Sha256::digest(key).into();
            block[..32].copy_from_slice(&digest);
            digest.zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let keyed = |block: &mut [u8; BLOCK], pad: u8| {
            block.iter_mut().for_each(|b| *b ^= pad);
            let mut state = IV;
            compress256(&mut state, std::slice::from_ref(block));
            block.iter_mut().for_each(|b| *b ^= pad);
            state
        };
        let inner = keyed(&mut block, 0x36);
        let outer = keyed(&mut block, 0x5c);
        block.zeroize();
        PreKeyed { inner, outer }
    }

    /// HMAC-SHA256 of `message`.
    pub(crate) fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let (blocks, rest) = message.as_chunks::<BLOCK>();
        compress256(&mut state, blocks);
        // The key's block comes before the message.
        finish(&mut state, rest, BLOCK + message.len());
        let mut digest = [0u8; 32];
        write_be(&state, &mut digest);
        state = self.outer;
        finish(&mut state, &digest, BLOCK + digest.len());
        write_be(&state, &mut digest);
        state.zeroize();
        digest
    }
}

/// Hashes the last `rest` (< 64) bytes of a message of `total` bytes with SHA-256's padding:
/// `0x80`, zeros, and the length in bits, big-endian, in one block or two.
fn finish(state: &mut [u32; 8], rest: &[u8], total: usize) {
    let mut tail = [[0u8; BLOCK]; 2];
    let flat = tail.as_flattened_mut();
    flat[..rest.len()].copy_from_slice(rest);
    flat[rest.len()] = 0x80;
    let blocks = if rest.len() < BLOCK - 8 { 1 } else { 2 };
    let end = blocks * BLOCK;
    flat[end - 8..end].copy_from_slice(&(total as u64 * 8).to_be_bytes());
    compress256(state, &tail[..blocks]);
}

fn write_be(state: &[u32; 8], out: &mut [u8; 32]) {
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
}

impl Drop for PreKeyed {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::PreKeyed;
    use hmac::{Hmac, KeyInit, Mac};
    use proptest::prelude::*;

    /// What the `hmac` crate computes.
    fn reference(key: &[u8], message: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// RFC 4231, test cases 1–4, 6 and 7 (case 5 truncates the output): short keys, a key of
    /// 131 bytes (hashed first), and messages spanning one to three blocks.
    #[test]
    fn rfc_4231_vectors() {
        let long_key = [0xaau8; 131];
        let cases: [(&[u8], &[u8], &str); 6] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &[0xaa; 20],
                &[0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                &[
                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                    23, 24, 25,
                ],
                &[0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                &long_key,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                &long_key,
                b"This is a test using a larger than block-size key and a larger than \
                  block-size data. The key needs to be hashed before being used by the \
                  HMAC algorithm.",
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, message, expected) in cases {
            assert_eq!(hex(&PreKeyed::new(key).mac(message)), expected);
        }
    }

    proptest! {
        /// Byte for byte what the `hmac` crate computes, for keys on both sides of the block
        /// size and messages whose tails need one padding block or two.
        #[test]
        fn matches_the_hmac_crate(
            key in proptest::collection::vec(any::<u8>(), 0..150),
            message in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            prop_assert_eq!(PreKeyed::new(&key).mac(&message), reference(&key, &message));
        }
    }

    /// Every message length around the padding boundaries (55, 56, 63, 64 bytes of tail).
    #[test]
    fn every_tail_length_matches_the_hmac_crate() {
        let key = PreKeyed::new(b"keySecret");
        let message: Vec<u8> = (0..=255u8).collect();
        for len in 0..message.len() {
            let expected = reference(b"keySecret", &message[..len]);
            assert_eq!(key.mac(&message[..len]), expected, "length {len}");
        }
    }
}
