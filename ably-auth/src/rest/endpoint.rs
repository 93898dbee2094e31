//! Which hosts a client talks to: endpoint resolution (Ably features spec REC1) and the
//! fallback domains (REC2).

use crate::error::{Error, Result};

/// The routing policy used when no endpoint is given (REC1a).
pub const DEFAULT_ROUTING_POLICY: &str = "main";

/// The primary host and the fallback hosts of a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hosts {
    /// The host every request goes to first.
    pub primary: String,
    /// The hosts tried, in random order, when the primary fails (RSC15).
    pub fallbacks: Vec<String>,
}

/// Resolves the `endpoint` option (REC1) and the fallback domains (REC2).
///
/// * none: `main.realtime.ably.net`, with `main.[a-e].fallback.ably-realtime.com` (REC1a,
///   REC2c1);
/// * a hostname (it holds a `.` or `::`, or is `localhost`): that host, with no fallbacks
///   (REC1b2, REC2c2);
/// * `nonprod:{id}`: `{id}.realtime.ably-nonprod.net`, with
///   `{id}.[a-e].fallback.ably-realtime-nonprod.com` (REC1b3, REC2c3);
/// * any other value is a routing policy id: `{id}.realtime.ably.net`, with
///   `{id}.[a-e].fallback.ably-realtime.com` (REC1b4, REC2c4).
///
/// `fallback_hosts`, when given, replaces the fallback domains (REC2a; an empty list turns
/// fallback off, RSC15m). A value that is not a bare host (a scheme, a path, a port, spaces)
/// is refused with 40106.
///
/// ```
/// use ably_auth::rest::resolve_hosts;
/// let hosts = resolve_hosts(Some("nonprod:sandbox"), None)?;
/// assert_eq!(hosts.primary, "sandbox.realtime.ably-nonprod.net");
/// assert_eq!(hosts.fallbacks[0], "sandbox.a.fallback.ably-realtime-nonprod.com");
/// assert!(resolve_hosts(Some("rest.example.com"), None)?.fallbacks.is_empty());
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub fn resolve_hosts(endpoint: Option<&str>, fallback_hosts: Option<&[String]>) -> Result<Hosts> {
    let endpoint = endpoint.unwrap_or(DEFAULT_ROUTING_POLICY);
    let (primary, fallbacks) = if is_hostname(endpoint) {
        check_host(endpoint, "endpoint")?;
        (endpoint.to_owned(), Vec::new())
    } else if let Some(id) = endpoint.strip_prefix("nonprod:") {
        check_id(id)?;
        (
            format!("{id}.realtime.ably-nonprod.net"),
            letters(|l| format!("{id}.{l}.fallback.ably-realtime-nonprod.com")),
        )
    } else {
        check_id(endpoint)?;
        (
            format!("{endpoint}.realtime.ably.net"),
            letters(|l| format!("{endpoint}.{l}.fallback.ably-realtime.com")),
        )
    };
    let fallbacks = match fallback_hosts {
        Some(hosts) => {
            for host in hosts {
                check_host(host, "fallback host")?;
            }
            hosts.to_vec()
        }
        None => fallbacks,
    };
    Ok(Hosts { primary, fallbacks })
}

/// REC1b2: an endpoint naming a host rather than a routing policy.
fn is_hostname(endpoint: &str) -> bool {
    endpoint.contains('.') || endpoint.contains("::") || endpoint == "localhost"
}

fn letters(host: impl Fn(char) -> String) -> Vec<String> {
    ['a', 'b', 'c', 'd', 'e'].into_iter().map(host).collect()
}

fn check_id(id: &str) -> Result<()> {
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::Config(format!(
            "endpoint {id:?} is neither a routing policy id (letters, digits, `-`), \
             `nonprod:` and an id, nor a hostname"
        )));
    }
    Ok(())
}

/// A bare host: a DNS name or an IP address (IPv6 in brackets or not), without scheme,
/// port, path or credentials.
fn check_host(host: &str, what: &str) -> Result<()> {
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ok = !inner.is_empty()
        && (inner.parse::<std::net::Ipv6Addr>().is_ok()
            || inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')));
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{what} {host:?} is not a bare host name; give it without scheme, port or path \
             (ports are set with the port options)"
        )))
    }
}

/// A host as it goes into a URL: IPv6 addresses in brackets.
pub(super) fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rec1_routing_policies_and_hosts() {
        let default = resolve_hosts(None, None).unwrap();
        assert_eq!(default.primary, "main.realtime.ably.net");
        assert_eq!(
            default.fallbacks,
            [
                "main.a.fallback.ably-realtime.com",
                "main.b.fallback.ably-realtime.com",
                "main.c.fallback.ably-realtime.com",
                "main.d.fallback.ably-realtime.com",
                "main.e.fallback.ably-realtime.com"
            ]
        );
        let eu = resolve_hosts(Some("eu"), None).unwrap();
        assert_eq!(eu.primary, "eu.realtime.ably.net");
        assert_eq!(eu.fallbacks[4], "eu.e.fallback.ably-realtime.com");
        for host in ["localhost", "127.0.0.1", "::1", "rest.example.com"] {
            let hosts = resolve_hosts(Some(host), None).unwrap();
            assert_eq!((hosts.primary.as_str(), hosts.fallbacks.len()), (host, 0));
        }
        assert_eq!(url_host("::1"), "[::1]");
    }

    #[test]
    fn rec2a_fallback_hosts_replace_the_defaults() {
        let given = vec!["fb.example.com".to_owned()];
        let hosts = resolve_hosts(Some("localhost"), Some(&given)).unwrap();
        assert_eq!(hosts.fallbacks, given);
        assert!(resolve_hosts(None, Some(&[])).unwrap().fallbacks.is_empty());
    }

    #[test]
    fn malformed_endpoints_are_40106() {
        for bad in [
            "",
            "nonprod:",
            "https://rest.example.com",
            "rest.example.com:443",
            "rest.example.com/x",
            "a b",
        ] {
            let err = resolve_hosts(Some(bad), None).unwrap_err();
            assert_eq!(err.code(), 40106, "{bad:?}");
        }
        let err = resolve_hosts(None, Some(&["http://x".to_owned()])).unwrap_err();
        assert_eq!(err.code(), 40106);
    }
}
