//! Derive macros for [`ably-auth`](https://docs.rs/ably-auth): `#[derive(AblyIdentity)]` maps
//! a user struct to an Ably clientId, capability and ttl, and `#[derive(AblyRole)]` lists what
//! each role may do.
//!
//! Use them through `ably-auth` (feature `derive`, on by default), which re-exports both
//! beside the traits of the same names and documents the attributes:
//!
//! ```
//! use ably_auth::{AblyIdentity, AblyRole};
//!
//! #[derive(AblyIdentity)]
//! #[ably(grant("user:{client_id}" => [publish, subscribe]))]
//! struct User {
//!     #[ably(client_id)]
//!     id: u64,
//!     #[ably(role)]
//!     role: Role,
//! }
//!
//! #[derive(AblyRole)]
//! enum Role {
//!     #[ably(grant("chat:*" => [subscribe]))]
//!     Member,
//!     #[ably(grant("*" => ["*"]), ttl = "15m")]
//!     Admin,
//! }
//!
//! let grant = User { id: 7, role: Role::Member }.ably_grant()?;
//! assert_eq!(grant.capability.to_json(), r#"{"chat:*":["subscribe"],"user:7":["publish","subscribe"]}"#);
//! # Ok::<(), ably_auth::Error>(())
//! ```
//!
//! Every literal is checked when the code compiles: operation names, resource patterns,
//! template placeholders and ttls. All problems are reported together, each at the token
//! that causes it.

mod attr;
mod fallback;
mod identity;
mod ops;
mod role;
mod suggest;
mod template;
mod ttl;
mod types;

use proc_macro::TokenStream;
use quote::quote;
use syn::{DeriveInput, parse_macro_input};

/// Derives `ably_auth::AblyIdentity` for a struct with named fields. See the re-export in
/// `ably-auth` for the attributes.
#[proc_macro_derive(AblyIdentity, attributes(ably))]
pub fn derive_ably_identity(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    identity::derive(&input).into()
}

/// Derives `ably_auth::AblyRole` for an enum whose variants carry
/// `#[ably(grant(...), ttl = "...")]`. See the re-export in `ably-auth`.
#[proc_macro_derive(AblyRole, attributes(ably))]
pub fn derive_ably_role(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    role::derive(&input).into()
}

/// Runs a derive's `expand`, collecting its errors; after any error, emits them with the
/// `fallback` stub impl so the author sees only the derive's own errors.
fn run(
    input: &DeriveInput,
    expand: fn(&DeriveInput, &mut darling::error::Accumulator) -> Option<proc_macro2::TokenStream>,
    fallback: fn(&DeriveInput, proc_macro2::TokenStream) -> proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let mut acc = darling::Error::accumulator();
    let expanded = expand(input, &mut acc);
    match (acc.finish(), expanded) {
        (Ok(()), Some(tokens)) => tokens,
        (Err(errors), _) => fallback(input, errors.write_errors()),
        (Ok(()), None) => fallback(input, proc_macro2::TokenStream::new()),
    }
}

/// A compile error at `span`.
fn err(span: proc_macro2::Span, message: impl std::fmt::Display) -> darling::Error {
    darling::Error::custom(message).with_span(&span)
}

/// `&[GrantRule { .. }, ..]` for a `static` table.
fn rules_table(rules: Vec<attr::Rule>) -> proc_macro2::TokenStream {
    let rules = rules.iter().map(|rule| {
        let resource = rule.template.to_tokens();
        let operations = rule.ops.to_tokens();
        quote!(::ably_auth::__private::GrantRule {
            resource: #resource,
            operations: #operations,
        })
    });
    quote!(&[#(#rules),*])
}
