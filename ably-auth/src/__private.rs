//! Items the derive macros expand to. Not public API.

pub use crate::capability::{Capability, Operation, Operations, Resource};
pub use crate::client_id::ClientId;
pub use crate::error::{Error, Result};
pub use crate::identity::{
    AblyIdentity, AblyRole, Grant, GrantRule, TemplatePart, check_interpolated,
};
pub use core::fmt::Display;
pub use core::option::Option::{self, None, Some};
pub use core::result::Result::{Err, Ok};
pub use std::string::String;
pub use std::time::Duration;

use crate::identity::DEFAULT_GRANT_TTL;

/// Renders a template, checking every interpolated value.
pub fn render(
    parts: &[TemplatePart],
    client_id: Option<&str>,
    field: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>> {
    let mut out = String::new();
    for part in parts {
        match part {
            TemplatePart::Literal(text) => out.push_str(text),
            TemplatePart::ClientId => {
                // An anonymous user has no clientId: the rule does not apply.
                let Some(id) = client_id else { return Ok(None) };
                check_interpolated("client_id", id)?;
                out.push_str(id);
            }
            TemplatePart::Field(name) => {
                let Some(value) = field(name) else {
                    return Ok(None);
                };
                check_interpolated(name, &value)?;
                out.push_str(&value);
            }
        }
    }
    Ok(Some(out))
}

/// Adds rules to a capability.
pub fn apply_rules(
    capability: &mut Capability,
    rules: &[GrantRule],
    client_id: Option<&str>,
    field: &dyn Fn(&str) -> Option<String>,
) -> Result<()> {
    for rule in rules {
        if let Some(resource) = render(rule.resource, client_id, field)? {
            capability.insert(Resource::new(resource)?, rule.operations);
        }
    }
    Ok(())
}

/// Converts a `#[ably(client_id)]` field to a clientId.
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't be used as a clientId",
    label = "`#[ably(client_id)]` needs a type that implements `Display`, or an `Option` of one",
    note = "implement `std::fmt::Display` for `{Self}`, or mark a field such as `id: String`"
)]
pub trait IntoClientId {
    /// `None` for an anonymous user.
    fn to_client_id(&self) -> Result<Option<ClientId>>;
}

impl<T: Display> IntoClientId for T {
    fn to_client_id(&self) -> Result<Option<ClientId>> {
        ClientId::new(self.to_string()).map(Some)
    }
}

/// Wraps an `Option<_>` client id field.
pub struct OptionalClientId<'a, T>(pub &'a Option<T>);

impl<T: Display> OptionalClientId<'_, T> {
    /// `None` for an anonymous user.
    pub fn to_client_id(&self) -> Result<Option<ClientId>> {
        self.0
            .as_ref()
            .map(|v| ClientId::new(v.to_string()))
            .transpose()
    }
}

/// Renders a field for a template, `None` when it is an empty `Option`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't be interpolated into a channel name",
    label = "a field named in a `grant(...)` template needs a type that implements `Display`, or an `Option` of one",
    note = "implement `std::fmt::Display` for `{Self}`, or interpolate another field"
)]
pub trait TemplateValue {
    /// The text to interpolate.
    fn template_value(&self) -> Option<String>;
}

impl<T: Display> TemplateValue for T {
    fn template_value(&self) -> Option<String> {
        Some(self.to_string())
    }
}

/// Wraps an `Option<_>` template field.
pub struct OptionalValue<'a, T>(pub &'a Option<T>);

impl<T: Display> OptionalValue<'_, T> {
    /// The text to interpolate, if any.
    pub fn template_value(&self) -> Option<String> {
        self.0.as_ref().map(|v| v.to_string())
    }
}

/// What a `#[ably(role)]` field contributes: its rules and ttl. One call per field, so a
/// type that is not a role is reported once.
#[derive(Clone, Copy, Debug)]
pub struct RoleGrant {
    /// The role's rules.
    pub rules: &'static [GrantRule],
    /// The role's ttl, if it sets one.
    pub ttl: Option<Duration>,
}

/// Reads a role field.
pub fn role_of<R: AblyRole + ?Sized>(role: &R) -> RoleGrant {
    RoleGrant {
        rules: role.ably_rules(),
        ttl: role.ably_ttl(),
    }
}

/// Builds the grant of a derived identity: the identity's rules, then the role's, with the
/// role's ttl over the identity's over the default. A user granted nothing is refused.
pub fn issue(
    client_id: Option<ClientId>,
    rules: &[GrantRule],
    ttl: Option<Duration>,
    role: Option<RoleGrant>,
    field: &dyn Fn(&str) -> Option<String>,
) -> Result<Grant> {
    let id = client_id.as_ref().map(ClientId::as_str);
    let mut capability = Capability::new();
    apply_rules(&mut capability, rules, id, field)?;
    let mut ttl = ttl;
    if let Some(role) = role {
        apply_rules(&mut capability, role.rules, id, &|_| None)?;
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
        client_id,
        capability,
        ttl.unwrap_or(DEFAULT_GRANT_TTL),
    ))
}

/// The body of the stub impl a derive emits after a compile error, so the only errors the
/// author sees are the derive's own.
pub fn derive_failed(type_name: &str) -> Error {
    Error::Config(format!(
        "`#[derive]` of {type_name} failed to compile; this stub is never used"
    ))
}

/// An operation set from a list the derive validated.
pub const fn operations(ops: &[Operation]) -> Operations {
    let mut set = Operations::NONE;
    let mut i = 0;
    while i < ops.len() {
        set = set.union(Operations::only(ops[i]));
        i += 1;
    }
    set
}
