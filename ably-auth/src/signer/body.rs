//! The one-pass TokenRequest body: the signed text and the JSON written side by side as bytes,
//! each field formatted once, the capability's JSON written and escaped in the same walk.
//!
//! Both buffers hold bytes: the text only feeds the MAC, and the body is checked as UTF-8
//! once, at the end, instead of piece by piece. The pieces that are ASCII by construction (the
//! punctuation, operation names, digits, a hex nonce and the base64 MAC) go in as fixed-size
//! copies wherever they can; the strings the caller gave (key name, clientId, resources, a
//! nonce) are escaped for the JSON as `serde_json` escapes them.

use crate::capability::{Capability, Operation, Operations};
use crate::json::{is_plain, push_escaped, push_json_string};

/// Width of an entry of the operation tables: the longest entry (`,\"annotation-subscribe\"`,
/// 25 bytes) fits, and each entry is copied whole and the buffer then cut back to its length.
const WIDTH: usize = 32;

/// A piece of ASCII text padded to [`WIDTH`] bytes.
#[derive(Clone, Copy)]
struct Padded {
    bytes: [u8; WIDTH],
    len: usize,
}

impl Padded {
    /// `prefix`, then `quote`, `name`, `quote`.
    const fn new(prefix: &[u8], quote: &[u8], name: &[u8]) -> Padded {
        let mut bytes = [0u8; WIDTH];
        let mut len = 0;
        let parts = [prefix, quote, name, quote];
        let mut p = 0;
        while p < parts.len() {
            let part = parts[p];
            let mut i = 0;
            while i < part.len() {
                bytes[len] = part[i];
                len += 1;
                i += 1;
            }
            p += 1;
        }
        Padded { bytes, len }
    }
}

/// Appends `piece` with one fixed-size copy.
#[inline]
fn push_padded(out: &mut Vec<u8>, piece: &Padded) {
    let end = out.len() + piece.len;
    out.extend_from_slice(&piece.bytes);
    out.truncate(end);
}

const OPS: usize = Operation::LIST.len();

/// Each operation as `,"name"` (capability JSON) and `,\"name\"` (the same inside the
/// body's JSON string), by bit index.
const TABLES: ([Padded; OPS], [Padded; OPS]) = {
    let empty = Padded {
        bytes: [0; WIDTH],
        len: 0,
    };
    let mut raw = [empty; OPS];
    let mut escaped = [empty; OPS];
    let mut i = 0;
    while i < OPS {
        let name = Operation::LIST[i].as_str().as_bytes();
        raw[i] = Padded::new(b",", b"\"", name);
        escaped[i] = Padded::new(b",", b"\\\"", name);
        i += 1;
    }
    (raw, escaped)
};

/// The two buffers of one pass.
pub(super) struct Pass<'a> {
    /// The text the MAC covers.
    pub(super) text: &'a mut Vec<u8>,
    /// The JSON body.
    pub(super) json: Vec<u8>,
}

impl Pass<'_> {
    /// A string field: as is in the text; after `name` (the JSON's punctuation and quoted
    /// field name) as a JSON string in the JSON. Absent: an empty line, left out of the JSON.
    pub(super) fn string(&mut self, name: &[u8], value: Option<&str>) {
        if let Some(value) = value {
            self.text.extend_from_slice(value.as_bytes());
            self.json.extend_from_slice(name);
            push_json_bytes(&mut self.json, value);
        }
        self.text.push(b'\n');
    }

    /// A number field; a ttl of 0 is an empty line in the text, as ably-js writes it.
    pub(super) fn number(&mut self, name: &[u8], value: Option<u64>, zero_is_empty: bool) {
        if let Some(value) = value {
            let mut digits = itoa::Buffer::new();
            let digits = digits.format(value).as_bytes();
            if !(zero_is_empty && value == 0) {
                self.text.extend_from_slice(digits);
            }
            self.json.extend_from_slice(name);
            self.json.extend_from_slice(digits);
        }
        self.text.push(b'\n');
    }

    /// A nonce of 32 hex digits, ASCII and plain by construction.
    pub(super) fn hex_nonce(&mut self, nonce: &[u8; 32]) {
        self.text.extend_from_slice(nonce);
        self.text.push(b'\n');
        self.json.extend_from_slice(b",\"nonce\":\"");
        self.json.extend_from_slice(nonce);
        self.json.push(b'"');
    }

    /// The capability's canonical JSON in the text and, escaped, in the JSON: the bytes
    /// `Capability::to_json` gives, and the bytes escaping that gives.
    pub(super) fn capability(&mut self, capability: Option<&Capability>) {
        let Some(capability) = capability else {
            self.text.push(b'\n');
            return;
        };
        let (text, json) = (&mut *self.text, &mut self.json);
        json.extend_from_slice(b",\"capability\":\"");
        let mut open = b'{';
        for (resource, ops) in capability.iter() {
            let name = resource.as_str();
            text.push(open);
            json.push(open);
            open = b',';
            if is_plain(name) {
                text.push(b'"');
                text.extend_from_slice(name.as_bytes());
                text.extend_from_slice(b"\":");
                json.extend_from_slice(b"\\\"");
                json.extend_from_slice(name.as_bytes());
                json.extend_from_slice(b"\\\":");
            } else {
                // Escaped twice: once as capability JSON, once more inside the string.
                let mut raw = String::new();
                push_json_string(&mut raw, name);
                raw.push(':');
                let mut escaped = String::with_capacity(raw.len() * 2);
                push_escaped(&mut escaped, &raw);
                text.extend_from_slice(raw.as_bytes());
                json.extend_from_slice(escaped.as_bytes());
            }
            write_operations(text, json, ops);
        }
        text.extend_from_slice(b"}\n");
        json.extend_from_slice(b"}\"");
    }

    /// Ends the JSON with the MAC in base64.
    pub(super) fn mac(&mut self, mac: &[u8; 32]) {
        self.json.extend_from_slice(b",\"mac\":\"");
        self.json.extend_from_slice(&base64_mac(mac));
        self.json.extend_from_slice(b"\"}");
    }
}

/// The operations' JSON array, in the text as is and in the JSON escaped. The first entry's
/// comma is overwritten with the array's opening bracket.
fn write_operations(text: &mut Vec<u8>, json: &mut Vec<u8>, ops: Operations) {
    if ops.is_all() {
        text.extend_from_slice(b"[\"*\"]");
        json.extend_from_slice(b"[\\\"*\\\"]");
        return;
    }
    let (raw, escaped) = (&TABLES.0, &TABLES.1);
    let (text_open, json_open) = (text.len(), json.len());
    for op in ops.iter() {
        push_padded(text, &raw[op as usize]);
        push_padded(json, &escaped[op as usize]);
    }
    if text.len() == text_open {
        // An empty set (never in a valid capability) is still an array.
        text.push(b',');
        json.push(b',');
    }
    text[text_open] = b'[';
    json[json_open] = b'[';
    text.push(b']');
    json.push(b']');
}

/// Appends `value` as a JSON string.
fn push_json_bytes(out: &mut Vec<u8>, value: &str) {
    if is_plain(value) {
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    } else {
        let mut escaped = String::with_capacity(value.len() + 8);
        push_json_string(&mut escaped, value);
        out.extend_from_slice(escaped.as_bytes());
    }
}

/// Every 12 bits as their two base64 characters (standard alphabet): 8 KiB, so a group of
/// three bytes is two look-ups.
static BASE64_PAIRS: [[u8; 2]; 4096] = {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut pairs = [[0u8; 2]; 4096];
    let mut n = 0;
    while n < 4096 {
        pairs[n] = [ALPHABET[n >> 6], ALPHABET[n & 63]];
        n += 1;
    }
    pairs
};

/// 32 bytes in standard, padded base64: 44 characters.
fn base64_mac(mac: &[u8; 32]) -> [u8; 44] {
    let mut out = [b'='; 44];
    let (groups, tail) = mac.as_chunks::<3>();
    for (chars, group) in out.as_chunks_mut::<4>().0.iter_mut().zip(groups) {
        let n = usize::from(group[0]) << 16 | usize::from(group[1]) << 8 | usize::from(group[2]);
        let [a, b] = BASE64_PAIRS[n >> 12];
        let [c, d] = BASE64_PAIRS[n & 0xfff];
        *chars = [a, b, c, d];
    }
    // 32 = 10 × 3 + 2: the last group has two bytes, three characters and one `=`.
    let n = usize::from(tail[0]) << 16 | usize::from(tail[1]) << 8;
    let [a, b] = BASE64_PAIRS[n >> 12];
    let [c, _] = BASE64_PAIRS[n & 0xfff];
    out[40..43].copy_from_slice(&[a, b, c]);
    out
}

#[cfg(test)]
mod tests {
    use super::base64_mac;
    use crate::capability::{Capability, Operation, Operations, Resource};
    use crate::client_id::ClientId;
    use crate::clock::FixedClock;
    use crate::key::Key;
    use crate::signer::Signer;
    use crate::token::{TokenParams, TokenRequest};
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;
    use std::sync::Arc;
    use std::time::Duration;

    /// The base64 crate as the oracle, over MACs of every byte value in every position.
    #[test]
    fn base64_matches_the_base64_crate() {
        for seed in 0..=255u8 {
            let mac: [u8; 32] = std::array::from_fn(|i| {
                seed.wrapping_mul(31)
                    .wrapping_add((i as u8).wrapping_mul(97))
            });
            assert_eq!(base64_mac(&mac).as_slice(), STANDARD.encode(mac).as_bytes());
        }
    }

    proptest! {
        /// With the default nonce source (its hex nonce written as bytes) and any operation
        /// set, `*` included, the one-pass body is byte for byte what `sign` + `to_json` and
        /// serde_json write for the same timestamp and nonce, and its MAC verifies.
        #[test]
        fn random_nonce_body_is_sign_then_to_json(
            sets in proptest::collection::vec(
                (any::<u32>(), any::<bool>(), "(\\PC|[\\x00-\\x1f\"\\\\]){1,8}"),
                1..5,
            ),
            client_id in proptest::option::of("[^*\\p{Cc}\\x{2028}\\x{2029}]{1,12}"),
            ttl in proptest::option::of(0u64..86_400_000),
        ) {
            let mut capability = Capability::new();
            for (bits, all, name) in &sets {
                let ops = if *all {
                    Operations::ALL
                } else {
                    let ops: Operations = Operation::LIST
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| bits & (1 << i) != 0)
                        .map(|(_, op)| *op)
                        .collect();
                    if ops.is_empty() { Operations::only(Operation::Stats) } else { ops }
                };
                capability.insert(Resource::new(format!("ch:{name}")).unwrap(), ops);
            }
            let key = Key::parse("appId.keyId:keySecret").unwrap();
            let clock = Arc::new(FixedClock::new(1_700_000_000_000));
            let signer = Signer::new(key.clone()).with_clock(clock);
            let mut params = TokenParams {
                ttl: ttl.filter(|t| *t > 0).map(Duration::from_millis),
                capability: Some(capability),
                client_id: client_id.map(|c| ClientId::new(c).unwrap()),
                ..TokenParams::default()
            };
            let json = signer.sign_json(&params).unwrap();
            let parsed = TokenRequest::from_json(json.as_bytes()).unwrap();
            prop_assert_eq!(parsed.nonce.len(), 32);
            prop_assert!(parsed.nonce.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            params.nonce = Some(parsed.nonce.clone());
            params.timestamp = Some(parsed.timestamp);
            let request = signer.sign(&params).unwrap();
            prop_assert_eq!(&json, &request.to_json());
            prop_assert_eq!(&json, &serde_json::to_string(&request).unwrap());
            prop_assert!(parsed.mac_matches(&key));
        }
    }
}
