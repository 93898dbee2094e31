//! The policy of a derived identity: how `#[derive(AblyIdentity)]` turns what a user struct
//! and its role say into a [`Grant`]. The derive calls [`DerivedIdentity::grant`]; a hand
//! implementation of [`AblyIdentity`](super::AblyIdentity) can call it to get the same rules.
//!
//! * Capability: the identity's rules, then the role's, each template rendered with the
//!   user's values ([`render`]); a resource granted twice gets the union of its operations.
//! * A rule whose template names an absent value (`{client_id}` of an anonymous user, an
//!   `Option` field that is `None`) is left out. A value that could reach other channels is
//!   refused ([`check_interpolated`]), never dropped or escaped.
//! * Ttl: the role's beats the identity's, which beats [`DEFAULT_GRANT_TTL`].
//! * A user granted nothing at all is refused ([`Error::Forbidden`], 40300): an empty
//!   capability would mean "everything the key can do" to Ably.

use super::channel::check_interpolated;
use super::{AblyRole, DEFAULT_GRANT_TTL, Grant, GrantRule, TemplatePart};
use crate::capability::{Capability, Resource};
use crate::client_id::ClientId;
use crate::error::{Error, Result};
use std::time::Duration;

/// The values of an identity's fields, by name, for templates: `Ok(Some(text))` to
/// interpolate, `Ok(None)` for an absent value (the rule is left out), an error for a name the
/// identity can't provide (the grant is refused).
pub type Fields<'a> = &'a dyn Fn(&str) -> Result<Option<String>>;

/// Renders a template with `client_id` and `fields`, checking every interpolated value with
/// [`check_interpolated`]. `Ok(None)` when the template needs a value the user doesn't have.
///
/// ```
/// use ably_auth::TemplatePart::*;
/// use ably_auth::identity::policy::render;
///
/// let parts = [Literal("org:"), Field("org"), Literal(":"), ClientId];
/// let org = |name: &str| Ok((name == "org").then(|| "acme".to_owned()));
/// assert_eq!(render(&parts, Some("7"), &org)?.as_deref(), Some("org:acme:7"));
/// assert_eq!(render(&parts, None, &org)?, None);
/// let injected = |_: &str| Ok(Some("acme:*".to_owned()));
/// assert_eq!(render(&parts, Some("7"), &injected).unwrap_err().code(), 40300);
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub fn render(
    parts: &[TemplatePart],
    client_id: Option<&str>,
    fields: Fields<'_>,
) -> Result<Option<String>> {
    let mut out = String::new();
    for part in parts {
        match part {
            TemplatePart::Literal(text) => out.push_str(text),
            TemplatePart::ClientId => {
                let Some(id) = client_id else { return Ok(None) };
                check_interpolated("client_id", id)?;
                out.push_str(id);
            }
            TemplatePart::Field(name) => {
                let Some(value) = fields(name)? else {
                    return Ok(None);
                };
                check_interpolated(name, &value)?;
                out.push_str(&value);
            }
        }
    }
    Ok(Some(out))
}

/// Adds the rendered `rules` to `capability` (rules left out by [`render`] add nothing).
pub fn apply_rules(
    capability: &mut Capability,
    rules: &[GrantRule],
    client_id: Option<&str>,
    fields: Fields<'_>,
) -> Result<()> {
    for rule in rules {
        if let Some(resource) = render(rule.resource, client_id, fields)? {
            capability.insert(Resource::new(resource)?, rule.operations);
        }
    }
    Ok(())
}

/// What a role contributes to a grant: its rules and ttl, read once per user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleGrant {
    /// The role's rules.
    pub rules: &'static [GrantRule],
    /// The role's ttl, if it sets one.
    pub ttl: Option<Duration>,
}

impl RoleGrant {
    /// Reads a role's rules and ttl.
    pub fn of<R: AblyRole + ?Sized>(role: &R) -> RoleGrant {
        RoleGrant {
            rules: role.ably_rules(),
            ttl: role.ably_ttl(),
        }
    }
}

/// What a derived identity says about one user, before the policy turns it into a [`Grant`].
///
/// ```
/// use ably_auth::identity::policy::{DerivedIdentity, RoleGrant};
/// use ably_auth::TemplatePart::{self, Field, Literal};
/// use ably_auth::{AblyRole, ClientId, GrantRule, Operation};
/// use std::time::Duration;
///
/// struct Pro;
/// impl AblyRole for Pro {
///     fn ably_rules(&self) -> &'static [GrantRule] {
///         const RULES: &[GrantRule] = &[GrantRule {
///             resource: &[Literal("org:"), Field("org"), Literal(":*")],
///             operations: ably_auth::Operations::only(Operation::Publish),
///         }];
///         RULES
///     }
///     fn ably_ttl(&self) -> Option<Duration> {
///         Some(Duration::from_secs(3600))
///     }
/// }
///
/// let fields = |name: &str| Ok((name == "org").then(|| "acme".to_owned()));
/// let grant = DerivedIdentity {
///     client_id: Some(ClientId::new("7")?),
///     rules: &[GrantRule {
///         resource: &[Literal("user:"), TemplatePart::ClientId],
///         operations: Operation::Subscribe.into(),
///     }],
///     ttl: Some(Duration::from_secs(600)),
///     role: Some(RoleGrant::of(&Pro)),
///     fields: &fields,
/// }
/// .grant()?;
/// assert_eq!(grant.capability.to_json(), r#"{"org:acme:*":["publish"],"user:7":["subscribe"]}"#);
/// // The role's ttl beats the identity's.
/// assert_eq!(grant.ttl, Duration::from_secs(3600));
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub struct DerivedIdentity<'a> {
    /// The clientId, `None` for an anonymous user.
    pub client_id: Option<ClientId>,
    /// The identity's own rules (every user's).
    pub rules: &'a [GrantRule],
    /// The identity's ttl, if it sets one.
    pub ttl: Option<Duration>,
    /// The user's role, if the identity has one.
    pub role: Option<RoleGrant>,
    /// The values of the identity's fields, for the identity's and the role's templates.
    pub fields: Fields<'a>,
}

impl DerivedIdentity<'_> {
    /// Applies the policy (see the [module docs](self)): the identity's rules, then the
    /// role's, the role's ttl over the identity's over [`DEFAULT_GRANT_TTL`]; a user granted
    /// nothing is refused with 40300 (HTTP 403).
    pub fn grant(self) -> Result<Grant> {
        let id = self.client_id.as_ref().map(ClientId::as_str);
        let mut capability = Capability::new();
        apply_rules(&mut capability, self.rules, id, self.fields)?;
        let mut ttl = self.ttl;
        if let Some(role) = self.role {
            apply_rules(&mut capability, role.rules, id, self.fields)?;
            ttl = role.ttl.or(ttl);
        }
        if capability.is_empty() {
            return Err(Error::Forbidden(match id {
                Some(id) => format!("no capability is granted to clientId {id:?}"),
                None => "no capability is granted to an anonymous user".to_owned(),
            }));
        }
        capability.normalize();
        Ok(Grant::new(
            self.client_id,
            capability,
            ttl.unwrap_or(DEFAULT_GRANT_TTL),
        ))
    }
}
