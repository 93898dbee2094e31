//! Who a user is to Ably ([`AblyIdentity`]), what a role may do ([`AblyRole`]), the policy
//! that turns them into a [`Grant`] ([`policy`]), channel names built from user values
//! ([`channel`], [`check_interpolated`]), and the untrusted hints a client sends ([`Hints`]),
//! which can only narrow a grant.
//!
//! The usual way in is `#[derive(AblyIdentity)]` on your user struct and
//! `#[derive(AblyRole)]` on its role enum (see [`macro@crate::AblyIdentity`]); the derives
//! write [`GrantRule`] tables and the [`policy`] applies them. A role's templates may use the
//! fields of the user struct (`"org:{org}:*"` on a `Pro` variant): the identity that has the
//! role provides the values, and is checked at compile time to have every field the role's
//! templates name ([`AblyRole::IDENTITY_FIELDS`]).

use crate::capability::{Capability, Operations};
use crate::client_id::ClientId;
use crate::error::{Error, Result};
use crate::token::DEFAULT_TTL;
use std::time::Duration;

mod channel;
mod hints;
pub mod policy;

pub use channel::{channel, channel_name, check_interpolated};
pub use hints::Hints;

/// What the server decided a user gets: clientId, capability and ttl.
///
/// ```
/// use ably_auth::{Capability, ClientId, Grant, Hints, Operation::*};
/// use std::time::Duration;
///
/// let grant = Grant::new(
///     Some(ClientId::new("alice")?),
///     Capability::new().grant("chat:*", [Subscribe, Publish])?,
///     Duration::from_secs(3600),
/// );
/// // A client may ask for less...
/// let hints = Hints::from_pairs([("capability", r#"{"chat:lobby":["subscribe"]}"#), ("ttl", "60000")])?;
/// let narrowed = grant.clone().narrow(&hints)?;
/// assert_eq!(narrowed.capability.to_json(), r#"{"chat:lobby":["subscribe"]}"#);
/// assert_eq!(narrowed.ttl, Duration::from_secs(60));
/// // ...never more, and never another identity.
/// let hints = Hints::from_pairs([("clientId", "bob")])?;
/// assert_eq!(grant.narrow(&hints).unwrap_err().status(), 403);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The clientId, or `None` for an anonymous user.
    pub client_id: Option<ClientId>,
    /// What the user may do.
    pub capability: Capability,
    /// How long credentials live.
    pub ttl: Duration,
}

impl Grant {
    /// A grant.
    pub fn new(client_id: Option<ClientId>, capability: Capability, ttl: Duration) -> Grant {
        Grant {
            client_id,
            capability,
            ttl,
        }
    }

    /// Applies client hints, which may only narrow: the capability is intersected with the
    /// grant (nothing left: 40160, HTTP 403), the ttl is the shorter of the two, and a clientId
    /// hint must be the grant's own (otherwise 40102, HTTP 403). A wildcard grant may be
    /// narrowed to one clientId.
    pub fn narrow(mut self, hints: &Hints) -> Result<Grant> {
        if let Some(hint) = &hints.client_id {
            match &self.client_id {
                Some(id) if id.as_str() == hint => {}
                Some(id) if id.is_wildcard() => self.client_id = Some(ClientId::new(hint)?),
                Some(id) => {
                    return Err(Error::ClientIdMismatch {
                        status: 403,
                        message: format!(
                            "the requested clientId {hint:?} is not the signed-in user's ({id:?})"
                        ),
                    });
                }
                None => {
                    return Err(Error::ClientIdMismatch {
                        status: 403,
                        message: format!(
                            "the requested clientId {hint:?} can't be granted to an anonymous user"
                        ),
                    });
                }
            }
        }
        if let Some(requested) = &hints.capability {
            let narrowed = requested.intersect(&self.capability);
            if narrowed.is_empty() {
                return Err(Error::CapabilityDenied {
                    status: 403,
                    message: format!(
                        "the requested capability {requested} is not permitted; this user may have {}",
                        self.capability
                    ),
                });
            }
            self.capability = narrowed;
        }
        if let Some(ttl) = hints.ttl {
            self.ttl = self.ttl.min(ttl);
        }
        Ok(self)
    }
}

/// Maps an app's user type to what Ably should let it do. Usually derived with
/// `#[derive(AblyIdentity)]`; implement it by hand for anything the derive does not cover.
///
/// ```
/// use ably_auth::{AblyIdentity, Capability, ClientId, Grant, Operation::*};
/// use std::time::Duration;
///
/// struct Device { serial: String }
///
/// impl AblyIdentity for Device {
///     fn ably_grant(&self) -> ably_auth::Result<Grant> {
///         let channel = ably_auth::channel_name(["devices:", &self.serial])?;
///         Ok(Grant::new(
///             Some(ClientId::new(&self.serial)?),
///             Capability::new().grant(channel, [Publish])?,
///             Duration::from_secs(600),
///         ))
///     }
/// }
///
/// let grant = Device { serial: "x1".into() }.ably_grant()?;
/// assert_eq!(grant.capability.to_json(), r#"{"devices:x1":["publish"]}"#);
/// assert!(Device { serial: "x1:*".into() }.ably_grant().is_err());
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub trait AblyIdentity {
    /// The clientId, capability and ttl for this user.
    fn ably_grant(&self) -> Result<Grant>;
}

impl<T: AblyIdentity + ?Sized> AblyIdentity for &T {
    fn ably_grant(&self) -> Result<Grant> {
        (**self).ably_grant()
    }
}

impl<T: AblyIdentity + ?Sized> AblyIdentity for Box<T> {
    fn ably_grant(&self) -> Result<Grant> {
        (**self).ably_grant()
    }
}

impl<T: AblyIdentity + ?Sized> AblyIdentity for std::sync::Arc<T> {
    fn ably_grant(&self) -> Result<Grant> {
        (**self).ably_grant()
    }
}

/// One piece of a resource template (`"org:{org}:{client_id}"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplatePart {
    /// Literal text.
    Literal(&'static str),
    /// The user's clientId (`{client_id}`).
    ClientId,
    /// A named field of the identity (`{org}`), in the identity's grants or in the grants of
    /// its role.
    Field(&'static str),
}

/// A grant rule of an identity or a role: a resource template and its operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrantRule {
    /// The resource, as template parts.
    pub resource: &'static [TemplatePart],
    /// The operations granted on it.
    pub operations: Operations,
}

/// A field of the identity that a role's template interpolates: `{org}` in
/// `"org:{org}:*"`. See [`AblyRole::IDENTITY_FIELDS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateField {
    /// The field's name (`org`).
    pub field: &'static str,
    /// The template that names it, as written (`org:{org}:*`), for error messages.
    pub template: &'static str,
}

/// What a role may do. Usually derived with `#[derive(AblyRole)]` on an enum.
///
/// A role's templates may interpolate `{client_id}` and the fields of the identity that has
/// the role (`{org}` for a `User { org: String, .. }`). A derived identity checks when it
/// compiles that it has every field in [`AblyRole::IDENTITY_FIELDS`] and that each can be
/// interpolated (implements `Display`, or is an `Option` of such a type); at issue time it
/// hands the values to the [`policy`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an Ably role",
    label = "expected a role: a type that implements `AblyRole`",
    note = "add `#[derive(AblyRole)]` to the enum `{Self}`, or implement `ably_auth::AblyRole` for it by hand"
)]
pub trait AblyRole {
    /// Every identity field that the templates of [`AblyRole::ably_rules`] name, for the
    /// compile-time check of a derived identity. Derived roles fill it in; a hand-written
    /// role whose rules use [`TemplatePart::Field`] should list them too (an identity that
    /// lacks one refuses to issue at run time instead).
    const IDENTITY_FIELDS: &'static [TemplateField] = &[];

    /// The grant rules of this role. Templates may use `{client_id}` and the identity's
    /// fields.
    fn ably_rules(&self) -> &'static [GrantRule];
    /// The role's ttl, if it sets one (it overrides the identity's).
    fn ably_ttl(&self) -> Option<Duration> {
        None
    }
}

/// The ttl an identity gets when neither it nor its role sets one.
pub const DEFAULT_GRANT_TTL: Duration = DEFAULT_TTL;

#[cfg(test)]
mod tests;
