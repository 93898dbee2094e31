//! The writer of a TokenRequest's signed text and JSON wire form, one field at a time.

use crate::capability::Capability;
use crate::json::push_json_string;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One pass over a TokenRequest's fields in the order its two forms share (keyName, ttl,
/// capability, clientId, timestamp, nonce), writing the text the MAC covers, the JSON wire
/// form, or both side by side, so that signing formats, escapes and copies each field once.
///
/// The signed text is each field followed by a line feed, an absent field empty and a ttl of 0
/// empty too, as ably-js writes it. The JSON is byte for byte what `serde_json` writes for a
/// [`TokenRequest`]: absent fields left out, strings escaped as serde_json escapes them.
pub(crate) struct TokenRequestWriter<'a> {
    pub(crate) text: Option<&'a mut String>,
    pub(crate) json: Option<&'a mut String>,
}

impl TokenRequestWriter<'_> {
    /// A string field: as is in the text (empty when absent); after `name` (the JSON's
    /// punctuation and the quoted field name) as a JSON string in the JSON (left out when
    /// absent).
    fn string(&mut self, name: &str, value: Option<&str>) {
        if let Some(text) = self.text.as_deref_mut() {
            text.push_str(value.unwrap_or(""));
            text.push('\n');
        }
        if let (Some(json), Some(value)) = (self.json.as_deref_mut(), value) {
            json.push_str(name);
            push_json_string(json, value);
        }
    }

    pub(crate) fn key_name(&mut self, name: &str) {
        self.string("{\"keyName\":", Some(name));
    }

    pub(crate) fn ttl(&mut self, ttl: Option<u64>) {
        let mut digits = itoa::Buffer::new();
        let ttl = ttl.map(|ttl| digits.format(ttl));
        if let Some(text) = self.text.as_deref_mut() {
            text.push_str(ttl.filter(|ttl| *ttl != "0").unwrap_or(""));
            text.push('\n');
        }
        if let (Some(json), Some(ttl)) = (self.json.as_deref_mut(), ttl) {
            json.push_str(",\"ttl\":");
            json.push_str(ttl);
        }
    }

    /// A capability already in its JSON text, signed as written.
    pub(crate) fn capability(&mut self, capability: Option<&str>) {
        self.string(",\"capability\":", capability);
    }

    /// A typed capability, written as its canonical JSON. When the pass writes both forms,
    /// one walk over its resources writes the text and the escaped copy in the JSON.
    pub(crate) fn typed_capability(&mut self, capability: Option<&Capability>) {
        let (Some(capability), Some(text), Some(json)) = (
            capability,
            self.text.as_deref_mut(),
            self.json.as_deref_mut(),
        ) else {
            return self.capability(capability.map(Capability::to_json).as_deref());
        };
        json.push_str(",\"capability\":\"");
        capability.write_json_and_escaped(text, json);
        text.push('\n');
        json.push('"');
    }

    pub(crate) fn client_id(&mut self, client_id: Option<&str>) {
        self.string(",\"clientId\":", client_id);
    }

    pub(crate) fn timestamp(&mut self, timestamp: u64) {
        let mut digits = itoa::Buffer::new();
        let timestamp = digits.format(timestamp);
        if let Some(text) = self.text.as_deref_mut() {
            text.push_str(timestamp);
            text.push('\n');
        }
        if let Some(json) = self.json.as_deref_mut() {
            json.push_str(",\"timestamp\":");
            json.push_str(timestamp);
        }
    }

    pub(crate) fn nonce(&mut self, nonce: &str) {
        self.string(",\"nonce\":", Some(nonce));
    }

    /// The nonce `write` appends, written in place: into the text when there is one, then
    /// copied from there to the JSON.
    pub(crate) fn nonce_from(&mut self, write: impl FnOnce(&mut String)) {
        let Some(text) = self.text.as_deref_mut() else {
            let mut nonce = String::new();
            write(&mut nonce);
            return self.nonce(&nonce);
        };
        let start = text.len();
        write(text);
        if let Some(json) = self.json.as_deref_mut() {
            json.push_str(",\"nonce\":");
            push_json_string(json, &text[start..]);
        }
        text.push('\n');
    }

    /// The text written so far (empty when the pass writes only JSON).
    pub(crate) fn text(&self) -> &str {
        self.text.as_deref().map_or("", String::as_str)
    }

    /// Ends the JSON with `mac`.
    pub(crate) fn mac(&mut self, mac: MacField<'_>) {
        let Some(json) = self.json.as_deref_mut() else {
            return;
        };
        json.push_str(",\"mac\":");
        match mac {
            MacField::Text(text) => push_json_string(json, text),
            MacField::Raw(raw) => {
                let mut text = [0u8; BASE64_MAC_LEN];
                let len = STANDARD.encode_slice(raw, &mut text).unwrap_or(0);
                json.push('"');
                json.push_str(std::str::from_utf8(&text[..len]).unwrap_or_default());
                json.push('"');
            }
        }
        json.push('}');
    }
}

/// A TokenRequest's MAC for its JSON: text as it came, or the bytes just computed (written as
/// base64, standard and padded, which never needs escaping).
pub(crate) enum MacField<'a> {
    Text(&'a str),
    Raw([u8; 32]),
}

/// The length of a MAC in base64: 32 bytes always encode to 44 characters.
pub(crate) const BASE64_MAC_LEN: usize = 44;
