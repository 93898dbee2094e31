//! The Ably operations an `ably(grant(...))` may name, checked at compile time.

use proc_macro2::{Span, TokenStream};
use quote::quote;

/// `(variant, wire name)` of every operation, as in `ably_auth::Operation`.
const OPERATIONS: &[(&str, &str)] = &[
    ("AnnotationPublish", "annotation-publish"),
    ("AnnotationSubscribe", "annotation-subscribe"),
    ("ChannelMetadata", "channel-metadata"),
    ("History", "history"),
    ("MessageDeleteAny", "message-delete-any"),
    ("MessageDeleteOwn", "message-delete-own"),
    ("MessageUpdateAny", "message-update-any"),
    ("MessageUpdateOwn", "message-update-own"),
    ("ObjectPublish", "object-publish"),
    ("ObjectSubscribe", "object-subscribe"),
    ("Presence", "presence"),
    ("PrivilegedHeaders", "privileged-headers"),
    ("Publish", "publish"),
    ("PushAdmin", "push-admin"),
    ("PushSubscribe", "push-subscribe"),
    ("Stats", "stats"),
    ("Subscribe", "subscribe"),
];

/// A validated operation set: `*`, or indexes into [`OPERATIONS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpSet {
    All,
    Some(Vec<usize>),
}

impl OpSet {
    pub fn union(&mut self, other: &OpSet) {
        match (&mut *self, other) {
            (OpSet::All, _) => {}
            (_, OpSet::All) => *self = OpSet::All,
            (OpSet::Some(a), OpSet::Some(b)) => {
                a.extend(b);
                a.sort_unstable();
                a.dedup();
            }
        }
    }

    pub fn to_tokens(&self) -> TokenStream {
        match self {
            OpSet::All => quote!(::ably_auth::__private::Operations::ALL),
            OpSet::Some(ops) => {
                let variants = ops
                    .iter()
                    .map(|&i| proc_macro2::Ident::new(OPERATIONS[i].0, Span::call_site()));
                quote!(::ably_auth::__private::operations(&[
                    #(::ably_auth::__private::Operation::#variants),*
                ]))
            }
        }
    }
}

/// How an operation was written.
pub enum OpName {
    /// `publish`, `push_admin`.
    Ident(String),
    /// `"push-admin"`, `"*"`.
    Str(String),
    /// `*`.
    Star,
}

/// Looks an operation up: `Ok(None)` for `*`, `Ok(Some(index))`, or an error message that
/// says what to write instead.
pub fn lookup(name: &OpName) -> Result<Option<usize>, String> {
    match name {
        OpName::Star => Ok(None),
        OpName::Str(s) if s == "*" => Ok(None),
        OpName::Ident(ident) => {
            let wire = ident.replace('_', "-");
            if !ident.contains('-')
                && let Some(i) = OPERATIONS.iter().position(|(_, w)| *w == wire)
            {
                return Ok(Some(i));
            }
            let snake: Vec<String> = OPERATIONS
                .iter()
                .map(|(_, w)| w.replace('-', "_"))
                .collect();
            Err(unknown(
                ident,
                snake.iter().map(String::as_str),
                "`*` (as `\"*\"`)",
            ))
        }
        OpName::Str(s) => {
            if let Some(i) = OPERATIONS.iter().position(|(_, w)| w == s) {
                return Ok(Some(i));
            }
            let quoted: Vec<String> = OPERATIONS.iter().map(|(_, w)| format!("\"{w}\"")).collect();
            let written = format!("\"{s}\"");
            Err(unknown(
                &written,
                quoted.iter().map(String::as_str),
                "`\"*\"`",
            ))
        }
    }
}

fn unknown<'a>(written: &str, known: impl Iterator<Item = &'a str> + Clone, star: &str) -> String {
    let list: Vec<&str> = known.clone().collect();
    let mut message = format!("unknown Ably operation `{written}`");
    if let Some(best) = crate::suggest::closest(written, known) {
        message.push_str(&format!("; did you mean `{best}`?"));
    } else {
        message.push_str(&format!(
            "; expected {star} or one of: {}",
            list.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    message
}
