//! The rules that keep a TokenRequest's signed text unambiguous.
//!
//! The MAC covers keyName, ttl, capability, clientId, timestamp and nonce, each followed by a
//! line feed, with nothing escaped (`api/token-request-spec` in Ably's docs; every SDK writes
//! it so). A line feed inside a field would let the same text, and so the same MAC, be split
//! into other fields: a request signed for clientId `alice\n1700000000000` would also read as
//! clientId `alice` with another timestamp and nonce. So every path that signs or verifies a
//! MAC first checks the fields here, and nothing with a line feed in a text field is signed or
//! accepted. After these checks the text splits back into exactly the fields it was made
//! from; the one pair of different field sets with the same text is a ttl of 0 and an absent
//! ttl, which the service treats alike (its default ttl).
//!
//! [`SignedFields`] is those fields borrowed: checked here, written as signed text or JSON by
//! the [`TokenRequestWriter`], and MACed with the key.

use super::writer::TokenRequestWriter;
use crate::client_id::{ClientId, describe, unprintable};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::scratch::with_scratch;

/// The shortest nonce Ably accepts, in characters.
pub(crate) const MIN_NONCE_CHARS: usize = 16;

/// The fields of a TokenRequest apart from its MAC, borrowed from wherever they live.
pub(crate) struct SignedFields<'a> {
    pub(crate) key_name: &'a str,
    pub(crate) ttl: Option<u64>,
    pub(crate) capability: Option<&'a str>,
    pub(crate) client_id: Option<&'a str>,
    pub(crate) timestamp: u64,
    pub(crate) nonce: &'a str,
}

impl SignedFields<'_> {
    /// Checks every text field before a MAC is computed or compared:
    /// - keyName: not empty, no control character;
    /// - capability text: not empty, no line feed (JSON written on one line);
    /// - clientId: a valid clientId as a token carries it ([`ClientId::from_token`]: not
    ///   empty, no control character or line separator; `*` allowed), 40012;
    /// - nonce: not empty, printable. Its minimum length ([`validate_nonce`]) is a rule of the
    ///   service, not of the text, so MACing a hand-built request again (as ably-python's own
    ///   test vector, with an 8-character nonce) is left to the verifier to refuse.
    ///
    /// Other refusals are 40000 (HTTP 400).
    pub(crate) fn validate(&self) -> Result<()> {
        if self.key_name.is_empty() {
            return Err(Error::bad_request("the TokenRequest's keyName is empty"));
        }
        if let Some((position, c)) = unprintable(self.key_name) {
            return Err(Error::bad_request(format!(
                "the TokenRequest's keyName contains {} at character {position}; a key name is `appId.keyId`",
                describe(c)
            )));
        }
        if let Some(capability) = self.capability {
            if capability.is_empty() {
                return Err(Error::InvalidCapability(
                    "the capability text is empty; leave the capability out for the key's own"
                        .into(),
                ));
            }
            if let Some(position) = capability.chars().position(|c| c == '\n') {
                return Err(Error::InvalidCapability(format!(
                    "the capability text contains a line feed at character {position}; write the \
                     JSON on one line (as `Capability::to_json` does)"
                )));
            }
        }
        if let Some(client_id) = self.client_id {
            ClientId::from_token(client_id)?;
        }
        validate_nonce_text(self.nonce)
    }

    /// Appends the text the MAC covers.
    pub(crate) fn write_signed_text(&self, text: &mut String) {
        self.write(&mut TokenRequestWriter {
            text: Some(text),
            json: None,
        });
    }

    /// The JSON wire form with `mac`, in one buffer sized up front.
    pub(crate) fn to_json(&self, mac: &str) -> String {
        let strings = [
            Some(self.key_name),
            self.capability,
            self.client_id,
            Some(self.nonce),
        ];
        let mac_len = mac.len();
        // Field names, punctuation and two 20-digit numbers fit in 128 bytes, plus a quarter
        // for the capability's quotes; escaping grows the others only when they hold quotes,
        // backslashes or control characters.
        let growth = self.capability.map_or(0, |c| c.len() / 4);
        let capacity =
            128 + growth + mac_len + strings.iter().flatten().map(|s| s.len()).sum::<usize>();
        let mut json = String::with_capacity(capacity);
        let mut writer = TokenRequestWriter {
            text: None,
            json: Some(&mut json),
        };
        self.write(&mut writer);
        writer.mac(mac);
        json
    }

    fn write(&self, writer: &mut TokenRequestWriter<'_>) {
        writer.key_name(self.key_name);
        writer.ttl(self.ttl);
        writer.capability(self.capability);
        writer.client_id(self.client_id);
        writer.timestamp(self.timestamp);
        writer.nonce(self.nonce);
    }

    /// HMAC-SHA256 of the signed text. The caller has validated the fields.
    pub(crate) fn mac(&self, key: &Key) -> [u8; 32] {
        with_scratch(|text| {
            self.write_signed_text(text);
            key.mac(text.as_bytes())
        })
    }
}

/// A nonce Ably accepts: at least [`MIN_NONCE_CHARS`] characters, none of them a control
/// character or line separator. The typed signer and the verifier apply it; refusals are 40000
/// (HTTP 400).
pub(crate) fn validate_nonce(nonce: &str) -> Result<()> {
    // Printable ASCII, as every SDK's nonces are: one pass over the bytes.
    if nonce.len() >= MIN_NONCE_CHARS && nonce.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    let chars = nonce.chars().count();
    if chars < MIN_NONCE_CHARS {
        return Err(Error::bad_request(format!(
            "the nonce must be at least {MIN_NONCE_CHARS} characters (it has {chars})"
        )));
    }
    validate_nonce_text(nonce)
}

/// What any signed nonce must be, whatever its length: not empty, and printable.
fn validate_nonce_text(nonce: &str) -> Result<()> {
    if nonce.is_empty() {
        return Err(Error::bad_request("the nonce is empty"));
    }
    if let Some((position, c)) = unprintable(nonce) {
        return Err(Error::bad_request(format!(
            "the nonce contains {} at character {position}; a nonce is printable text",
            describe(c)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
