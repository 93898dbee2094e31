//! The quickstart's settings, read from environment variables (listed in
//! `src/bin/quickstart.rs`).

use super::guard::AllowedHosts;
use super::sessions::SessionSettings;
use ably_auth::{Key, KeyRing, RotatingAblyTokenIssuer};
use ably_auth_local::{LocalAbly, LocalAblyServer, demo_key};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// Everything the quickstart needs to start.
pub struct Config {
    /// The key credentials are signed with at start: from `ABLY_API_KEY` or
    /// `ABLY_API_KEY_FILE`, or the demo key.
    pub key: Key,
    /// The keys credentials are signed with now: a key file's reload on SIGHUP or change
    /// replaces them (see [`crate::keys`]).
    pub keys: KeyRing,
    /// What `/ably/token` requests tokens at [`Config::endpoint`] with, using the key that
    /// signs at the time.
    pub ably_tokens: RotatingAblyTokenIssuer,
    /// The Ably REST base URL.
    pub endpoint: String,
    /// The addresses `BIND_ADDR` resolved to.
    pub bind: Vec<SocketAddr>,
    /// The `Host` names the app answers to.
    pub allowed_hosts: AllowedHosts,
    /// Session timeouts and cap.
    pub sessions: SessionSettings,
    /// The embedded local Ably endpoint, when there is no key.
    pub local: Option<LocalAblyServer>,
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A whole number ≥ 1 from variable `name`, or `default` when it is not set.
fn number(name: &str, default: u64) -> io::Result<u64> {
    match var(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| invalid(format!("{name} must be a whole number ≥ 1, not {text:?}"))),
    }
}

/// Refuses to serve a real key on an address other machines can reach unless
/// `ALLOW_PUBLIC_BIND=1`: the demo lets anyone sign in as any user with any role.
pub fn check_public_bind(
    bind: &[SocketAddr],
    key_given: bool,
    opt_in: Option<&str>,
) -> Result<(), String> {
    let public: Vec<String> = bind
        .iter()
        .filter(|a| !a.ip().is_loopback())
        .map(SocketAddr::to_string)
        .collect();
    if !key_given || public.is_empty() || opt_in == Some("1") {
        return Ok(());
    }
    Err(format!(
        "refusing to listen on {} with an Ably key set (ABLY_API_KEY or ABLY_API_KEY_FILE): \
         other machines could reach this demo, \
         whose roles are self-service (anyone can sign in as any user, admin included) and \
         who would get credentials for your Ably app. Bind to a loopback address \
         (BIND_ADDR=127.0.0.1:8080), or set ALLOW_PUBLIC_BIND=1 if that is what you want.",
        public.join(", ")
    ))
}

impl Config {
    /// Reads the environment. With `ABLY_API_KEY_FILE`, starts reloading that file. Without it
    /// or `ABLY_API_KEY`, starts the embedded local Ably endpoint. So it must run inside the
    /// actix runtime.
    pub fn from_env() -> io::Result<Config> {
        let bind_text = var("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: Vec<SocketAddr> = bind_text
            .to_socket_addrs()
            .map_err(|e| invalid(format!("BIND_ADDR={bind_text:?}: {e}")))?
            .collect();
        if bind.is_empty() {
            return Err(invalid(format!("BIND_ADDR={bind_text:?} names no address")));
        }
        let loaded = crate::keys::from_env()?;
        let key_given = loaded.is_some();
        check_public_bind(&bind, key_given, var("ALLOW_PUBLIC_BIND").as_deref())
            .map_err(invalid)?;
        let extra =
            AllowedHosts::parse_list(&var("ALLOWED_HOSTS").unwrap_or_default()).map_err(invalid)?;
        let allowed_hosts = AllowedHosts::new(&bind, extra);
        let defaults = SessionSettings::default();
        let sessions = SessionSettings {
            idle_timeout: Duration::from_secs(number(
                "SESSION_IDLE_SECS",
                defaults.idle_timeout.as_secs(),
            )?),
            lifetime: Duration::from_secs(number(
                "SESSION_MAX_AGE_SECS",
                defaults.lifetime.as_secs(),
            )?),
            capacity: usize::try_from(number("MAX_SESSIONS", defaults.capacity as u64)?)
                .unwrap_or(usize::MAX),
        };
        let endpoint = var("ABLY_ENDPOINT");
        let (keys, endpoint, local) = if let Some((keys, source)) = loaded {
            crate::keys::watch(&keys, &source)?;
            let endpoint = endpoint.unwrap_or_else(|| ably_auth::rest::DEFAULT_ENDPOINT.into());
            (keys, endpoint, None)
        } else {
            // No key: the demo key, accepted by an embedded local Ably endpoint.
            let local = LocalAbly::demo().start("127.0.0.1:0")?;
            println!(
                "ABLY_API_KEY is not set: using the demo key and the local Ably endpoint at {}",
                local.url()
            );
            let endpoint = endpoint.unwrap_or_else(|| local.url());
            (KeyRing::from(demo_key()), endpoint, Some(local))
        };
        let key = keys.signing_key();
        let ably_tokens = RotatingAblyTokenIssuer::with_endpoint(keys.clone(), &endpoint)
            .map_err(|e| invalid(e.to_string()))?;
        println!(
            "answering to Host {} (ALLOWED_HOSTS adds names)",
            allowed_hosts.names().join(", ")
        );
        Ok(Config {
            key,
            keys,
            ably_tokens,
            endpoint,
            bind,
            allowed_hosts,
            sessions,
            local,
        })
    }

    /// What the page's script reads from `/config`.
    pub fn page_config(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoint": self.endpoint,
            "local": self.local.is_some(),
            "keyName": self.key.name(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_key_on_a_public_address_needs_the_opt_in() {
        let loopback: Vec<SocketAddr> = vec!["127.0.0.1:8080".parse().unwrap()];
        let v6_loopback: Vec<SocketAddr> = vec!["[::1]:8080".parse().unwrap()];
        let any: Vec<SocketAddr> = vec!["0.0.0.0:8080".parse().unwrap()];
        let mixed: Vec<SocketAddr> = vec![loopback[0], "192.0.2.7:8080".parse().unwrap()];
        for bind in [&loopback, &v6_loopback] {
            assert_eq!(check_public_bind(bind, true, None), Ok(()));
        }
        for bind in [&any, &mixed] {
            assert_eq!(check_public_bind(bind, false, None), Ok(()), "demo key");
            assert_eq!(check_public_bind(bind, true, Some("1")), Ok(()));
            for opt_in in [None, Some("0"), Some("yes"), Some("")] {
                let err = check_public_bind(bind, true, opt_in).unwrap_err();
                assert!(err.contains("ALLOW_PUBLIC_BIND=1"), "{err}");
            }
        }
    }
}
