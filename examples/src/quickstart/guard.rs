//! Two request checks the quickstart makes before it trusts a browser:
//!
//! * [`check_host`]: the `Host` header must name this server ([`AllowedHosts`]), so a page on
//!   a domain rebound to 127.0.0.1 (DNS rebinding) cannot drive it;
//! * [`check_same_origin`]: `POST /login` and `/logout` come from this server's own pages
//!   (no cross-site request forgery).
//!
//! Both refuse with 403 and an Ably `ErrorInfo` (code 40300).

use ably_auth::Error;
use ably_auth_actix::AblyError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, web};
use std::net::SocketAddr;

/// The host names the app answers to: the addresses it is bound to, `localhost`, and any
/// names given (the `ALLOWED_HOSTS` variable). Ports are not compared: a rebinding page
/// controls the name, never the port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedHosts {
    names: Vec<String>,
}

impl AllowedHosts {
    /// The bound addresses' IPs (for an unspecified address such as `0.0.0.0`, the loopback
    /// addresses instead), `localhost`, and `extra`.
    pub fn new(bound: &[SocketAddr], extra: impl IntoIterator<Item = String>) -> AllowedHosts {
        let mut names = vec!["localhost".to_owned()];
        for addr in bound {
            if addr.ip().is_unspecified() {
                names.extend(["127.0.0.1".to_owned(), "::1".to_owned()]);
            } else {
                names.push(addr.ip().to_string());
            }
        }
        names.extend(extra);
        names.sort();
        names.dedup();
        AllowedHosts { names }
    }

    /// Parses a comma-separated list of host names (a `:port` is accepted and ignored).
    ///
    /// ```
    /// use ably_auth_examples::quickstart::AllowedHosts;
    ///
    /// let names = AllowedHosts::parse_list("chat.example.com, [::1]:8080,")?;
    /// assert_eq!(names, ["chat.example.com", "::1"]);
    /// assert!(AllowedHosts::parse_list("*").is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse_list(list: &str) -> Result<Vec<String>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                host_name(entry).ok_or_else(|| {
                    format!(
                        "ALLOWED_HOSTS: {entry:?} is not a host name (use names such as \
                         chat.example.com or 192.0.2.7, separated by commas)"
                    )
                })
            })
            .collect()
    }

    /// Whether a `Host` header value names this server.
    pub fn allows(&self, host: &str) -> bool {
        host_name(host).is_some_and(|name| self.names.contains(&name))
    }

    /// The names, sorted.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// The lowercased name of a `Host` value (`name`, `name:port`, `[v6]` or `[v6]:port`), or
/// `None` when it is not one: empty, a bad port, or characters no host name has.
fn host_name(host: &str) -> Option<String> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (v6, after) = rest.split_once(']')?;
            v6.parse::<std::net::Ipv6Addr>().ok()?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':')?),
            };
            (v6, port)
        }
        None => {
            let (name, port) = match host.split_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (host, None),
            };
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !name_ok {
                return None;
            }
            (name, port)
        }
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(name.to_ascii_lowercase())
}

fn forbidden(message: String) -> AblyError {
    AblyError::from(Error::Forbidden(message))
}

/// Middleware (`App::wrap(from_fn(check_host))`): refuses a request whose `Host` is not in the
/// app's [`AllowedHosts`] (`app_data`), or that has no `Host`. Without `AllowedHosts` in the
/// app, every request is refused.
pub async fn check_host(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let allowed = req.app_data::<web::Data<AllowedHosts>>();
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(not text)"));
    let authority = req.uri().authority().map(|a| a.as_str());
    let refusal = match (allowed, host) {
        (None, _) => Some("no allowed hosts are configured".to_owned()),
        (Some(_), None) => Some("the request has no Host header".to_owned()),
        (Some(allowed), Some(host)) => {
            let bad = std::iter::once(host)
                .chain(authority)
                .find(|h| !allowed.allows(h));
            bad.map(|bad| {
                let shown: String = bad.chars().take(100).collect();
                format!(
                    "this app does not answer to Host {shown:?}, only to {}; \
                     add the name to ALLOWED_HOSTS to serve it",
                    allowed.names().join(", ")
                )
            })
        }
    };
    match refusal {
        Some(message) => Err(forbidden(message).into()),
        None => next.call(req).await,
    }
}

/// Refuses a request a browser made on behalf of another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none`, an `Origin` that is not this server (`http(s)://` + the `Host`),
/// including `Origin: null`, or, without an `Origin`, a `Referer` from elsewhere.
///
/// A request with no `Origin` and no `Referer` (curl, scripts, the SDKs) is accepted:
/// browsers send `Origin` with every cross-site `POST`, so its absence is no forgery.
pub fn check_same_origin(req: &HttpRequest) -> Result<(), AblyError> {
    let header = |name| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or("(not text)"))
    };
    let host = header(header::HOST).unwrap_or_default();
    let same_origin = |url: &str| {
        let Some((scheme, rest)) = url.split_once("://") else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        matches!(scheme, "http" | "https")
            && !host.is_empty()
            && authority.eq_ignore_ascii_case(host)
    };
    let refuse = |what: &str, value: &str| {
        let shown: String = value.chars().take(100).collect();
        Err(forbidden(format!(
            "{what} {shown:?} is not this site: sign in from this app's own page \
             (cross-site requests are refused)"
        )))
    };
    if let Some(site) = header(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return refuse("Sec-Fetch-Site", site);
    }
    match (header(header::ORIGIN), header(header::REFERER)) {
        (Some(origin), _) if !same_origin(origin) => refuse("Origin", origin),
        (None, Some(referer)) if !same_origin(referer) => refuse("Referer", referer),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        for (host, name) in [
            ("localhost", Some("localhost")),
            ("LocalHost:8080", Some("localhost")),
            ("127.0.0.1:1", Some("127.0.0.1")),
            ("[::1]:8080", Some("::1")),
            ("[::1]", Some("::1")),
            ("chat.example.com", Some("chat.example.com")),
            ("", None),
            (":8080", None),
            ("localhost:", None),
            ("localhost:80a", None),
            ("localhost:123456", None),
            ("[::1]:", None),
            ("[::1]x", None),
            ("[nope]:80", None),
            ("::1", None),
            ("a b", None),
            ("evil.example/x", None),
            ("user@localhost", None),
        ] {
            assert_eq!(host_name(host).as_deref(), name, "{host:?}");
        }
    }

    #[test]
    fn bound_addresses_localhost_and_extras_are_allowed() {
        let hosts = AllowedHosts::new(
            &["127.0.0.1:8080".parse().unwrap()],
            ["chat.example.com".to_owned()],
        );
        assert_eq!(
            hosts.names(),
            ["127.0.0.1", "chat.example.com", "localhost"]
        );
        for ok in ["127.0.0.1:8080", "localhost:8080", "chat.example.com"] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "rebound.evil.example:8080",
            "[::1]:8080",
            "localhost.",
            "0.0.0.0",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        let any = AllowedHosts::new(&["0.0.0.0:80".parse().unwrap()], []);
        assert_eq!(any.names(), ["127.0.0.1", "::1", "localhost"]);
    }
}
