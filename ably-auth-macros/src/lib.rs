//! Derive macros for [`ably-auth`](https://docs.rs/ably-auth): `#[derive(AblyIdentity)]` maps
//! a user struct to an Ably clientId, capability and ttl, and `#[derive(AblyRole)]` lists what
//! each role may do.
//!
//! Use them through `ably-auth` (feature `derive`, on by default), which re-exports both
//! beside the traits of the same names and documents the attributes at
//! [`ably_auth::AblyIdentity`](https://docs.rs/ably-auth/latest/ably_auth/derive.AblyIdentity.html)
//! and [`ably_auth::AblyRole`](https://docs.rs/ably-auth/latest/ably_auth/derive.AblyRole.html).
//! The example below is the one on the `AblyIdentity` page, where it runs as a doctest (this
//! crate cannot run it: `ably-auth` depends on this crate).
//!
//! ```
//! use ably_auth::{AblyIdentity, AblyRole};
//! use std::time::Duration;
//!
//! #[derive(AblyIdentity)]
//! #[ably(ttl = "1h")]
//! #[ably(grant("user:{client_id}" => [publish, subscribe, presence, history]))]
//! struct SessionUser {
//!     #[ably(client_id)]
//!     id: String,
//!     #[ably(role)]
//!     role: Role,
//! }
//!
//! #[derive(AblyRole)]
//! enum Role {
//!     #[ably(grant("chat:*" => [subscribe, history]))]
//!     Viewer,
//!     #[ably(grant("*" => ["*"]), ttl = "15m")]
//!     Admin,
//! }
//!
//! let viewer = SessionUser { id: "alice".into(), role: Role::Viewer }.ably_grant()?;
//! assert_eq!(viewer.client_id.unwrap().as_str(), "alice");
//! assert_eq!(
//!     viewer.capability.to_json(),
//!     r#"{"chat:*":["history","subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#
//! );
//! assert_eq!(viewer.ttl, Duration::from_secs(3600));
//!
//! let admin = SessionUser { id: "root".into(), role: Role::Admin }.ably_grant()?;
//! assert_eq!(admin.capability.to_json(), r#"{"*":["*"]}"#);
//! assert_eq!(admin.ttl, Duration::from_secs(15 * 60));
//!
//! // Interpolated values can't reach other channels.
//! assert!(SessionUser { id: "eve:*".into(), role: Role::Viewer }.ably_grant().is_err());
//! # Ok::<(), ably_auth::Error>(())
//! ```
//!
//! Every literal is checked when the code compiles: operation names, resource patterns,
//! template placeholders and ttls. All problems are reported together, each at the token
//! that causes it.
#![forbid(unsafe_code)]

mod expand;
mod internals;

use darling::error::Accumulator;
use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `ably_auth::AblyIdentity` for a struct with named fields. See the re-export in
/// `ably-auth` for the attributes.
#[proc_macro_derive(AblyIdentity, attributes(ably))]
pub fn derive_ably_identity(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    run(&input, identity, expand::fallback::identity).into()
}

/// Derives `ably_auth::AblyRole` for an enum whose variants carry
/// `#[ably(grant(...), ttl = "...")]`. See the re-export in `ably-auth`.
#[proc_macro_derive(AblyRole, attributes(ably))]
pub fn derive_ably_role(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    run(&input, role, expand::fallback::role).into()
}

/// The derives' verdict on resource templates, for the workspace tests that hold it against
/// `ably_auth::Resource` (this crate can't depend on `ably-auth`): each string literal becomes
/// `(text, None)` when a `grant(...)` would accept it, `(text, Some(message))` with the
/// derive's error otherwise. Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __resource_grammar(input: TokenStream) -> TokenStream {
    use syn::punctuated::Punctuated;
    let templates =
        parse_macro_input!(input with Punctuated::<syn::LitStr, syn::Token![,]>::parse_terminated);
    let entries = templates.iter().map(|lit| {
        let text = lit.value();
        match internals::template::Template::parse(&text) {
            Ok(_) => quote::quote!((#text, ::core::option::Option::None)),
            Err(message) => quote::quote!((#text, ::core::option::Option::Some(#message))),
        }
    });
    quote::quote!([#(#entries),*]).into()
}

/// `#[derive(AblyIdentity)]`: validation, then expansion.
fn identity(input: &DeriveInput, acc: &mut Accumulator) -> Option<proc_macro2::TokenStream> {
    internals::identity::validate(input, acc).map(|model| expand::identity::expand(input, model))
}

/// `#[derive(AblyRole)]`: validation, then expansion.
fn role(input: &DeriveInput, acc: &mut Accumulator) -> Option<proc_macro2::TokenStream> {
    internals::role::validate(input, acc).map(|variants| expand::role::expand(input, &variants))
}

/// Runs a derive (validation, then expansion), collecting its errors; after any error, emits
/// them with the `fallback` stub impl so the author sees only the derive's own errors.
fn run(
    input: &DeriveInput,
    derive: fn(&DeriveInput, &mut Accumulator) -> Option<proc_macro2::TokenStream>,
    fallback: fn(&DeriveInput, proc_macro2::TokenStream) -> proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let mut acc = darling::Error::accumulator();
    let expanded = derive(input, &mut acc);
    match (acc.finish(), expanded) {
        (Ok(()), Some(tokens)) => tokens,
        (Err(errors), _) => fallback(input, errors.write_errors()),
        (Ok(()), None) => fallback(input, proc_macro2::TokenStream::new()),
    }
}
