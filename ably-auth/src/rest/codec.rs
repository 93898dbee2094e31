//! JSON and MessagePack bodies (Ably features spec TO3f, RSC8).

use super::transport::Body;
use crate::error::{Error, Result};
use crate::token::TokenRequest;
use reqwest::header::HeaderValue;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The MessagePack media type Ably uses.
pub(super) const MSGPACK: &str = "application/x-msgpack";
/// The JSON media type.
pub(super) const JSON: &str = "application/json";

/// The `Accept` header for the protocol.
pub(super) fn accept(binary: bool) -> HeaderValue {
    HeaderValue::from_static(if binary { MSGPACK } else { JSON })
}

/// `value` as a MessagePack (maps with field names) or JSON body.
pub(super) fn encode<T: Serialize + ?Sized>(binary: bool, value: &T) -> Result<Body> {
    if binary {
        rmp_serde::to_vec_named(value)
            .map(|bytes| Body {
                bytes,
                content_type: MSGPACK,
            })
            .map_err(|e| Error::bad_request(format!("the body can't be MessagePack-encoded: {e}")))
    } else {
        serde_json::to_vec(value)
            .map(|bytes| Body {
                bytes,
                content_type: JSON,
            })
            .map_err(|e| Error::bad_request(format!("the body can't be JSON-encoded: {e}")))
    }
}

/// A TokenRequest body: its exact JSON wire form, or MessagePack.
pub(super) fn encode_token_request(binary: bool, request: &TokenRequest) -> Result<Body> {
    if binary {
        encode(true, request)
    } else {
        Ok(Body {
            bytes: request.to_json().into_bytes(),
            content_type: JSON,
        })
    }
}

/// Decodes `bytes` by their media type (`content_type`, parameters stripped): MessagePack
/// for `application/x-msgpack`, JSON otherwise. The error names no value.
pub(super) fn decode<T: DeserializeOwned>(content_type: &str, bytes: &[u8]) -> Result<T, String> {
    if content_type == MSGPACK {
        rmp_serde::from_slice(bytes).map_err(|e| format!("MessagePack: {}", kind_of(&e)))
    } else {
        serde_json::from_slice(bytes).map_err(|e| super::http::without_values(&e.to_string()))
    }
}

/// A MessagePack error without the value it quotes.
fn kind_of(e: &rmp_serde::decode::Error) -> String {
    super::http::without_values(&e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_protocols_round_trip_a_token_request() {
        let request = TokenRequest {
            key_name: "a.b".into(),
            ttl: Some(60_000),
            capability: None,
            client_id: Some("alice".into()),
            timestamp: 1,
            nonce: "n".into(),
            mac: "m".into(),
        };
        for binary in [false, true] {
            let body = encode_token_request(binary, &request).unwrap();
            let back: TokenRequest = decode(body.content_type, &body.bytes).unwrap();
            assert_eq!(back, request, "binary {binary}");
        }
        // The MessagePack form is a map with the wire field names, as an independent
        // decoder into JSON values shows.
        let body = encode_token_request(true, &request).unwrap();
        let value: serde_json::Value = rmp_serde::from_slice(&body.bytes).unwrap();
        assert_eq!(value["keyName"], "a.b");
        assert_eq!(value["clientId"], "alice");
        assert!(value.get("capability").is_none());
    }
}
