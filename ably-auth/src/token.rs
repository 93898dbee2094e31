//! TokenParams, TokenRequest and TokenDetails with their exact wire shapes.

use crate::capability::Capability;
use crate::error::{Error, Result};
use crate::json::push_json_string;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

mod fields;
pub(crate) use fields::check_nonce;
mod params;
pub(crate) use params::Unsigned;
pub use params::{TokenParams, validate_ttl};

/// The longest ttl Ably grants: 24 hours.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest ttl for a key with revocable tokens: 1 hour.
pub const MAX_TTL_REVOCABLE: Duration = Duration::from_secs(60 * 60);
/// The ttl Ably applies when a request names none: 60 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);

/// A signed request for an Ably token, as sent to `POST /keys/{keyName}/requestToken` or
/// returned from an authUrl. It serializes to exactly its 7 wire fields, absent ones omitted;
/// it deserializes what every SDK sends, including ably-python's `null`s.
///
/// The `capability` is the exact JSON text that was signed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    /// `appId.keyId`.
    pub key_name: String,
    /// Requested lifetime in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// Requested capability: JSON text, signed verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// The clientId the token will carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Unique random string, at least 16 characters.
    pub nonce: String,
    /// Base64 HMAC-SHA256 of the signed text.
    pub mac: String,
}

impl TokenRequest {
    /// The JSON wire form: byte for byte what `serde_json::to_string` writes for this struct,
    /// built by hand into one buffer sized up front.
    pub fn to_json(&self) -> String {
        self.fields().to_json(MacField::Text(&self.mac))
    }

    /// Checks that the fields can be signed or verified without ambiguity, as every signing
    /// and verifying path does before it computes or compares a MAC: keyName not empty and
    /// printable; capability text not empty and on one line; clientId a valid clientId
    /// (40012), `*` allowed; nonce not empty and printable. Other refusals are 40000. (The
    /// service's 16-character minimum for nonces is applied by [`crate::Signer`] to the
    /// params it signs and by [`crate::Verifier`], not here.)
    ///
    /// The signed text joins the fields with line feeds and escapes nothing, so a line feed in
    /// a field would let one MAC stand for other fields (another clientId, timestamp and nonce).
    ///
    /// ```
    /// use ably_auth::TokenRequest;
    ///
    /// let mut request = TokenRequest {
    ///     key_name: "appId.keyId".into(),
    ///     ttl: None,
    ///     capability: None,
    ///     client_id: Some("alice".into()),
    ///     timestamp: 1_700_000_000_000,
    ///     nonce: "0123456789abcdef".into(),
    ///     mac: String::new(),
    /// };
    /// assert!(request.validate().is_ok());
    /// request.client_id = Some("alice\n1700000000000".into());
    /// assert_eq!(request.validate().unwrap_err().code(), 40012);
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.fields().check()
    }

    /// The fields the MAC covers, borrowed.
    pub(crate) fn fields(&self) -> SignedFields<'_> {
        SignedFields {
            key_name: &self.key_name,
            ttl: self.ttl,
            capability: self.capability.as_deref(),
            client_id: self.client_id.as_deref(),
            timestamp: self.timestamp,
            nonce: &self.nonce,
        }
    }

    /// Reads a TokenRequest body with Ably's error codes: 40001 for a body that is not a
    /// TokenRequest, 40003 for a ttl that is negative or not an integer.
    pub fn from_json(body: &[u8]) -> Result<TokenRequest> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Lenient {
            key_name: Option<String>,
            #[serde(default)]
            ttl: Option<serde_json::Number>,
            #[serde(default)]
            capability: Option<String>,
            #[serde(default)]
            client_id: Option<String>,
            timestamp: Option<serde_json::Number>,
            nonce: Option<String>,
            mac: Option<String>,
        }
        let raw: Lenient = serde_json::from_slice(body)
            .map_err(|e| Error::bad_body(format!("the body is not a TokenRequest: {e}")))?;
        let missing = |field: &str| Error::bad_body(format!("the TokenRequest has no {field}"));
        let ttl = match raw.ttl {
            None => None,
            Some(n) => Some(n.as_u64().ok_or_else(|| {
                Error::InvalidTtl(format!("ttl {n} is not a positive integer of milliseconds"))
            })?),
        };
        let timestamp = raw.timestamp.ok_or_else(|| missing("timestamp"))?;
        let timestamp = timestamp.as_u64().ok_or_else(|| {
            Error::bad_body(format!(
                "timestamp {timestamp} is not milliseconds since the epoch"
            ))
        })?;
        Ok(TokenRequest {
            key_name: raw.key_name.ok_or_else(|| missing("keyName"))?,
            ttl,
            capability: raw.capability,
            client_id: raw.client_id,
            timestamp,
            nonce: raw.nonce.ok_or_else(|| missing("nonce"))?,
            mac: raw.mac.ok_or_else(|| missing("mac"))?,
        })
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("key_name", &self.key_name)
            .field("ttl", &self.ttl)
            .field("capability", &self.capability)
            .field("client_id", &self.client_id)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("mac", &self.mac)
            .finish()
    }
}

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
    /// Appends the text the MAC covers.
    pub(crate) fn write_signed_text(&self, text: &mut String) {
        self.write(&mut Pass {
            text: Some(text),
            json: None,
        });
    }

    /// The JSON wire form with `mac`, in one buffer sized up front.
    pub(crate) fn to_json(&self, mac: MacField<'_>) -> String {
        let strings = [
            Some(self.key_name),
            self.capability,
            self.client_id,
            Some(self.nonce),
        ];
        let mac_len = match mac {
            MacField::Text(text) => text.len(),
            MacField::Raw(_) => BASE64_MAC_LEN,
        };
        // Field names, punctuation and two 20-digit numbers fit in 128 bytes, plus a quarter
        // for the capability's quotes; escaping grows the others only when they hold quotes,
        // backslashes or control characters.
        let growth = self.capability.map_or(0, |c| c.len() / 4);
        let capacity =
            128 + growth + mac_len + strings.iter().flatten().map(|s| s.len()).sum::<usize>();
        let mut json = String::with_capacity(capacity);
        let mut pass = Pass {
            text: None,
            json: Some(&mut json),
        };
        self.write(&mut pass);
        pass.mac(mac);
        json
    }

    fn write(&self, pass: &mut Pass<'_>) {
        pass.key_name(self.key_name);
        pass.ttl(self.ttl);
        pass.capability(self.capability);
        pass.client_id(self.client_id);
        pass.timestamp(self.timestamp);
        pass.nonce(self.nonce);
    }
}

/// One pass over a TokenRequest's fields in the order its two forms share (keyName, ttl,
/// capability, clientId, timestamp, nonce), writing the text the MAC covers, the JSON wire
/// form, or both side by side, so that signing formats, escapes and copies each field once.
///
/// The signed text is each field followed by a line feed, an absent field empty and a ttl of 0
/// empty too, as ably-js writes it. The JSON is byte for byte what `serde_json` writes for a
/// [`TokenRequest`]: absent fields left out, strings escaped as serde_json escapes them.
pub(crate) struct Pass<'a> {
    pub(crate) text: Option<&'a mut String>,
    pub(crate) json: Option<&'a mut String>,
}

impl Pass<'_> {
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
const BASE64_MAC_LEN: usize = 44;

/// An Ably token and what it permits, as returned by `requestToken`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDetails {
    /// The token string.
    pub token: String,
    /// Expiry, milliseconds since the Unix epoch.
    #[serde(default)]
    pub expires: u64,
    /// Issue time, milliseconds since the Unix epoch.
    #[serde(default)]
    pub issued: u64,
    /// The capability the service granted (its canonical JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// The clientId bound to the token, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The key that issued the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
}

impl TokenDetails {
    /// A TokenDetails holding only a token string (from an authUrl answering `text/plain` or
    /// `application/jwt`); expiry unknown.
    pub fn from_token(token: impl Into<String>) -> TokenDetails {
        TokenDetails {
            token: token.into(),
            expires: 0,
            issued: 0,
            capability: None,
            client_id: None,
            key_name: None,
        }
    }

    /// The JSON wire form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether the token expires within `margin` of `now_ms` (false when expiry is unknown).
    pub fn expires_within(&self, now_ms: u64, margin: Duration) -> bool {
        self.expires != 0 && self.expires <= now_ms.saturating_add(margin.as_millis() as u64)
    }
}

/// Shows the token's first characters only: a bearer token does not belong in logs.
impl fmt::Debug for TokenDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.token.chars().take(8).collect();
        f.debug_struct("TokenDetails")
            .field("token", &format_args!("{shown}…"))
            .field("expires", &self.expires)
            .field("issued", &self.issued)
            .field("capability", &self.capability)
            .field("client_id", &self.client_id)
            .field("key_name", &self.key_name)
            .finish()
    }
}

pub(crate) mod ttl_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(ttl: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match ttl {
            Some(d) => s.serialize_u64(d.as_millis() as u64),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis))
    }
}

pub(crate) mod capability_string {
    use crate::capability::Capability;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(cap: &Option<Capability>, s: S) -> Result<S::Ok, S::Error> {
        match cap {
            Some(c) => s.serialize_str(&c.to_json()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Capability>, D::Error> {
        Option::<Capability>::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_request_has_exactly_its_wire_fields() {
        let req = TokenRequest {
            key_name: "a.b".into(),
            ttl: None,
            capability: None,
            client_id: None,
            timestamp: 1,
            nonce: "n".into(),
            mac: "m".into(),
        };
        assert_eq!(
            req.to_json(),
            r#"{"keyName":"a.b","timestamp":1,"nonce":"n","mac":"m"}"#
        );
    }

    #[test]
    fn to_json_escapes_like_serde() {
        let req = TokenRequest {
            key_name: "a\"b\\c".into(),
            ttl: Some(u64::MAX),
            capability: Some("{\"caf\u{e9}\":[\"publish\"]}\u{7f}".into()),
            client_id: Some("j\u{fc}rgen\n\r\t\u{8}\u{c}\u{0}\u{1f}/\u{2028}\u{1f600}".into()),
            timestamp: 0,
            nonce: String::new(),
            mac: "x+/=".into(),
        };
        assert_eq!(req.to_json(), serde_json::to_string(&req).unwrap());
        assert!(
            req.to_json().contains(r#"\u0000\u001f/"#),
            "{}",
            req.to_json()
        );
    }

    proptest::proptest! {
        /// The hand-written serializer writes the same bytes as serde_json, for every field
        /// combination and any text (control characters and non-ASCII included).
        #[test]
        fn to_json_is_byte_identical_to_serde(
            key_name in "\\PC{0,12}|[\\x00-\\x7f]{0,12}",
            ttl in proptest::option::of(proptest::num::u64::ANY),
            capability in proptest::option::of("(\\PC|[\\x00-\\x1f\"\\\\]){0,40}"),
            client_id in proptest::option::of("(\\PC|[\\x00-\\x1f\"\\\\]){0,12}"),
            timestamp in proptest::num::u64::ANY,
            nonce in "[\\x00-\\x7f]{0,32}",
            mac in "\\PC{0,44}",
        ) {
            let req = TokenRequest { key_name, ttl, capability, client_id, timestamp, nonce, mac };
            proptest::prop_assert_eq!(req.to_json(), serde_json::to_string(&req).unwrap());
        }
    }

    #[test]
    fn reads_python_nulls() {
        let body = br#"{"keyName":"a.b","ttl":null,"capability":null,"clientId":null,"timestamp":1700000000000,"nonce":"0123456789abcdef","mac":"x"}"#;
        let req = TokenRequest::from_json(body).unwrap();
        assert_eq!(req.ttl, None);
        assert_eq!(req.capability, None);
        let via_serde: TokenRequest = serde_json::from_slice(body).unwrap();
        assert_eq!(via_serde, req);
    }

    #[test]
    fn malformed_bodies_get_ably_codes() {
        let cases: &[(&[u8], u32)] = &[
            (b"", 40001),
            (b"[]", 40001),
            (br#"{"timestamp":1,"nonce":"n","mac":"m"}"#, 40001),
            (br#"{"keyName":"a.b","nonce":"n","mac":"m"}"#, 40001),
            (
                br#"{"keyName":"a.b","timestamp":-5,"nonce":"n","mac":"m"}"#,
                40001,
            ),
            (
                br#"{"keyName":"a.b","ttl":-1,"timestamp":1,"nonce":"n","mac":"m"}"#,
                40003,
            ),
            (
                br#"{"keyName":"a.b","ttl":1.5,"timestamp":1,"nonce":"n","mac":"m"}"#,
                40003,
            ),
            (
                br#"{"keyName":"a.b","ttl":"60","timestamp":1,"nonce":"n","mac":"m"}"#,
                40001,
            ),
            (br#"{"keyName":"a.b","timestamp":1,"nonce":"n"}"#, 40001),
        ];
        for (body, code) in cases {
            let err = TokenRequest::from_json(body).unwrap_err();
            assert_eq!(err.code(), *code, "{}", String::from_utf8_lossy(body));
            assert_eq!(err.status(), 400);
        }
    }

    #[test]
    fn params_omit_absent_fields() {
        assert_eq!(
            serde_json::to_string(&TokenParams::default()).unwrap(),
            "{}"
        );
        let params: TokenParams = serde_json::from_str(
            r#"{"ttl":null,"capability":"{\"a\":[\"publish\"]}","clientId":"*"}"#,
        )
        .unwrap();
        assert_eq!(params.ttl, None);
        assert!(params.client_id.unwrap().is_wildcard());
        assert_eq!(params.capability.unwrap().to_json(), r#"{"a":["publish"]}"#);
    }

    #[test]
    fn ttl_limits() {
        assert!(validate_ttl(Duration::from_millis(1), MAX_TTL).is_ok());
        assert!(validate_ttl(MAX_TTL, MAX_TTL).is_ok());
        assert_eq!(
            validate_ttl(Duration::ZERO, MAX_TTL).unwrap_err().code(),
            40003
        );
        let err = validate_ttl(MAX_TTL + Duration::from_millis(1), MAX_TTL).unwrap_err();
        assert_eq!((err.code(), err.status()), (40003, 400));
        let err = validate_ttl(Duration::from_secs(3601), MAX_TTL_REVOCABLE).unwrap_err();
        assert!(err.to_string().contains("revocation"), "{err}");
    }

    #[test]
    fn token_details_debug_hides_the_token() {
        let details = TokenDetails::from_token("appId.averylongsecrettokenvalue");
        assert!(!format!("{details:?}").contains("averylongsecret"));
    }
}
