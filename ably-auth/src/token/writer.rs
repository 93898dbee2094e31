//! The writer of a TokenRequest's signed text and JSON wire form, one field at a time.

use crate::json::push_json_string;

/// One pass over a TokenRequest's fields in the order its two forms share (keyName, ttl,
/// capability, clientId, timestamp, nonce), writing the text the MAC covers, the JSON wire
/// form, or both side by side. Signing writes its one-pass body with the signer's own byte
/// writer (`signer/body.rs`), which keeps these rules.
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

    /// Ends the JSON with `mac`.
    pub(crate) fn mac(&mut self, mac: &str) {
        let Some(json) = self.json.as_deref_mut() else {
            return;
        };
        json.push_str(",\"mac\":");
        push_json_string(json, mac);
        json.push('}');
    }
}
