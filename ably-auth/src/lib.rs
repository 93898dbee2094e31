//! Issue and verify Ably credentials for your users.
//!
//! Ably clients authenticate with short-lived credentials that your server issues for the
//! signed-in user. This crate builds all three kinds, byte-for-byte as Ably's own SDKs do:
//!
//! * a signed [`TokenRequest`] ([`Signer`], [`TokenRequestIssuer`]),
//! * an Ably JWT ([`JwtBuilder`], [`JwtIssuer`]),
//! * an Ably token fetched from Ably's REST API (the [`Auth`] API, feature `rest`).
//!
//! Around them: [`Key`] parsing, validated [`ClientId`]s, typed [`Capability`] with Ably's
//! wildcard intersection, a [`Verifier`] that checks requests the way the service does, and
//! the policy layer ([`AblyIdentity`], [`Grant`], [`Hints`]) where client hints can only narrow
//! what your server grants.
//!
//! ```
//! use ably_auth::{Capability, ClientId, Key, Operation::*, TokenParams};
//!
//! let key: Key = "appId.keyId:keySecret".parse()?;
//! let request = key.sign(&TokenParams {
//!     client_id: Some(ClientId::new("alice")?),
//!     capability: Some(Capability::new().grant("chat:*", [Subscribe, Publish])?),
//!     ..TokenParams::default()
//! })?;
//! assert_eq!(request.key_name, "appId.keyId");
//! println!("{}", request.to_json());
//! # Ok::<(), ably_auth::Error>(())
//! ```
#![warn(missing_docs)]

pub mod capability;
mod client_id;
mod error;
pub mod identity;
mod issuer;
pub mod jwt;
mod key;
mod sign;
pub mod token;
mod verify;

#[cfg(feature = "rest")]
pub mod rest;

pub use capability::{Capability, Operation, Operations, Resource};
pub use client_id::ClientId;
pub use error::{Error, ErrorInfo, Result};
pub use identity::{
    AblyIdentity, AblyRole, Grant, GrantRule, Hints, TemplatePart, channel_name, check_interpolated,
};
pub use issuer::{Credential, JwtIssuer, TokenIssuer, TokenRequestIssuer};
pub use jwt::JwtBuilder;
pub use key::{API_KEY_ENV, Key};
#[cfg(feature = "rest")]
pub use rest::{
    AblyTokenIssuer, Auth, AuthCallback, AuthFuture, AuthMethod, AuthOptions, TokenSource,
};
pub use sign::{Clock, FixedClock, NonceSource, RandomNonce, Signer, SystemClock};
pub use token::{TokenDetails, TokenParams, TokenRequest};
pub use verify::{TIMESTAMP_WINDOW, VerifiedToken, Verifier};

#[doc(hidden)]
pub mod __private;

#[cfg(test)]
pub(crate) mod test_vectors {
    use std::path::PathBuf;

    /// `../shared/vectors` beside the repository (or `ABLY_AUTH_VECTORS`).
    pub fn dir() -> PathBuf {
        std::env::var_os("ABLY_AUTH_VECTORS").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
            PathBuf::from,
        )
    }

    pub fn load(name: &str) -> serde_json::Value {
        let path = dir().join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("test vectors {} are required: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }
}
