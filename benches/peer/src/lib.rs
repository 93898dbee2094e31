//! What both benchmarks (`benches/peer.rs`, `benches/ratios.rs`) measure with: equivalent
//! inputs for the route and for the official `ably` 0.2 crate (the same key, ttl of 1 h,
//! capability text and clientId; each side makes its own timestamp and nonce), checked to be
//! equivalent, and the route's signed text with a MAC state keyed once.

use ably_auth::{
    Capability, ClientId, Grant, Key, Operation::*, TokenIssuer, TokenRequest, TokenRequestIssuer,
};
use hmac::{Hmac, KeyInit, Mac};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

const KEY: &str = "appId.keyId:keySecret";
const SECRET: &str = "keySecret";
const CLIENT_ID: &str = "alice";

fn capability() -> Capability {
    Capability::new()
        .grant("chat:*", [Subscribe, History])
        .unwrap()
        .grant("user:alice", [Publish, Subscribe, Presence, History])
        .unwrap()
}

/// Polls a future that is ready at once (a local issuer never waits).
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("a local issuer never waits"),
    }
}

/// The inputs of every measured function.
pub struct Inputs {
    /// The route's issuer.
    pub issuer: TokenRequestIssuer,
    /// The grant it signs.
    pub grant: Grant,
    /// The official crate's key.
    pub ably_key: ably::auth::Key,
    /// The official crate's params, equivalent to `grant`.
    pub ably_params: ably::auth::TokenParams,
    /// The route's signed text.
    pub text: String,
    /// HMAC-SHA256 (the `hmac` crate) keyed once with the key's secret.
    pub keyed: Hmac<sha2::Sha256>,
}

/// Builds the inputs and checks them: both sides sign the same fields, and the keyed state's
/// MAC of the signed text is the route's.
pub fn inputs() -> Inputs {
    let issuer = TokenRequestIssuer::new(KEY.parse::<Key>().unwrap());
    let grant = Grant::new(
        Some(ClientId::new(CLIENT_ID).unwrap()),
        capability(),
        Duration::from_secs(3600),
    );
    let ably_key = ably::auth::Key::new(KEY).unwrap();
    let ably_params = ably::auth::TokenParams::new()
        .capability(&capability().to_json())
        .client_id(CLIENT_ID)
        .ttl(chrono::Duration::seconds(3600));

    let body = ready(issuer.issue_body(&grant)).unwrap().body;
    let ours = TokenRequest::from_json(body.as_bytes()).unwrap();
    let theirs = ably_key.sign(&ably_params).unwrap();
    assert_eq!(ours.key_name, theirs.key_name);
    assert_eq!(ours.ttl, Some(theirs.ttl.num_milliseconds() as u64));
    assert_eq!(ours.capability.as_deref(), Some(theirs.capability.as_str()));
    assert_eq!(ours.client_id, theirs.client_id);

    let text = ours.signed_text().unwrap();
    let keyed = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    {
        use base64::Engine;
        let mac = keyed
            .clone()
            .chain_update(text.as_bytes())
            .finalize()
            .into_bytes();
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(mac),
            ours.mac
        );
    }
    Inputs {
        issuer,
        grant,
        ably_key,
        ably_params,
        text,
        keyed,
    }
}
