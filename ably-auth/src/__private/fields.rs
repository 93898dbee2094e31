//! The fields of a derived identity that its role's templates interpolate: checked when the
//! identity compiles ([`check_role_fields`]), read when it issues ([`FieldProbe`]).

use super::message::Message;
use crate::error::{Error, Result};
use crate::identity::{AblyRole, TemplateField};
use core::fmt::Display;
use core::marker::PhantomData;

/// `IsDisplay::<T>::VALUE`: whether `T` implements `Display`, for a concrete `T` (the
/// inherent constant when it does, [`NotDisplay`]'s otherwise).
pub struct IsDisplay<T: ?Sized>(PhantomData<T>);

/// The fallback of [`IsDisplay`].
pub trait NotDisplay {
    /// `T` does not implement `Display`.
    const VALUE: bool = false;
}

impl<T: ?Sized> NotDisplay for IsDisplay<T> {}

impl<T: ?Sized + Display> IsDisplay<T> {
    /// `T` implements `Display`.
    pub const VALUE: bool = true;
}

/// `RoleFields::<R>::FIELDS`: `R::IDENTITY_FIELDS` when `R` is a role, empty otherwise (a
/// type that is not a role is reported once, where the identity reads its role).
pub struct RoleFields<R: ?Sized>(PhantomData<R>);

/// The fallback of [`RoleFields`].
pub trait NotARole {
    /// Not a role: no fields to check.
    const FIELDS: &'static [TemplateField] = &[];
}

impl<R: ?Sized> NotARole for RoleFields<R> {}

impl<R: ?Sized + AblyRole> RoleFields<R> {
    /// The role's fields.
    pub const FIELDS: &'static [TemplateField] = R::IDENTITY_FIELDS;
}

/// A field the identity's own templates don't name, offered to its role's templates:
/// `(&FieldProbe(&self.field)).ably_field_value("field")` is its text when its type is
/// `Display` ([`ProbeDisplay`]) and an error otherwise ([`ProbeOther`]).
pub struct FieldProbe<'a, T: ?Sized>(pub &'a T);

/// An `Option<_>` field offered to a role's templates, as [`FieldProbe`].
pub struct OptionProbe<'a, T>(pub &'a Option<T>);

/// The value of a field whose type can be interpolated.
pub trait ProbeDisplay {
    /// `Some(text)`, or `None` for an empty `Option`.
    fn ably_field_value(&self, name: &str) -> Result<Option<String>>;
}

/// The fallback for a field whose type can't be interpolated.
pub trait ProbeOther {
    /// An error: the role asked for a field that has no text.
    fn ably_field_value(&self, name: &str) -> Result<Option<String>>;
}

impl<T: ?Sized + Display> ProbeDisplay for FieldProbe<'_, T> {
    fn ably_field_value(&self, _: &str) -> Result<Option<String>> {
        Ok(Some(self.0.to_string()))
    }
}

impl<T: Display> ProbeDisplay for OptionProbe<'_, T> {
    fn ably_field_value(&self, _: &str) -> Result<Option<String>> {
        Ok(self.0.as_ref().map(|v| v.to_string()))
    }
}

impl<T: ?Sized> ProbeOther for &FieldProbe<'_, T> {
    fn ably_field_value(&self, name: &str) -> Result<Option<String>> {
        Err(not_interpolable(name))
    }
}

impl<T> ProbeOther for &OptionProbe<'_, T> {
    fn ably_field_value(&self, name: &str) -> Result<Option<String>> {
        Err(not_interpolable(name))
    }
}

fn not_interpolable(name: &str) -> Error {
    Error::Config(format!(
        "a role's template interpolates `{{{name}}}`, whose type does not implement `Display`"
    ))
}

/// The error for a role template naming a field the identity doesn't have (a hand-written
/// role that does not list it in `IDENTITY_FIELDS`; derived roles are checked at compile
/// time).
pub fn unknown_field(name: &str) -> Error {
    Error::Config(format!(
        "a role's template interpolates `{{{name}}}`, which is not a field of the identity"
    ))
}

/// Checks, when a derived identity compiles, that every field its role's templates name
/// (`used`) is one of its `fields` (name, and whether its type can be interpolated). The
/// message names the role's template, the closest field and every field there is.
#[allow(
    clippy::result_large_err,
    reason = "runs only at compile time, where a message can't be boxed"
)]
pub const fn check_role_fields(
    identity: &str,
    role: &str,
    fields: &[(&str, bool)],
    used: &[TemplateField],
) -> core::result::Result<(), Message> {
    let mut i = 0;
    while i < used.len() {
        let TemplateField { field, template } = used[i];
        let mut found = None;
        let mut j = 0;
        while j < fields.len() {
            if eq(fields[j].0, field) {
                found = Some(fields[j].1);
            }
            j += 1;
        }
        match found {
            Some(true) => {}
            Some(false) => {
                return Err(Message::new()
                    .push("the role `")
                    .push(role)
                    .push("` grants on `")
                    .push(template)
                    .push("`, which interpolates field `")
                    .push(field)
                    .push("` of `")
                    .push(identity)
                    .push(
                        "`, but its type doesn't implement `Display`; implement \
                           `std::fmt::Display` for it, or interpolate another field",
                    ));
            }
            None => {
                let mut message = Message::new()
                    .push("the role `")
                    .push(role)
                    .push("` grants on `")
                    .push(template)
                    .push("`, but `{")
                    .push(field)
                    .push("}` names no field of `")
                    .push(identity)
                    .push("`, the identity that has this role");
                if let Some(best) = closest(field, fields) {
                    message = message.push("; did you mean `{").push(best).push("}`?");
                }
                message = message
                    .push(" Role templates can use `{client_id}` and the fields of `")
                    .push(identity)
                    .push("`:");
                let mut k = 0;
                while k < fields.len() {
                    message = message
                        .push(if k == 0 { " `{" } else { ", `{" })
                        .push(fields[k].0)
                        .push("}`");
                    k += 1;
                }
                return Err(message);
            }
        }
        i += 1;
    }
    Ok(())
}

const fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Longest name [`distance`] compares.
const MAX_NAME: usize = 64;

/// The field closest to `written` by edit distance (ASCII case ignored), if it is a likely
/// typo: at most a third of its length away, and at least 1.
const fn closest<'a>(written: &str, fields: &[(&'a str, bool)]) -> Option<&'a str> {
    let limit = if written.len() / 3 > 1 {
        written.len() / 3
    } else {
        1
    };
    let mut best: Option<(&str, usize)> = None;
    let mut i = 0;
    while i < fields.len() {
        if let Some(d) = distance(written.as_bytes(), fields[i].0.as_bytes())
            && d <= limit
        {
            match best {
                Some((_, b)) if b <= d => {}
                _ => best = Some((fields[i].0, d)),
            }
        }
        i += 1;
    }
    match best {
        Some((name, _)) => Some(name),
        None => None,
    }
}

/// Levenshtein distance of two names, `None` when one is longer than [`MAX_NAME`].
const fn distance(a: &[u8], b: &[u8]) -> Option<usize> {
    if a.len() > MAX_NAME || b.len() > MAX_NAME {
        return None;
    }
    let mut row = [0usize; MAX_NAME + 1];
    let mut j = 0;
    while j <= b.len() {
        row[j] = j;
        j += 1;
    }
    let mut i = 0;
    while i < a.len() {
        let mut previous = row[0];
        row[0] = i + 1;
        let mut j = 0;
        while j < b.len() {
            let cost = if a[i].eq_ignore_ascii_case(&b[j]) {
                0
            } else {
                1
            };
            let mut next = row[j + 1] + 1;
            if row[j] + 1 < next {
                next = row[j] + 1;
            }
            if previous + cost < next {
                next = previous + cost;
            }
            previous = row[j + 1];
            row[j + 1] = next;
            j += 1;
        }
        i += 1;
    }
    Some(row[b.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[(&str, bool)] = &[("id", true), ("org", true), ("plan", false)];

    fn check(used: &'static str) -> core::result::Result<(), String> {
        let used = [TemplateField {
            field: used,
            template: "org:{x}:*",
        }];
        check_role_fields("User", "Plan", FIELDS, &used).map_err(|m| m.as_str().to_owned())
    }

    #[test]
    fn known_display_fields_pass() {
        assert_eq!(check("org"), Ok(()));
        assert_eq!(check("id"), Ok(()));
        assert_eq!(
            check_role_fields("User", "Plan", &[], &[]).map_err(|_| ()),
            Ok(())
        );
    }

    #[test]
    fn unknown_fields_are_named_with_the_closest() {
        let message = check("orgg").unwrap_err();
        assert_eq!(
            message,
            "the role `Plan` grants on `org:{x}:*`, but `{orgg}` names no field of `User`, the \
             identity that has this role; did you mean `{org}`? Role templates can use \
             `{client_id}` and the fields of `User`: `{id}`, `{org}`, `{plan}`"
        );
        let message = check("team").unwrap_err();
        assert!(!message.contains("did you mean"), "{message}");
        assert!(check("ORG").unwrap_err().contains("did you mean `{org}`?"));
    }

    #[test]
    fn fields_that_are_not_display_are_named() {
        let message = check("plan").unwrap_err();
        assert!(
            message.contains(
                "interpolates field `plan` of `User`, but its type doesn't implement `Display`"
            ),
            "{message}"
        );
    }

    #[test]
    #[allow(
        clippy::needless_borrow,
        reason = "the form the derive expands to: with the `&`, a type that is not `Display` reaches the fallback"
    )]
    fn probes() {
        struct Opaque;
        const { assert!(IsDisplay::<u64>::VALUE) };
        const { assert!(IsDisplay::<str>::VALUE) };
        const { assert!(!IsDisplay::<Opaque>::VALUE) };
        assert_eq!(
            (&FieldProbe(&7u8)).ably_field_value("n").unwrap(),
            Some("7".into())
        );
        assert_eq!(
            (&FieldProbe(&Opaque))
                .ably_field_value("n")
                .unwrap_err()
                .code(),
            40106
        );
        assert_eq!(
            (&OptionProbe(&Some("a"))).ably_field_value("n").unwrap(),
            Some("a".into())
        );
        assert_eq!(
            (&OptionProbe::<u8>(&None)).ably_field_value("n").unwrap(),
            None
        );
        assert!((&OptionProbe(&Some(Opaque))).ably_field_value("n").is_err());
    }
}
