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

/// The host options of a client, the deprecated ones included (REC1c, REC1d, REC2b).
#[derive(Clone, Debug, Default)]
pub(super) struct HostOptions {
    pub(super) endpoint: Option<String>,
    pub(super) environment: Option<String>,
    pub(super) rest_host: Option<String>,
    pub(super) fallback_hosts: Option<Vec<String>>,
    pub(super) fallback_hosts_use_default: bool,
}

impl HostOptions {
    /// The hosts, after refusing combinations the spec calls invalid (REC1b1, REC1c1,
    /// REC2a1) with 40106. `environment` is a routing policy id (`production` is `main`,
    /// REC1c2); `rest_host` an explicit host without fallbacks (REC1d1, REC2c6);
    /// `fallback_hosts_use_default` brings back `main`'s fallbacks (REC2b).
    pub(super) fn resolve(&self) -> Result<Hosts> {
        let conflict = |what: &str| {
            Err(Error::Config(format!(
                "invalid host options: {what} conflict; give only one"
            )))
        };
        let deprecated = self.environment.is_some()
            || self.rest_host.is_some()
            || self.fallback_hosts_use_default;
        if self.endpoint.is_some() && deprecated {
            return conflict(
                "`endpoint` and the deprecated environment / rest_host / fallback_hosts_use_default",
            );
        }
        if self.environment.is_some() && self.rest_host.is_some() {
            return conflict("`environment` and `rest_host`");
        }
        if self.fallback_hosts.is_some() && self.fallback_hosts_use_default {
            return conflict("`fallback_hosts` and `fallback_hosts_use_default`");
        }
        let default_fallbacks = self
            .fallback_hosts_use_default
            .then(|| resolve_hosts(None, None).map(|h| h.fallbacks))
            .transpose()?;
        let fallbacks = self.fallback_hosts.clone().or(default_fallbacks);
        if let Some(host) = &self.rest_host {
            check_host(host, "rest_host")?;
            return Ok(Hosts {
                primary: host.clone(),
                fallbacks: fallbacks.unwrap_or_default(),
            });
        }
        let environment = self.environment.as_deref().map(|e| {
            if e == "production" {
                DEFAULT_ROUTING_POLICY
            } else {
                e
            }
        });
        if let Some(id) = environment {
            check_id(id)?;
        }
        resolve_hosts(
            self.endpoint.as_deref().or(environment),
            fallbacks.as_deref(),
        )
    }
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
    fn rec1c_rec1d_rec2b_deprecated_options() {
        let environment = HostOptions {
            environment: Some("sandbox".into()),
            ..HostOptions::default()
        };
        let hosts = environment.resolve().unwrap();
        assert_eq!(hosts.primary, "sandbox.realtime.ably.net");
        assert_eq!(hosts.fallbacks[0], "sandbox.a.fallback.ably-realtime.com");
        let production = HostOptions {
            environment: Some("production".into()),
            ..HostOptions::default()
        };
        assert_eq!(
            production.resolve().unwrap(),
            resolve_hosts(None, None).unwrap()
        );
        let rest_host = HostOptions {
            rest_host: Some("custom.rest.example.com".into()),
            ..HostOptions::default()
        };
        let hosts = rest_host.resolve().unwrap();
        assert_eq!(hosts.primary, "custom.rest.example.com");
        assert!(hosts.fallbacks.is_empty());
        let use_default = HostOptions {
            fallback_hosts_use_default: true,
            ..rest_host.clone()
        };
        assert_eq!(
            use_default.resolve().unwrap().fallbacks,
            resolve_hosts(None, None).unwrap().fallbacks
        );
    }

    #[test]
    fn rec1b1_rec1c1_rec2a1_conflicts_are_refused() {
        let with = |f: fn(&mut HostOptions)| {
            let mut options = HostOptions::default();
            f(&mut options);
            options.resolve()
        };
        let cases: [fn(&mut HostOptions); 4] = [
            |o| {
                o.endpoint = Some("test".into());
                o.environment = Some("production".into());
            },
            |o| {
                o.endpoint = Some("test".into());
                o.rest_host = Some("custom.host.com".into());
            },
            |o| {
                o.environment = Some("sandbox".into());
                o.rest_host = Some("custom.host.com".into());
            },
            |o| {
                o.fallback_hosts = Some(vec!["fb1.example.com".into()]);
                o.fallback_hosts_use_default = true;
            },
        ];
        for case in cases {
            let err = with(case).unwrap_err();
            assert_eq!(err.code(), 40106);
            assert!(err.to_string().contains("invalid"), "{err}");
        }
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
