//! TokenParams, TokenRequest and TokenDetails with their exact wire shapes.
//!
//! Each type's methods are all in its own file: `params.rs`, `details.rs`, and `request.rs`
//! with TokenRequest's MAC ([`TokenRequest::set_mac`], [`TokenRequest::mac_matches`]). Making
//! a new TokenRequest from [`TokenParams`] is signing, the [`crate::Signer`]'s job.

mod details;
mod fields;
mod params;
mod request;
mod writer;
pub use details::TokenDetails;
pub(crate) use fields::validate_nonce;
pub(crate) use params::BorrowedParams;
pub use params::{TokenParams, validate_ttl};
pub use request::TokenRequest;

pub use crate::limits::{DEFAULT_TTL, MAX_TTL, MAX_TTL_REVOCABLE};

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
    use std::time::Duration;

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
