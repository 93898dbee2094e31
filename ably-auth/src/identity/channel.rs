//! Channel names built from your literal text and a user's values, where the values can't
//! reach other channels.

use crate::client_id::{describe, unprintable};
use crate::error::{Error, Result};
use std::fmt::{Display, Write};

/// Checks one value before it is interpolated into a channel name or capability resource.
///
/// * `name` says which placeholder the value fills: it appears in the error message, written
///   as a placeholder (`name = "team"` reads `` `{team}` = "blue:*" contains ...``). Pass the
///   name your template gives the value (`client_id`, a field name, a position such as `0`).
/// * `value` is the user's text.
///
/// `*`, `:` and a leading `[` would let a value reach other channels (`eve` becoming `eve:*`,
/// `[meta]...`), so they are refused, not escaped; so is an empty value (`org::*` is not the
/// user's namespace), and so are control characters and line separators (as in
/// [`ClientId`](crate::ClientId)), which a channel name shown in a log or dashboard would
/// hide. Refusals are [`Error::Forbidden`] (40300, HTTP 403). Brackets after the first
/// character and any other text are allowed.
///
/// [`channel`] and the derives call it on every value; call it yourself when you build a
/// name another way.
///
/// ```
/// use ably_auth::check_interpolated;
///
/// assert!(check_interpolated("team", "blue").is_ok());
/// let err = check_interpolated("team", "blue:*").unwrap_err();
/// assert_eq!((err.code(), err.status()), (40300, 403));
/// assert!(err.to_string().contains("`{team}` = \"blue:*\" contains `*`, `:`"));
/// assert_eq!(check_interpolated("team", "blue\nred").unwrap_err().code(), 40300);
/// assert_eq!(check_interpolated("team", "").unwrap_err().code(), 40300);
/// ```
pub fn check_interpolated(name: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::Forbidden(format!(
            "`{{{name}}}` is empty and can't be used in a channel name"
        )));
    }
    if value.contains(['*', ':']) || value.starts_with('[') {
        return Err(Error::Forbidden(format!(
            "`{{{name}}}` = {value:?} contains `*`, `:` or a leading `[` and can't be used in a channel name"
        )));
    }
    if let Some((position, c)) = unprintable(value) {
        return Err(Error::Forbidden(format!(
            "`{{{name}}}` contains {} at character {position} (counting from 0) and can't be used in a channel name",
            describe(c)
        )));
    }
    Ok(())
}

/// Builds a channel name or resource pattern from a template of your literal text, where each
/// `{}` takes the next of `values`, checked with [`check_interpolated`]. `{{` and `}}` are
/// literal braces. The template is `&'static str` so that it is your text, never a user's.
///
/// Errors: a value that could reach other channels is [`Error::Forbidden`] (40300, HTTP
/// 403), its placeholder named by position (`{0}`, `{1}`); a template whose `{}` count is not
/// the number of values, or with an unpaired brace, is [`Error::Config`] (40106, HTTP 400).
/// The result is not validated as a [`Resource`](crate::Resource):
/// [`Capability::grant`](crate::Capability::grant) does that.
///
/// ```
/// use ably_auth::{Capability, Operation::*, channel};
///
/// let org = "acme";
/// let user_id = 42;
/// let cap = Capability::new()
///     .grant(channel("org:{}:*", &[&org])?, [Subscribe, History])?
///     .grant(channel("user:{}", &[&user_id])?, [Publish])?;
/// assert_eq!(
///     cap.to_json(),
///     r#"{"org:acme:*":["history","subscribe"],"user:42":["publish"]}"#
/// );
///
/// // A value can't widen the pattern.
/// let err = channel("org:{}:*", &[&"acme:*"]).unwrap_err();
/// assert_eq!(err.code(), 40300);
/// assert!(err.to_string().contains("`{0}` = \"acme:*\""));
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub fn channel(template: &'static str, values: &[&dyn Display]) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 16 * values.len());
    let mut values = values.iter().enumerate();
    let mut value = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
                out.push(c);
            }
            ('{', Some('}')) => {
                chars.next();
                let Some((position, next)) = values.next() else {
                    return Err(Error::Config(format!(
                        "channel template {template:?} has more `{{}}` than the values given"
                    )));
                };
                value.clear();
                // Writing to a String never fails.
                let _ = write!(value, "{next}");
                check_interpolated(&position.to_string(), &value)?;
                out.push_str(&value);
            }
            ('{' | '}', _) => {
                return Err(Error::Config(format!(
                    "channel template {template:?} has an unpaired `{c}`; placeholders are `{{}}`, \
                     literal braces `{{{{` and `}}}}`"
                )));
            }
            _ => out.push(c),
        }
    }
    if values.next().is_some() {
        return Err(Error::Config(format!(
            "channel template {template:?} has fewer `{{}}` than the values given"
        )));
    }
    Ok(out)
}

/// Concatenates `parts`: the first is your literal prefix and is taken as is; every later one
/// is a user value, checked with [`check_interpolated`] (its placeholder named `value`). For
/// literal text after a value (`org:{}:*`), use [`channel`].
///
/// ```
/// assert_eq!(ably_auth::channel_name(["user:", "alice"])?, "user:alice");
/// // ":*" is a later part, so it is a value, and refused.
/// assert!(ably_auth::channel_name(["org:", "acme", ":*"]).is_err());
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub fn channel_name<'a>(parts: impl IntoIterator<Item = &'a str>) -> Result<String> {
    let mut out = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            check_interpolated("value", part)?;
        }
        out.push_str(part);
    }
    Ok(out)
}
