//! ClientOptions: what a [`Rest`](super::Rest) client is built from (Ably features spec TO3).

use super::endpoint::HostOptions;
use super::transport::{
    DEFAULT_FALLBACK_RETRY_TIMEOUT, DEFAULT_MAX_RETRY_COUNT, DEFAULT_MAX_RETRY_DURATION,
};
use super::{AuthOptions, DEFAULT_TIMEOUT};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::key::Key;
use crate::token::TokenParams;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The options of a [`Rest`](super::Rest) client: how it authenticates ([`AuthOptions`]),
/// which hosts it talks to and how (REC1, REC2, RSC15), and the protocol.
///
/// ```
/// use ably_auth::rest::{ClientOptions, Rest};
///
/// let rest = Rest::new(
///     ClientOptions::key("appId.keyId:keySecret".parse()?)
///         .with_endpoint("nonprod:sandbox")
///         .with_use_binary_protocol(false),
/// )?;
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientOptions {
    pub(super) auth: AuthOptions,
    pub(super) client_id: Option<String>,
    pub(super) default_token_params: Option<TokenParams>,
    pub(super) hosts: HostOptions,
    pub(super) tls: bool,
    pub(super) port: Option<u16>,
    pub(super) tls_port: Option<u16>,
    pub(super) http_request_timeout: Duration,
    pub(super) http_max_retry_count: usize,
    pub(super) http_max_retry_duration: Duration,
    pub(super) fallback_retry_timeout: Duration,
    pub(super) use_binary_protocol: bool,
    pub(super) root_certificates: Vec<CertificateDer<'static>>,
    pub(super) addresses: Vec<(String, SocketAddr)>,
    pub(super) clock: Option<Arc<dyn Clock>>,
}

impl ClientOptions {
    /// Options that authenticate with `auth`, against Ably's `main` endpoint over TLS, with
    /// MessagePack bodies (TO3f) and the default timeouts.
    pub fn new(auth: AuthOptions) -> ClientOptions {
        ClientOptions {
            auth,
            client_id: None,
            default_token_params: None,
            hosts: HostOptions::default(),
            tls: true,
            port: None,
            tls_port: None,
            http_request_timeout: DEFAULT_TIMEOUT,
            http_max_retry_count: DEFAULT_MAX_RETRY_COUNT,
            http_max_retry_duration: DEFAULT_MAX_RETRY_DURATION,
            fallback_retry_timeout: DEFAULT_FALLBACK_RETRY_TIMEOUT,
            use_binary_protocol: true,
            root_certificates: Vec::new(),
            addresses: Vec::new(),
            clock: None,
        }
    }

    /// Options with the API key `key` (Basic auth unless token auth is asked for, RSA4).
    pub fn key(key: Key) -> ClientOptions {
        ClientOptions::new(AuthOptions::key(key))
    }

    /// Options with a literal token (token auth; it can't be renewed).
    pub fn token(token: impl Into<String>) -> ClientOptions {
        ClientOptions::new(AuthOptions::token(token))
    }

    /// The clientId of this client (RSA7): in token params, and sent as `X-Ably-ClientId`
    /// under Basic auth (RSA7e2).
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> ClientOptions {
        self.client_id = Some(client_id.into());
        self
    }

    /// Default token params (TO3j11).
    pub fn with_default_token_params(mut self, params: TokenParams) -> ClientOptions {
        self.default_token_params = Some(params);
        self
    }

    /// The endpoint (REC1b): a routing policy id (`main`, the default), `nonprod:{id}`, or a
    /// hostname (which has no fallback hosts). See [`resolve_hosts`](super::resolve_hosts).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> ClientOptions {
        self.hosts.endpoint = Some(endpoint.into());
        self
    }

    /// The fallback hosts, replacing the endpoint's (REC2a); empty turns fallback off.
    pub fn with_fallback_hosts<S: Into<String>>(
        mut self,
        hosts: impl IntoIterator<Item = S>,
    ) -> ClientOptions {
        self.hosts.fallback_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Deprecated in Ably's spec for [`ClientOptions::with_endpoint`]: a routing policy id
    /// (`production` is `main`; REC1c2). Conflicts with `endpoint` and `rest_host` (40106).
    pub fn with_environment(mut self, environment: impl Into<String>) -> ClientOptions {
        self.hosts.environment = Some(environment.into());
        self
    }

    /// Deprecated in Ably's spec for [`ClientOptions::with_endpoint`]: an explicit host,
    /// without fallback hosts (REC1d1, REC2c6). Conflicts with `endpoint` and `environment`.
    pub fn with_rest_host(mut self, host: impl Into<String>) -> ClientOptions {
        self.hosts.rest_host = Some(host.into());
        self
    }

    /// Deprecated in Ably's spec: `main`'s fallback hosts even with a `rest_host` (REC2b).
    /// Conflicts with `endpoint` and `fallback_hosts`.
    pub fn with_fallback_hosts_use_default(mut self, use_default: bool) -> ClientOptions {
        self.hosts.fallback_hosts_use_default = use_default;
        self
    }

    /// TLS (the default) or plain HTTP (RSC18); Basic auth is refused without TLS (RSA1).
    pub fn with_tls(mut self, tls: bool) -> ClientOptions {
        self.tls = tls;
        self
    }

    /// The port for plain HTTP (default 80).
    pub fn with_port(mut self, port: u16) -> ClientOptions {
        self.port = Some(port);
        self
    }

    /// The port for TLS (default 443).
    pub fn with_tls_port(mut self, port: u16) -> ClientOptions {
        self.tls_port = Some(port);
        self
    }

    /// How long one HTTP request may take (TO3l4; default 10 s).
    pub fn with_http_request_timeout(mut self, timeout: Duration) -> ClientOptions {
        self.http_request_timeout = timeout;
        self
    }

    /// How many fallback hosts one request may try (TO3l5; default 3).
    pub fn with_http_max_retry_count(mut self, count: usize) -> ClientOptions {
        self.http_max_retry_count = count;
        self
    }

    /// How long one request may spend across its hosts (TO3l6; default 15 s).
    pub fn with_http_max_retry_duration(mut self, duration: Duration) -> ClientOptions {
        self.http_max_retry_duration = duration;
        self
    }

    /// How long a fallback host that answered stays the first choice (TO3l10; default
    /// 10 minutes).
    pub fn with_fallback_retry_timeout(mut self, timeout: Duration) -> ClientOptions {
        self.fallback_retry_timeout = timeout;
        self
    }

    /// MessagePack (true, the default) or JSON bodies (TO3f).
    pub fn with_use_binary_protocol(mut self, binary: bool) -> ClientOptions {
        self.use_binary_protocol = binary;
        self
    }

    /// Also trusts the certificate authorities in `pem` (on top of the platform's), for a
    /// private endpoint. Fails with 40106 when `pem` holds no certificate.
    pub fn with_root_certificates_pem(mut self, pem: &[u8]) -> Result<ClientOptions> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Config(format!("the root certificates don't parse: {e}")))?;
        if certs.is_empty() {
            return Err(Error::Config(
                "no certificate in the root certificates PEM".into(),
            ));
        }
        self.root_certificates.extend(certs);
        Ok(self)
    }

    /// Connects to `address` for `host` instead of asking DNS (TLS still checks the
    /// certificate against `host`); the port in `address` is ignored.
    pub fn with_host_address(mut self, host: impl Into<String>, address: SocketAddr) -> Self {
        self.addresses.push((host.into(), address));
        self
    }

    /// Uses `clock` for timestamps and expiry checks.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> ClientOptions {
        self.clock = Some(clock);
        self
    }
}

/// Shows no secret: the auth options hide theirs.
impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("auth", &self.auth)
            .field("client_id", &self.client_id)
            .field("hosts", &self.hosts)
            .field("tls", &self.tls)
            .field("port", &self.port)
            .field("tls_port", &self.tls_port)
            .field("use_binary_protocol", &self.use_binary_protocol)
            .finish_non_exhaustive()
    }
}
