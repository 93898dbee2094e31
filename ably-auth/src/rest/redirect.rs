//! Redirects from an authUrl, followed only within the authUrl's origin.
//!
//! Ably's specification says nothing about redirects from an authUrl (RSA8c). The SDKs hand the
//! request to their platform's HTTP client, which follows redirects anywhere and forwards
//! custom headers and POST bodies to any host. Here a redirect is followed only when it stays
//! with the scheme, host and port of the authUrl, so auth headers, auth params and the
//! TokenRequests the authUrl signs never reach another origin; anything else is refused with
//! 40170. Calls to Ably itself follow no redirects at all.

use super::AuthMethod;
use crate::error::{Error, Result};
use reqwest::StatusCode;
use reqwest::Url;
use reqwest::header::HeaderValue;

/// How many redirects one authUrl call follows before it fails with 40170.
pub const MAX_REDIRECTS: usize = 5;

/// One request of an authUrl call: its method, URL and form body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Hop {
    pub(super) method: AuthMethod,
    pub(super) url: Url,
    /// The form-encoded params of a POST.
    pub(super) form: Option<String>,
}

/// The request that follows `status` with `location`, or `None` when `status` is not a
/// redirect to follow (its answer is then the authUrl's answer).
///
/// 301 and 302 turn a POST into a GET without its body, as browsers do; 303 always does;
/// 307 and 308 resend the same method and body. The target must have the origin of
/// `auth_url` (scheme, host and port): a redirect elsewhere is 40170 and names only the
/// target's origin (never its path or query).
pub(super) fn follow(
    auth_url: &Url,
    from: &Hop,
    status: StatusCode,
    location: Option<&HeaderValue>,
) -> Result<Option<Hop>> {
    let (method, form) = match status.as_u16() {
        301 | 302 if from.method == AuthMethod::Post => (AuthMethod::Get, None),
        301 | 302 | 307 | 308 => (from.method, from.form.clone()),
        303 => (AuthMethod::Get, None),
        _ => return Ok(None),
    };
    let url = location
        .and_then(|l| l.to_str().ok())
        .and_then(|l| from.url.join(l).ok())
        .ok_or_else(|| {
            Error::AuthCallback(format!(
                "authUrl answered HTTP {status} without a usable Location header"
            ))
        })?;
    let origin = auth_url.origin();
    if url.origin() != origin {
        return Err(Error::AuthCallback(format!(
            "authUrl at {} answered HTTP {status}, a redirect to another origin ({}); the cross-origin \
             redirect was refused so that auth headers, auth params and TokenRequests stay with the \
             authUrl's origin: give AuthOptions the URL the authUrl redirects to",
            origin.ascii_serialization(),
            url.origin().ascii_serialization(),
        )));
    }
    Ok(Some(Hop { method, url, form }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(method: AuthMethod, url: &str) -> Hop {
        Hop {
            method,
            url: Url::parse(url).unwrap(),
            form: (method == AuthMethod::Post).then(|| "a=1".to_owned()),
        }
    }

    fn next(from: &Hop, status: u16, location: &str) -> Result<Option<Hop>> {
        follow(
            &from.url,
            from,
            StatusCode::from_u16(status).unwrap(),
            Some(&HeaderValue::from_str(location).unwrap()),
        )
    }

    #[test]
    fn same_origin_redirects_keep_or_drop_the_body_by_status() {
        let post = hop(AuthMethod::Post, "https://app.example/auth?x=1");
        for (status, method, form) in [
            (301, AuthMethod::Get, None),
            (302, AuthMethod::Get, None),
            (303, AuthMethod::Get, None),
            (307, AuthMethod::Post, Some("a=1")),
            (308, AuthMethod::Post, Some("a=1")),
        ] {
            let to = next(&post, status, "/v2/auth").unwrap().unwrap();
            assert_eq!(to.url.as_str(), "https://app.example/v2/auth", "{status}");
            assert_eq!((to.method, to.form.as_deref()), (method, form), "{status}");
        }
        let get = hop(AuthMethod::Get, "https://app.example/auth");
        let to = next(&get, 302, "https://app.example:443/b?y=2")
            .unwrap()
            .unwrap();
        assert_eq!(
            (to.method, to.url.as_str()),
            (AuthMethod::Get, "https://app.example/b?y=2")
        );
    }

    #[test]
    fn other_statuses_are_not_followed() {
        let get = hop(AuthMethod::Get, "https://app.example/auth");
        for status in [200, 300, 304, 305, 400] {
            assert_eq!(next(&get, status, "/elsewhere").unwrap(), None, "{status}");
        }
    }

    #[test]
    fn another_origin_is_refused_without_its_path_or_query() {
        let get = hop(AuthMethod::Get, "https://app.example/auth");
        for location in [
            "https://evil.example/steal?k=hiddenQuery",
            "http://app.example/auth?k=hiddenQuery",
            "https://app.example:8443/auth?k=hiddenQuery",
            "https://sub.app.example/auth?k=hiddenQuery",
            "//evil.example/steal?k=hiddenQuery",
        ] {
            let err = next(&get, 307, location).unwrap_err();
            assert_eq!((err.code(), err.status()), (40170, 401), "{location}");
            let shown = format!("{err} {err:?}");
            assert!(
                shown.contains("cross-origin redirect was refused"),
                "{shown}"
            );
            assert!(!shown.contains("hiddenQuery"), "{shown}");
            assert!(!shown.contains("steal"), "{shown}");
        }
    }

    #[test]
    fn a_redirect_without_a_location_is_40170() {
        let get = hop(AuthMethod::Get, "https://app.example/auth");
        let err = follow(&get.url, &get, StatusCode::FOUND, None).unwrap_err();
        assert_eq!(err.code(), 40170);
    }
}
