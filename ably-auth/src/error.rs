//! Ably `ErrorInfo` and the crate's error type.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An Ably error as it travels on the wire (`{"error":{...}}` holds one of these).
///
/// ```
/// use ably_auth::ErrorInfo;
/// let info = ErrorInfo::new(40160, 403, "capability not permitted");
/// assert_eq!(
///     info.to_json(),
///     r#"{"error":{"code":40160,"statusCode":403,"message":"capability not permitted","href":"https://help.ably.io/error/40160"}}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// The Ably error code, for example `40101`.
    pub code: u32,
    /// The HTTP status that goes with it.
    pub status_code: u16,
    /// A human readable message.
    #[serde(default)]
    pub message: String,
    /// A link to the error code's help page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    error: T,
}

impl ErrorInfo {
    /// Builds an `ErrorInfo` with the standard help link for `code`.
    pub fn new(code: u32, status_code: u16, message: impl Into<String>) -> Self {
        ErrorInfo {
            code,
            status_code,
            message: message.into(),
            href: Some(format!("https://help.ably.io/error/{code}")),
        }
    }

    /// The wire form: `{"error":{"code":..,"statusCode":..,"message":..,"href":..}}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&Envelope { error: self }).unwrap_or_default()
    }

    /// Reads an Ably error body (`{"error":{...}}`), or `None` when `body` is not one.
    pub fn from_json(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Envelope<ErrorInfo>>(body)
            .ok()
            .map(|e| e.error)
    }
}

impl fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (Ably error {}, HTTP {})",
            self.message, self.code, self.status_code
        )
    }
}

impl std::error::Error for ErrorInfo {}

/// Every error this crate returns. Each variant maps to one Ably error code and HTTP status
/// ([`Error::code`], [`Error::status`]), so it can be sent to a client as an [`ErrorInfo`].
///
/// Messages never contain a key secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key string is malformed (40101, 401).
    #[error("invalid Ably API key: {0}")]
    InvalidKey(String),
    /// An operation needs the API key, and none was configured (40106, 401).
    #[error("{0}")]
    NoKey(String),
    /// The clientId is empty, `*` used as an identity, or otherwise invalid (40012, 400).
    #[error("invalid clientId: {0}")]
    InvalidClientId(String),
    /// The capability is not valid JSON of the right shape, or names an unknown operation (40000, 400).
    #[error("invalid capability: {0}")]
    InvalidCapability(String),
    /// The ttl is zero, negative, not a number or above the limit (40003, 400).
    #[error("invalid ttl: {0}")]
    InvalidTtl(String),
    /// The request (a TokenRequest body, a hint, a parameter) is malformed (40000 or 40001, 400).
    #[error("invalid request: {message}")]
    BadRequest {
        /// 40000 (bad request) or 40001 (invalid request body).
        code: u32,
        /// What is wrong.
        message: String,
    },
    /// The TokenRequest's MAC does not match its fields (40101, 401).
    #[error("request mac does not match")]
    MacMismatch,
    /// The TokenRequest's timestamp is outside the accepted window (40104, 401).
    #[error("timestamp not current: {0}")]
    TimestampNotCurrent(String),
    /// The TokenRequest's nonce was already used within the window (40105, 401).
    #[error("nonce value replayed")]
    NonceReplayed,
    /// The key named in a request or JWT is not known (40400, 404).
    #[error("key not recognised: {0}")]
    UnknownKey(String),
    /// A token or JWT has expired (40142, 401).
    #[error("token expired")]
    TokenExpired,
    /// A token or JWT is malformed or its signature is wrong (40144, 401).
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The requested capability is not permitted; an empty intersection (40160, 401 from the
    /// service, 403 from an auth endpoint).
    #[error("{message}")]
    CapabilityDenied {
        /// HTTP status: 401 from Ably's token endpoint, 403 from an app's auth endpoint.
        status: u16,
        /// What was denied.
        message: String,
    },
    /// A clientId conflicts with the one of the credentials or the identity (40102, 401 or 403).
    #[error("{message}")]
    ClientIdMismatch {
        /// HTTP status: 401 from Ably, 403 from an app's auth endpoint.
        status: u16,
        /// Which clientIds conflict.
        message: String,
    },
    /// The app refused the request (40300, 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The app's user is not signed in (40100, 401).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// An authUrl or authCallback gave an unusable answer (40170, 401).
    #[error("authUrl/authCallback failed: {0}")]
    AuthCallback(String),
    /// The Ably service answered with an error.
    #[error("Ably refused the request: {0}")]
    Ably(ErrorInfo),
    /// Ably or an authUrl could not be reached, or answered with something that is not Ably's
    /// (50002 with HTTP 502).
    #[error("upstream request failed: {0}")]
    Upstream(String),
    /// Ably or an authUrl did not answer in time (50003 with HTTP 504).
    #[error("upstream request timed out: {0}")]
    Timeout(String),
    /// Too many requests, for example the replay cache is full (42910, 429).
    #[error("rate limit exceeded: {0}")]
    RateLimited(String),
    /// Configuration that cannot work, such as conflicting auth options (40106, 400).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The request is larger than the endpoint accepts (40000, 413).
    #[error("request too large: {0}")]
    TooLarge(String),
    /// A server-side fault that is not the client's doing (50000, 500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Error::BadRequest {
            code: 40000,
            message: message.into(),
        }
    }

    pub(crate) fn bad_body(message: impl Into<String>) -> Self {
        Error::BadRequest {
            code: 40001,
            message: message.into(),
        }
    }

    /// The Ably error code of this error.
    pub fn code(&self) -> u32 {
        match self {
            Error::InvalidKey(_) | Error::MacMismatch => 40101,
            Error::NoKey(_) | Error::Config(_) => 40106,
            Error::InvalidClientId(_) => 40012,
            Error::InvalidCapability(_) => 40000,
            Error::InvalidTtl(_) => 40003,
            Error::BadRequest { code, .. } => *code,
            Error::TimestampNotCurrent(_) => 40104,
            Error::NonceReplayed => 40105,
            Error::UnknownKey(_) => 40400,
            Error::TokenExpired => 40142,
            Error::InvalidToken(_) => 40144,
            Error::CapabilityDenied { .. } => 40160,
            Error::ClientIdMismatch { .. } => 40102,
            Error::Forbidden(_) => 40300,
            Error::Unauthorized(_) => 40100,
            Error::AuthCallback(_) => 40170,
            Error::Ably(info) => info.code,
            Error::Upstream(_) => 50002,
            Error::Timeout(_) => 50003,
            Error::RateLimited(_) => 42910,
            Error::Internal(_) => 50000,
            Error::TooLarge(_) => 40000,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::InvalidClientId(_)
            | Error::InvalidCapability(_)
            | Error::InvalidTtl(_)
            | Error::BadRequest { .. }
            | Error::Config(_) => 400,
            Error::InvalidKey(_)
            | Error::NoKey(_)
            | Error::MacMismatch
            | Error::TimestampNotCurrent(_)
            | Error::NonceReplayed
            | Error::TokenExpired
            | Error::InvalidToken(_)
            | Error::Unauthorized(_)
            | Error::AuthCallback(_) => 401,
            Error::CapabilityDenied { status, .. } | Error::ClientIdMismatch { status, .. } => {
                *status
            }
            Error::Forbidden(_) => 403,
            Error::UnknownKey(_) => 404,
            Error::RateLimited(_) => 429,
            Error::Ably(info) => info.status_code,
            Error::Upstream(_) => 502,
            Error::Timeout(_) => 504,
            Error::Internal(_) => 500,
            Error::TooLarge(_) => 413,
        }
    }

    /// This error as an Ably [`ErrorInfo`], ready to send to a client.
    pub fn to_error_info(&self) -> ErrorInfo {
        match self {
            Error::Ably(info) => info.clone(),
            other => ErrorInfo::new(other.code(), other.status(), other.to_string()),
        }
    }
}

impl From<ErrorInfo> for Error {
    fn from(info: ErrorInfo) -> Self {
        Error::Ably(info)
    }
}

impl From<&Error> for ErrorInfo {
    fn from(err: &Error) -> Self {
        err.to_error_info()
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_info_round_trips_the_wire_shape() {
        let body = br#"{"error":{"message":"Timestamp not current","code":40104,"statusCode":401,"href":"https://help.ably.io/error/40104"}}"#;
        let info = ErrorInfo::from_json(body).expect("an Ably error body");
        assert_eq!(info.code, 40104);
        assert_eq!(info.status_code, 401);
        assert_eq!(info.message, "Timestamp not current");
        let again = ErrorInfo::from_json(info.to_json().as_bytes()).unwrap();
        assert_eq!(again, info);
        assert!(ErrorInfo::from_json(b"{\"token\":\"x\"}").is_none());
    }

    #[test]
    fn codes_and_statuses_follow_the_reference() {
        let cases: &[(Error, u32, u16)] = &[
            (Error::MacMismatch, 40101, 401),
            (Error::TimestampNotCurrent("x".into()), 40104, 401),
            (Error::NonceReplayed, 40105, 401),
            (Error::InvalidCapability("x".into()), 40000, 400),
            (Error::InvalidTtl("x".into()), 40003, 400),
            (Error::InvalidClientId("x".into()), 40012, 400),
            (
                Error::CapabilityDenied {
                    status: 403,
                    message: "x".into(),
                },
                40160,
                403,
            ),
            (Error::AuthCallback("x".into()), 40170, 401),
            (Error::UnknownKey("x".into()), 40400, 404),
            (Error::Timeout("x".into()), 50003, 504),
        ];
        for (err, code, status) in cases {
            assert_eq!((err.code(), err.status()), (*code, *status), "{err:?}");
            let info = err.to_error_info();
            assert_eq!((info.code, info.status_code), (*code, *status));
        }
    }
}
