//! Untrusted token parameters a client sends to the auth endpoint, read leniently.

use crate::capability::Capability;
use crate::error::{Error, Result};
use std::time::Duration;

/// Untrusted token parameters a client sends to the auth endpoint (ably-js sends `clientId`,
/// ably-python `client_id` and a Python-repr capability). They can only narrow a
/// [`Grant`](super::Grant).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// Requested ttl.
    pub ttl: Option<Duration>,
    /// Requested capability.
    pub capability: Option<Capability>,
    /// Requested clientId.
    pub client_id: Option<String>,
}

impl Hints {
    /// Reads hints from query or form pairs, leniently: `clientId` or `client_id`; capability
    /// as JSON or as the Python repr ably-python sends; ttl in ms. Other names are ignored.
    /// Malformed values give 40003 (ttl) or 40000 (capability), HTTP 400.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Hints> {
        let mut hints = Hints::default();
        for (name, value) in pairs {
            let value = value.as_ref();
            match name.as_ref() {
                "ttl" => hints.ttl = parse_ttl_hint(value)?,
                "capability" => hints.capability = parse_capability_hint(value)?,
                "clientId" | "client_id" if !value.is_empty() => {
                    hints.client_id = Some(value.to_owned());
                }
                _ => {}
            }
        }
        Ok(hints)
    }
}

impl Hints {
    /// Reads hints from an `application/x-www-form-urlencoded` body or a query string.
    /// Percent-decoded bytes must be UTF-8 (40000 otherwise); see [`Hints::from_pairs`].
    pub fn from_urlencoded(input: &[u8]) -> Result<Hints> {
        let mut pairs = Vec::new();
        for piece in input.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let mut halves = piece.splitn(2, |b| *b == b'=');
            let name = percent_decode(halves.next().unwrap_or_default())?;
            let value = percent_decode(halves.next().unwrap_or_default())?;
            pairs.push((name, value));
        }
        Hints::from_pairs(pairs)
    }
}

fn percent_decode(input: &[u8]) -> Result<String> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| Error::bad_request("a parameter is not valid UTF-8 after percent-decoding"))
}

fn parse_ttl_hint(value: &str) -> Result<Option<Duration>> {
    let value = value.trim();
    if value.is_empty() || value == "null" || value == "None" {
        return Ok(None);
    }
    match value.parse::<u64>() {
        Ok(0) => Err(Error::InvalidTtl(
            "ttl must be a positive number of milliseconds".into(),
        )),
        Ok(ms) => Ok(Some(Duration::from_millis(ms))),
        Err(_) => Err(Error::InvalidTtl(format!(
            "ttl {value:?} is not a positive integer number of milliseconds"
        ))),
    }
}

fn parse_capability_hint(value: &str) -> Result<Option<Capability>> {
    let value = value.trim();
    if value.is_empty() || value == "null" || value == "None" {
        return Ok(None);
    }
    match Capability::parse(value) {
        Ok(cap) => Ok(Some(cap)),
        // ably-python sends `{'x': ['publish']}`; its own parser retries with `"` for `'`.
        Err(err) if value.starts_with("{'") => Capability::parse(&value.replace('\'', "\""))
            .map(Some)
            .map_err(|_| err),
        Err(err) => Err(err),
    }
}
