//! The local Ably token endpoint.
