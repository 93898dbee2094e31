//! Issue and verify Ably credentials for your users.
//!
//! Ably clients authenticate with short-lived credentials that your server issues for the
//! signed-in user. This crate builds the four kinds Ably accepts (the first three
//! byte-for-byte as Ably's own SDKs do):
//!
//! * a signed [`TokenRequest`] ([`Signer`], [`TokenRequestIssuer`]),
//! * an Ably JWT ([`JwtBuilder`], [`JwtIssuer`]),
//! * an Ably token fetched from Ably's REST API (the [`Auth`] API, feature `rest`),
//! * and, around either of the last two, an External JWT with an embedded Ably-compatible
//!   token, signed with a secret of your own ([`EmbeddedJwtBuilder`], [`EmbeddedJwtIssuer`]).
//!
//! Around them: [`Key`] parsing, validated [`ClientId`]s, typed [`Capability`] with Ably's
//! wildcard intersection, a [`Verifier`] that checks requests the way the service does, and
//! the policy layer ([`AblyIdentity`], [`Grant`], [`Hints`]) where client hints can only narrow
//! what your server grants.
//!
//! ```
//! use ably_auth::{Capability, ClientId, Key, Operation::*, Signer, TokenParams};
//!
//! let key: Key = "appId.keyId:keySecret".parse()?;
//! let request = Signer::new(key).sign(&TokenParams {
//!     client_id: Some(ClientId::new("alice")?),
//!     capability: Some(Capability::new().grant("chat:*", [Subscribe, Publish])?),
//!     ..TokenParams::default()
//! })?;
//! assert_eq!(request.key_name, "appId.keyId");
//! println!("{}", request.to_json());
//! # Ok::<(), ably_auth::Error>(())
//! ```
//!
//! One verb, one meaning: to *sign* is to make a new credential from what it should allow,
//! checked against the key ([`Signer::sign`], [`Signer::sign_json`], [`JwtBuilder::sign`]); a
//! *MAC* covers a [`TokenRequest`]'s fields as they stand ([`TokenRequest::set_mac`],
//! [`TokenRequest::mac_matches`]); *validate* refuses what Ably would refuse; a [`Verifier`]
//! *verifies* as the service does; a [`TokenIssuer`] *issues* a [`Credential`] for a grant.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod capability;
mod client_id;
mod clock;
mod error;
pub mod identity;
mod issuer;
mod json;
pub mod jwt;
mod key;
pub mod keyring;
mod limits;
mod mac;
mod nonce;
mod scratch;
mod signer;
pub mod token;
mod verify;

/// The `Auth` API over Ably REST (requestToken, authUrl, authCallback).
#[cfg(feature = "rest")]
#[cfg_attr(docsrs, doc(cfg(feature = "rest")))]
pub mod rest;

#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;

pub use capability::{Capability, Operation, Operations, Resource};
pub use client_id::ClientId;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, ErrorInfo, Result};
pub use identity::{
    AblyIdentity, AblyRole, Grant, GrantRule, Hints, TemplateField, TemplatePart, channel,
    channel_name, check_interpolated,
};
pub use issuer::{
    Credential, CredentialBody, EmbeddedJwtIssuer, JwtIssuer, TokenIssuer, TokenRequestIssuer,
};
pub use jwt::{EmbeddedJwtBuilder, JwtBuilder};
pub use key::{API_KEY_ENV, Key};
pub use keyring::{
    API_KEY_FILE_ENV, KeyRing, KeySet, KeySource, RotatingJwtIssuer, RotatingTokenRequestIssuer,
};
pub use nonce::{NonceSource, RandomNonce};
#[cfg(feature = "rest")]
#[cfg_attr(docsrs, doc(cfg(feature = "rest")))]
pub use rest::{
    AblyTokenIssuer, Auth, AuthCallback, AuthFuture, AuthMethod, AuthOptions, ClientOptions, Rest,
    RotatingAblyTokenIssuer, TokenSource,
};
pub use signer::Signer;
pub use token::{TokenDetails, TokenParams, TokenRequest};
pub use verify::{ExternalJwt, TIMESTAMP_WINDOW, VerifiedToken, Verifier};

/// Derives [`AblyIdentity`] for a user struct: which field is the clientId, which field is
/// the role, what every user may do and for how long. See [`AblyIdentity`] for the trait.
///
/// ```
/// use ably_auth::{AblyIdentity, AblyRole};
/// use std::time::Duration;
///
/// #[derive(AblyIdentity)]
/// #[ably(ttl = "1h")]
/// #[ably(grant("user:{client_id}" => [publish, subscribe, presence, history]))]
/// struct SessionUser {
///     #[ably(client_id)]
///     id: String,
///     #[ably(role)]
///     role: Role,
/// }
///
/// #[derive(AblyRole)]
/// enum Role {
///     #[ably(grant("chat:*" => [subscribe, history]))]
///     Viewer,
///     #[ably(grant("*" => ["*"]), ttl = "15m")]
///     Admin,
/// }
///
/// let viewer = SessionUser { id: "alice".into(), role: Role::Viewer }.ably_grant()?;
/// assert_eq!(viewer.client_id.unwrap().as_str(), "alice");
/// assert_eq!(
///     viewer.capability.to_json(),
///     r#"{"chat:*":["history","subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#
/// );
/// assert_eq!(viewer.ttl, Duration::from_secs(3600));
///
/// let admin = SessionUser { id: "root".into(), role: Role::Admin }.ably_grant()?;
/// assert_eq!(admin.capability.to_json(), r#"{"*":["*"]}"#);
/// assert_eq!(admin.ttl, Duration::from_secs(15 * 60));
///
/// // Interpolated values can't reach other channels.
/// assert!(SessionUser { id: "eve:*".into(), role: Role::Viewer }.ably_grant().is_err());
/// # Ok::<(), ably_auth::Error>(())
/// ```
///
/// # Attributes
///
/// On the struct, any number of times:
///
/// * `#[ably(grant("resource" => [operations]))]`: what every user may do. Resources are
///   channel patterns (`chat:*`, `[queue]orders`, `*`) that may interpolate `{client_id}` and
///   `{field}` (a named field of the struct; any `Display`, an `Option` field that is `None`
///   drops the rule). Operations are idents (`publish`, `push_admin`) or strings
///   (`"push-admin"`, `"*"`). Several `grant(...)` may share one attribute.
/// * `#[ably(ttl = "1h")]`: how long credentials live (`"90s"`, `"15m"`, `"1h30m"`,
///   `"500ms"`; at most 24 hours). Default: one hour. A role's ttl wins over it.
///
/// On fields:
///
/// * `#[ably(client_id)]` (required, once): the clientId, any `Display` type, or an `Option`
///   of one where `None` is an anonymous user, who gets only the rules without `{client_id}`.
/// * `#[ably(role)]` (at most once): a field whose type implements [`AblyRole`], or an
///   `Option` of one where `None` adds no role rules. The role's templates may name the
///   struct's fields (see [`macro@AblyRole`]).
///
/// Values interpolated into a channel name that contain `*`, `:` or a leading `[` are refused
/// at issue time ([`Error::Forbidden`]); so is a user who would be granted nothing at all. The
/// role's ttl beats the struct's, which beats the default of one hour; the whole policy is
/// [`identity::policy`].
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use ably_auth_macros::AblyIdentity;

/// Derives [`AblyRole`] for an enum: each variant lists its grants and may set a ttl.
///
/// ```
/// use ably_auth::AblyRole;
/// use std::time::Duration;
///
/// #[derive(AblyRole)]
/// enum Role {
///     #[ably(grant("chat:*" => [subscribe, history]))]
///     Viewer,
///     #[ably(grant("chat:*" => [subscribe, history, publish, presence]))]
///     #[ably(grant("drafts:{client_id}" => ["*"]))]
///     Editor { team: u32 },
///     #[ably(grant("*" => ["*"]), ttl = "15m")]
///     Admin,
/// }
///
/// assert_eq!(Role::Viewer.ably_rules().len(), 1);
/// assert_eq!(Role::Editor { team: 7 }.ably_rules().len(), 2);
/// assert_eq!(Role::Admin.ably_ttl(), Some(Duration::from_secs(900)));
/// assert_eq!(Role::Viewer.ably_ttl(), None);
/// ```
///
/// Variants take the same `grant(...)` and `ttl = "..."` as [`macro@AblyIdentity`]. The rules
/// are `static` tables.
///
/// # Grants over the user's fields
///
/// A role's templates may interpolate `{client_id}` and the fields of the user struct that
/// has the role: `"org:{org}:*"` on the `Pro` variant gives each Pro user their own
/// organization's channels. The role lists the fields it names
/// ([`AblyRole::IDENTITY_FIELDS`]); the struct that marks it `#[ably(role)]` is checked when it
/// compiles to have each of them, with a type that implements `Display` (or an `Option` of
/// one, where `None` leaves the rule out), and a misspelt field is reported with the closest
/// one. The values are checked at issue time as in the struct's own templates.
///
/// ```
/// use ably_auth::{AblyIdentity, AblyRole};
/// use std::time::Duration;
///
/// #[derive(AblyIdentity)]
/// struct User {
///     #[ably(client_id)]
///     id: u64,
///     org: String,
///     /// `None` while the account is suspended: no grant at all, so refused (403).
///     #[ably(role)]
///     plan: Option<Plan>,
/// }
///
/// #[derive(AblyRole)]
/// enum Plan {
///     #[ably(grant("org:{org}:*" => [subscribe, history], "user:{id}" => [publish]), ttl = "10m")]
///     Free,
///     #[ably(grant("org:{org}:*" => [subscribe, history, publish, presence]))]
///     #[ably(grant("user:{id}" => [publish]), ttl = "1h")]
///     Pro,
///     #[ably(grant("[*]*" => ["*"]), ttl = "15m")]
///     Staff,
/// }
///
/// let pro = User { id: 7, org: "acme".into(), plan: Some(Plan::Pro) }.ably_grant()?;
/// assert_eq!(
///     pro.capability.to_json(),
///     r#"{"org:acme:*":["history","presence","publish","subscribe"],"user:7":["publish"]}"#
/// );
/// assert_eq!(pro.ttl, Duration::from_secs(3600));
///
/// let free = User { id: 8, org: "acme".into(), plan: Some(Plan::Free) }.ably_grant()?;
/// assert_eq!(free.capability.to_json(), r#"{"org:acme:*":["history","subscribe"],"user:8":["publish"]}"#);
/// assert_eq!(free.ttl, Duration::from_secs(600));
///
/// let suspended = User { id: 9, org: "acme".into(), plan: None }.ably_grant().unwrap_err();
/// assert_eq!((suspended.code(), suspended.status()), (40300, 403));
///
/// // An organization name can't reach other channels.
/// let eve = User { id: 10, org: "acme:*".into(), plan: Some(Plan::Pro) }.ably_grant();
/// assert_eq!(eve.unwrap_err().code(), 40300);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use ably_auth_macros::AblyRole;

#[doc(hidden)]
pub mod __private;

#[cfg(test)]
pub(crate) mod test_vectors {
    use std::path::PathBuf;

    /// `ably-auth/vectors` (provenance in its `README.md`).
    pub fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
    }

    pub fn load(name: &str) -> serde_json::Value {
        let path = dir().join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("test vectors {} are required: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }
}
