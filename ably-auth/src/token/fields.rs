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

use super::SignedFields;
use crate::client_id::{ClientId, describe, unprintable};
use crate::error::{Error, Result};

/// The shortest nonce Ably accepts, in characters.
pub(crate) const MIN_NONCE_CHARS: usize = 16;

impl SignedFields<'_> {
    /// Checks every text field before a MAC is computed or compared:
    /// - keyName: not empty, no control character;
    /// - capability text: not empty, no line feed (JSON written on one line);
    /// - clientId: a valid clientId as a token carries it ([`ClientId::from_token`]: not
    ///   empty, no control character or line separator; `*` allowed), 40012;
    /// - nonce: not empty, printable. Its minimum length ([`check_nonce`]) is a rule of the
    ///   service, not of the text, so re-signing a hand-built request (as ably-python's own
    ///   test vector, with an 8-character nonce) is left to the verifier to refuse.
    ///
    /// Other refusals are 40000 (HTTP 400).
    pub(crate) fn check(&self) -> Result<()> {
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
        check_nonce_text(self.nonce)
    }
}

/// A nonce Ably accepts: at least [`MIN_NONCE_CHARS`] characters, none of them a control
/// character or line separator. The typed signer and the verifier apply it; refusals are 40000
/// (HTTP 400).
pub(crate) fn check_nonce(nonce: &str) -> Result<()> {
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
    check_nonce_text(nonce)
}

/// What any signed nonce must be, whatever its length: not empty, and printable.
fn check_nonce_text(nonce: &str) -> Result<()> {
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
