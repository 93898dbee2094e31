//! Items the derive macros expand to. Not public API.

pub use crate::capability::{Capability, Operation, Operations, Resource};
pub use crate::client_id::ClientId;
pub use crate::error::{Error, Result};
pub use crate::identity::{
    AblyIdentity, AblyRole, Grant, GrantRule, TemplatePart, check_interpolated,
};
pub use std::time::Duration;

use std::fmt::Display;

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
pub trait IntoClientId {
    /// `None` for an anonymous user.
    fn into_client_id(&self) -> Result<Option<ClientId>>;
}

impl<T: Display> IntoClientId for T {
    fn into_client_id(&self) -> Result<Option<ClientId>> {
        ClientId::new(self.to_string()).map(Some)
    }
}

/// Wraps an `Option<_>` client id field.
pub struct OptionalClientId<'a, T>(pub &'a Option<T>);

impl<T: Display> OptionalClientId<'_, T> {
    /// `None` for an anonymous user.
    pub fn into_client_id(&self) -> Result<Option<ClientId>> {
        self.0
            .as_ref()
            .map(|v| ClientId::new(v.to_string()))
            .transpose()
    }
}

/// Renders a field for a template, `None` when it is an empty `Option`.
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
