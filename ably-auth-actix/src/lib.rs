//! actix-web integration for [`ably_auth`].
#![warn(missing_docs)]

#[cfg(feature = "local-ably")]
pub mod local;
