//! The `Auth` API over Ably REST: `createTokenRequest`, `requestToken`, `authorize`,
//! `clientId` and `revokeTokens`, with a key, a token, an authUrl or an auth callback, and a
//! small REST client ([`Rest`]) that authenticates requests with Basic or token auth
//! (feature `rest`).
//!
//! ```no_run
//! use ably_auth::{Auth, AuthOptions, Key, TokenParams};
//!
//! # async fn run() -> ably_auth::Result<()> {
//! let auth = Auth::new(AuthOptions::key(Key::from_env()?))?;
//! let details = auth.request_token(None, None).await?;
//! println!("token for {:?} expires at {}", details.client_id, details.expires);
//! # Ok(())
//! # }
//! ```
//!
//! HTTP goes through reqwest with rustls and the *ring* provider; certificates are checked
//! with the platform's verifier. Any base URL works as the endpoint of an [`Auth`], including
//! an `ably_auth_local` endpoint on `http://127.0.0.1:PORT`; a [`Rest`] client resolves its
//! hosts as the Ably SDKs do ([`resolve_hosts`](crate::rest::resolve_hosts)) and falls back to
//! other hosts when one fails.
//!
//! Calls to Ably follow no redirects. An authUrl's redirects are followed only within its
//! origin, at most [`MAX_REDIRECTS`](crate::rest::MAX_REDIRECTS) times; a redirect to
//! another origin is refused with 40170, so auth headers, auth params and signed
//! TokenRequests never reach another host.
//! No error names an authUrl's path or query, an auth param or header value, the key secret
//! or a token.

use std::time::Duration;

mod auth;
mod auth_url;
mod client;
mod client_options;
mod codec;
mod endpoint;
mod http;
mod issuer;
mod jwt_expiry;
mod measure;
mod options;
mod paginated;
mod redirect;
mod renewal;
mod revoke;
mod scheme;
mod source;
mod transport;

pub use auth::Auth;
pub use client::Rest;
pub use client_options::ClientOptions;
pub use endpoint::{DEFAULT_ROUTING_POLICY, Hosts, resolve_hosts};
pub use issuer::{AblyTokenIssuer, RotatingAblyTokenIssuer};
pub use options::{AuthCallback, AuthFuture, AuthMethod, AuthOptions};
pub use paginated::HttpPaginatedResponse;
pub use redirect::MAX_REDIRECTS;
pub use revoke::{
    BatchResult, RevokeOptions, TokenRevocationFailure, TokenRevocationResult,
    TokenRevocationSuccess, TokenRevocationTarget,
};
pub use scheme::AuthScheme;
pub use source::TokenSource;
pub use transport::{
    DEFAULT_FALLBACK_RETRY_TIMEOUT, DEFAULT_MAX_RETRY_COUNT, DEFAULT_MAX_RETRY_DURATION,
};

/// Ably's REST endpoint: `https://main.realtime.ably.net`.
pub const DEFAULT_ENDPOINT: &str = "https://main.realtime.ably.net";
/// How long a request to Ably, an authUrl or an auth callback may take: 10 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest response body read from Ably's token endpoint or an authUrl: 128 KiB.
pub const MAX_RESPONSE: usize = 128 * 1024;
/// The largest response body [`Rest::request`] reads: 8 MiB.
pub const MAX_REQUEST_RESPONSE: usize = 8 * 1024 * 1024;
/// A token is renewed when it expires within this margin: 30 s.
pub const RENEW_MARGIN: Duration = Duration::from_secs(30);
/// The Ably protocol version sent as `X-Ably-Version`.
pub const ABLY_VERSION: &str = "6";

/// `Ably-Agent` (RSC7d): this library and its version, then the operating system by the
/// identifier Ably's agents list gives it (`linux`, `macOS`, `windows`), where it has one.
macro_rules! agent {
    ($os:literal) => {
        concat!("ably-auth-rs/", env!("CARGO_PKG_VERSION"), $os)
    };
}
#[cfg(target_os = "linux")]
const AGENT: &str = agent!(" linux");
#[cfg(target_os = "macos")]
const AGENT: &str = agent!(" macOS");
#[cfg(target_os = "windows")]
const AGENT: &str = agent!(" windows");
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
const AGENT: &str = agent!("");

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("app.key_1-~"), "app.key_1-~");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }
}
