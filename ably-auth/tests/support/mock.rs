//! A capturing HTTP(S) server for the REST client's tests: it records every request (host,
//! method, path, query, headers, body) and answers what the test's handler says: an answer,
//! a hang (for timeouts), or a closed connection.
//!
//! With TLS it serves `tests/fixtures/test-server.pem`, issued by `tests/fixtures/test-ca.pem`
//! for `127.0.0.1`, `localhost`, Ably's default hosts and a few `*.example.test` names; the
//! client trusts that CA and resolves every Ably host to 127.0.0.1 (or, for a host made
//! unreachable, to 127.0.0.2 where nothing listens).

#![allow(dead_code)]

use ably_auth::AuthOptions;
use ably_auth::rest::ClientOptions;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const CA: &[u8] = include_bytes!("../fixtures/test-ca.pem");

/// The primary REST host the client resolves to by default.
pub const PRIMARY: &str = "main.realtime.ably.net";

/// The key the REST tests authenticate with.
pub fn key() -> ably_auth::Key {
    "appId.keyId:keySecret".parse().unwrap()
}

/// The system clock's time, in milliseconds since the epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}
const CERT: &[u8] = include_bytes!("../fixtures/test-server.pem");
const KEY: &[u8] = include_bytes!("../fixtures/test-server.key");

/// Every host name the test certificate covers.
pub fn known_hosts() -> Vec<String> {
    let mut hosts: Vec<String> = [
        "main.realtime.ably.net",
        "sandbox.realtime.ably-nonprod.net",
        "eu.realtime.ably.net",
        "rest.example.test",
        "fb1.example.test",
        "fb2.example.test",
        "fb3.example.test",
    ]
    .map(String::from)
    .to_vec();
    for l in ['a', 'b', 'c', 'd', 'e'] {
        hosts.push(format!("main.{l}.fallback.ably-realtime.com"));
        hosts.push(format!("sandbox.{l}.fallback.ably-realtime-nonprod.com"));
        hosts.push(format!("eu.{l}.fallback.ably-realtime.com"));
    }
    hosts
}

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Captured {
    /// The Host header without its port.
    pub host: String,
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body decoded by its content type (MessagePack through rmp-serde, else JSON).
    pub fn value(&self) -> serde_json::Value {
        if self.header("content-type") == Some("application/x-msgpack") {
            rmp_serde::from_slice(&self.body).expect("a MessagePack body")
        } else {
            serde_json::from_slice(&self.body).expect("a JSON body")
        }
    }
}

/// What the server does with a request.
pub enum Reply {
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Holds the connection open without answering for this long, then drops it.
    Hang(Duration),
}

impl Reply {
    pub fn json(status: u16, value: serde_json::Value) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&value).unwrap(),
        }
    }

    pub fn msgpack(status: u16, value: serde_json::Value) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("content-type".into(), "application/x-msgpack".into())],
            body: rmp_serde::to_vec_named(&value).unwrap(),
        }
    }

    /// An Ably error body with its code and status.
    pub fn error(status: u16, code: u32) -> Reply {
        Reply::json(
            status,
            serde_json::json!({"error": {"code": code, "statusCode": status, "message": format!("error {code}")}}),
        )
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Answer { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Captured) -> Reply + Send + Sync;

/// A running server on 127.0.0.1.
pub struct Mock {
    pub port: u16,
    pub tls: bool,
    captured: Arc<Mutex<Vec<Captured>>>,
}

impl Mock {
    pub fn start(tls: bool, handler: impl Fn(&Captured) -> Reply + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let captured = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let config = tls.then(server_config);
        let log = captured.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (handler, log, config) = (handler.clone(), log.clone(), config.clone());
                std::thread::spawn(move || serve(stream, config, &*handler, &log));
            }
        });
        Mock {
            port,
            tls,
            captured,
        }
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Captured> {
        self.captured.lock().unwrap().clone()
    }

    /// Requests whose path is `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Captured> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Client options reaching this server: its port, its CA trusted, every known host
    /// resolved to it except `unreachable` ones (resolved to 127.0.0.2, where nothing
    /// listens), JSON unless the test asks otherwise.
    pub fn options(&self, auth: AuthOptions, unreachable: &[&str]) -> ClientOptions {
        let mut options = ClientOptions::new(auth)
            .with_tls(self.tls)
            .with_tls_port(self.port)
            .with_port(self.port)
            .with_use_binary_protocol(false)
            .with_http_request_timeout(Duration::from_secs(5))
            .with_root_certificates_pem(CA)
            .unwrap();
        for host in known_hosts() {
            let ip = if unreachable.contains(&host.as_str()) {
                [127, 0, 0, 2]
            } else {
                [127, 0, 0, 1]
            };
            options = options.with_host_address(host, SocketAddr::from((ip, self.port)));
        }
        options
    }

    /// The URL of `path` on this server (plain HTTP servers only).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn server_config() -> Arc<rustls::ServerConfig> {
    let certs = CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

fn serve(
    stream: TcpStream,
    config: Option<Arc<rustls::ServerConfig>>,
    handler: &Handler,
    log: &Mutex<Vec<Captured>>,
) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    match config {
        Some(config) => {
            let Ok(connection) = rustls::ServerConnection::new(config) else {
                return;
            };
            let mut tls = rustls::StreamOwned::new(connection, stream);
            exchange(&mut tls, handler, log);
        }
        None => {
            let mut plain = stream;
            exchange(&mut plain, handler, log);
        }
    }
}

fn exchange(stream: &mut (impl Read + Write), handler: &Handler, log: &Mutex<Vec<Captured>>) {
    let Some(request) = read_request(stream) else {
        return;
    };
    log.lock().unwrap().push(request.clone());
    match handler(&request) {
        Reply::Hang(duration) => std::thread::sleep(duration),
        Reply::Answer {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} X\r\nconnection: close\r\n");
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    }
}

fn read_request(stream: &mut impl Read) -> Option<Captured> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let url = reqwest::Url::parse(&format!("http://x{target}")).ok()?;
    let host = headers
        .iter()
        .find(|(n, _)| n == "host")
        .map(|(_, v)| v.rsplit_once(':').map_or(v.as_str(), |(h, _)| h).to_owned())
        .unwrap_or_default();
    Some(Captured {
        host,
        method,
        path: url.path().to_owned(),
        query: url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        headers,
        body,
    })
}
