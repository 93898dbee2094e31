//! What the derive macros expand to: re-exports under fixed paths, and the diagnostics that
//! make a mistake in a derive read as one message. Not public API; the policy the derives
//! apply is public in [`crate::identity::policy`].

pub use crate::capability::{Operation, Operations};
pub use crate::client_id::ClientId;
pub use crate::error::{Error, Result};
pub use crate::identity::policy::{DerivedIdentity, RoleGrant};
pub use crate::identity::{AblyIdentity, AblyRole, Grant, GrantRule, TemplateField, TemplatePart};
pub use core::fmt::Display;
pub use core::option::Option::{self, None, Some};
pub use core::result::Result::{Err, Ok};
pub use std::string::String;
pub use std::time::Duration;

mod fields;
mod message;

pub use fields::{
    FieldProbe, IsDisplay, NotARole, NotDisplay, OptionProbe, ProbeDisplay, ProbeOther, RoleFields,
};
pub use fields::{check_role_fields, unknown_field};
pub use message::Message;

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

/// Renders a field for a template of the identity, `None` when it is an empty `Option`.
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

/// Reads a role field. One call per field, so that a type that is not a role is reported
/// once (by `AblyRole`'s `on_unimplemented`).
pub fn role_of<R: AblyRole + ?Sized>(role: &R) -> RoleGrant {
    RoleGrant::of(role)
}

/// The body of the stub impl a derive emits after a compile error, so the only errors the
/// author sees are the derive's own.
pub fn derive_failed(type_name: &str) -> Error {
    Error::Config(format!(
        "`#[derive]` of {type_name} failed to compile; this stub is never used"
    ))
}
