//! What the derives' input says, read and validated: the `#[ably(...)]` attributes, every
//! literal in them (operations, resource templates, ttls) and the shape of the item. Every
//! problem is pushed to an accumulator with the span of the token that causes it, so all are
//! reported together. Nothing here generates code; the `expand` module turns the validated
//! models into impls.

pub mod attr;
pub mod identity;
pub mod ops;
pub mod role;
pub mod suggest;
pub mod template;
pub mod ttl;

/// A compile error at `span`.
pub fn err(span: proc_macro2::Span, message: impl std::fmt::Display) -> darling::Error {
    darling::Error::custom(message).with_span(&span)
}
