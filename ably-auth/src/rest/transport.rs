//! Requests to Ably with host fallback (Ably features spec RSC15, REC2): the primary host
//! first, then the fallback hosts in random order on connection errors, timeouts and 5xx
//! answers; a fallback that answered is remembered for a while (RSC15f).

use super::endpoint::{Hosts, url_host};
use super::http::describe;
use super::{ABLY_VERSION, AGENT};
use crate::error::{Error, Result};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How many fallback hosts one request may try (TO3l5).
pub const DEFAULT_MAX_RETRY_COUNT: usize = 3;
/// How long one request may spend across all its hosts (TO3l6): 15 s.
pub const DEFAULT_MAX_RETRY_DURATION: Duration = Duration::from_secs(15);
/// How long a fallback host that answered stays the first choice (TO3l10): 10 minutes.
pub const DEFAULT_FALLBACK_RETRY_TIMEOUT: Duration = Duration::from_secs(600);

/// A request body and its content type.
#[derive(Clone)]
pub(super) struct Body {
    pub(super) bytes: Vec<u8>,
    pub(super) content_type: &'static str,
}

impl Body {
    /// No body.
    pub(super) fn empty(binary: bool) -> Body {
        Body {
            bytes: Vec::new(),
            content_type: if binary {
                super::codec::MSGPACK
            } else {
                super::codec::JSON
            },
        }
    }
}

/// Why a body is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Attempt {
    /// The first host.
    First,
    /// Another host, after a failure that sent nothing (the connection was refused).
    AfterUnsent,
    /// Another host, after a failure where the body may have arrived (a timeout, a 5xx).
    AfterSent,
}

/// The hosts, the scheme and port, the HTTP client and the fallback memory.
pub(super) struct Transport {
    pub(super) http: reqwest::Client,
    pub(super) tls: bool,
    pub(super) port: Option<u16>,
    pub(super) base_path: String,
    pub(super) hosts: Hosts,
    pub(super) timeout: Duration,
    pub(super) max_retry_count: usize,
    pub(super) max_retry_duration: Duration,
    pub(super) fallback_retry_timeout: Duration,
    /// MessagePack (true) or JSON (false) bodies (TO3f).
    pub(super) binary: bool,
    /// A configuration error every request fails with.
    broken: Option<Error>,
    preferred: Mutex<Option<(String, Instant)>>,
}

impl Transport {
    pub(super) fn new(http: reqwest::Client, tls: bool, port: Option<u16>, hosts: Hosts) -> Self {
        Transport {
            http,
            tls,
            port,
            base_path: String::new(),
            hosts,
            timeout: super::DEFAULT_TIMEOUT,
            max_retry_count: DEFAULT_MAX_RETRY_COUNT,
            max_retry_duration: DEFAULT_MAX_RETRY_DURATION,
            fallback_retry_timeout: DEFAULT_FALLBACK_RETRY_TIMEOUT,
            binary: false,
            broken: None,
            preferred: Mutex::new(None),
        }
    }

    /// A transport whose every request fails with `error`.
    pub(super) fn broken(http: reqwest::Client, error: Error) -> Self {
        let hosts = Hosts {
            primary: String::new(),
            fallbacks: Vec::new(),
        };
        Transport {
            broken: Some(error),
            ..Transport::new(http, true, None, hosts)
        }
    }

    /// A transport for one base URL (`https://host:port/prefix`), with no fallback hosts.
    pub(super) fn for_base_url(http: reqwest::Client, base: &str) -> Result<Self> {
        let url = Url::parse(base.trim_end_matches('/'))
            .map_err(|e| Error::Config(format!("the endpoint is not a URL: {e}")))?;
        let tls = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => {
                return Err(Error::Config(
                    "the endpoint must be an http:// or https:// URL".into(),
                ));
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| Error::Config("the endpoint URL has no host".into()))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let mut transport = Transport::new(
            http,
            tls,
            url.port(),
            Hosts {
                primary: host,
                fallbacks: Vec::new(),
            },
        );
        transport.base_path = url.path().trim_end_matches('/').to_owned();
        Ok(transport)
    }

    fn url(&self, host: &str, path: &str, query: &[(String, String)]) -> Result<Url> {
        let scheme = if self.tls { "https" } else { "http" };
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let mut url = Url::parse(&format!(
            "{scheme}://{}{port}{}{path}",
            url_host(host),
            self.base_path
        ))
        .map_err(|e| Error::Config(format!("request path {path:?} does not form a URL: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// The hosts of one request, in order: a remembered fallback (while it is fresh), the
    /// primary, then the other fallbacks shuffled; at most `1 + max_retry_count`.
    fn order(&self) -> Vec<String> {
        let preferred = {
            let mut slot = self.preferred.lock().unwrap_or_else(|e| e.into_inner());
            match slot.as_ref() {
                Some((host, until)) if *until > Instant::now() => Some(host.clone()),
                Some(_) => {
                    *slot = None;
                    None
                }
                None => None,
            }
        };
        let mut fallbacks: Vec<String> = self
            .hosts
            .fallbacks
            .iter()
            .filter(|h| Some(*h) != preferred.as_ref())
            .cloned()
            .collect();
        shuffle(&mut fallbacks);
        let mut order = Vec::with_capacity(fallbacks.len() + 2);
        order.extend(preferred);
        order.push(self.hosts.primary.clone());
        order.extend(fallbacks);
        order.truncate(1 + self.max_retry_count);
        order
    }

    fn remember(&self, host: &str) {
        let mut slot = self.preferred.lock().unwrap_or_else(|e| e.into_inner());
        if host == self.hosts.primary {
            // RSC15f: a preference is only ever a fallback; the primary needs no memory.
            return;
        }
        match slot.as_ref() {
            Some((same, _)) if same == host => {}
            _ => {
                *slot = Some((
                    host.to_owned(),
                    Instant::now() + self.fallback_retry_timeout,
                ))
            }
        }
    }

    fn forget(&self, host: &str) {
        let mut slot = self.preferred.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_some_and(|(h, _)| h == host) {
            *slot = None;
        }
    }

    /// Sends `method path?query` with `headers` and the body `body(attempt)` gives, host after
    /// host. A connection error, a timeout, an HTTP 500–504 answer or an error answer from
    /// CloudFront (RSC15l) moves on to the next host, unless `body` gives `None` for it (a
    /// body that must not be sent twice). The last answer is returned as it is, an error
    /// status included; when no host answered, the last error.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        headers: &HeaderMap,
        mut body: impl FnMut(Attempt) -> Result<Option<Body>>,
    ) -> Result<reqwest::Response> {
        if let Some(error) = &self.broken {
            return Err(error.clone());
        }
        let started = Instant::now();
        let mut attempt = Attempt::First;
        let mut last: Option<Result<reqwest::Response>> = None;
        for host in self.order() {
            if attempt != Attempt::First && started.elapsed() >= self.max_retry_duration {
                break;
            }
            let Some(payload) = body(attempt)? else {
                break;
            };
            if host != self.hosts.primary {
                super::measure::fallback_request();
            }
            let url = self.url(&host, path, query)?;
            let mut all = headers.clone();
            if !all.contains_key("x-ably-version") {
                all.insert("x-ably-version", HeaderValue::from_static(ABLY_VERSION));
            }
            all.insert("ably-agent", HeaderValue::from_static(AGENT));
            let mut builder = self
                .http
                .request(method.clone(), url)
                .headers(all)
                .timeout(self.timeout);
            if !payload.bytes.is_empty() || method != Method::GET {
                builder = builder
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        HeaderValue::from_static(payload.content_type),
                    )
                    .body(payload.bytes);
            }
            match builder.send().await {
                Ok(response) if !qualifies(&response) => {
                    self.remember(&host);
                    return Ok(response);
                }
                Ok(response) => {
                    self.forget(&host);
                    attempt = Attempt::AfterSent;
                    last = Some(Ok(response));
                }
                Err(e) => {
                    self.forget(&host);
                    attempt = if e.is_connect() && !e.is_timeout() {
                        Attempt::AfterUnsent
                    } else {
                        Attempt::AfterSent
                    };
                    last = Some(Err(if e.is_timeout() {
                        Error::Timeout(format!("Ably did not answer within {:?}", self.timeout))
                    } else {
                        Error::Upstream(format!("Ably {}", describe(&e)))
                    }));
                }
            }
        }
        last.unwrap_or_else(|| {
            Err(Error::Upstream(
                "no Ably host to send the request to".into(),
            ))
        })
    }
}

/// RSC15l: an answer that sends the request on to a fallback host.
fn qualifies(response: &reqwest::Response) -> bool {
    let status = response.status().as_u16();
    let cloudfront = response
        .headers()
        .get(reqwest::header::SERVER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cloudfront"));
    (500..=504).contains(&status) || (cloudfront && status >= 400)
}

/// Fisher–Yates with the operating system's randomness (RSC15a: random order).
fn shuffle(hosts: &mut [String]) {
    for i in (1..hosts.len()).rev() {
        let mut bytes = [0u8; 4];
        if getrandom::fill(&mut bytes).is_err() {
            return;
        }
        let j = (u32::from_le_bytes(bytes) as usize) % (i + 1);
        hosts.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(fallbacks: &[&str]) -> Transport {
        Transport::new(
            super::super::http::http_client().unwrap(),
            true,
            None,
            Hosts {
                primary: "p".into(),
                fallbacks: fallbacks.iter().map(|s| s.to_string()).collect(),
            },
        )
    }

    #[tokio::test]
    async fn rsc15a_order_is_primary_then_shuffled_fallbacks() {
        let t = transport(&["a", "b", "c", "d", "e"]);
        let mut firsts = std::collections::HashSet::new();
        for _ in 0..200 {
            let order = t.order();
            assert_eq!(order.len(), 4, "1 + httpMaxRetryCount");
            assert_eq!(order[0], "p");
            firsts.insert(order[1].clone());
        }
        assert_eq!(firsts.len(), 5, "every fallback comes first sometimes");
    }

    #[tokio::test]
    async fn rsc15f_a_remembered_fallback_goes_first_until_it_expires() {
        let mut t = transport(&["a", "b"]);
        t.fallback_retry_timeout = Duration::from_millis(50);
        t.remember("p");
        assert_eq!(t.order()[0], "p");
        t.remember("b");
        assert_eq!(t.order(), ["b", "p", "a"]);
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(t.order()[0], "p");
    }

    #[test]
    fn base_urls_keep_scheme_port_and_prefix() {
        let t = Transport::for_base_url(
            super::super::http::http_client().unwrap(),
            "http://127.0.0.1:8080/x/",
        )
        .unwrap();
        assert!(!t.tls);
        assert_eq!(
            t.url("127.0.0.1", "/time", &[]).unwrap().as_str(),
            "http://127.0.0.1:8080/x/time"
        );
        assert!(t.hosts.fallbacks.is_empty());
        assert_eq!(
            Transport::for_base_url(super::super::http::http_client().unwrap(), "ftp://h")
                .err()
                .map(|e| e.code()),
            Some(40106)
        );
    }
}
