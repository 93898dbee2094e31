//! Shared helpers for the integration tests: vectors, an HTTP client, a recording test
//! server, and the npm install for the interop tests.
#![allow(dead_code)]

use ably_auth::{Key, TokenRequest};
use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpServer, web};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A fixed point in time for deterministic tests.
pub const T0: u64 = 1_700_000_000_000;

/// Loads `ably-auth/vectors/<name>` (provenance in that folder's `README.md`).
pub fn vectors(name: &str) -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ably-auth/vectors/").to_owned() + name;
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("test vectors {path} are required: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A plain HTTP client for talking to the local endpoint directly.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A TokenRequest for `key` with the given fields, signed over the fields as given by
/// [`oracle_mac`], so tests can hand the local endpoint requests our signer refuses to make.
pub fn signed(
    key: &Key,
    timestamp: u64,
    nonce: &str,
    edit: impl FnOnce(&mut TokenRequest),
) -> TokenRequest {
    let mut request = TokenRequest {
        key_name: key.name().to_owned(),
        ttl: None,
        capability: None,
        client_id: None,
        timestamp,
        nonce: nonce.to_owned(),
        mac: String::new(),
    };
    edit(&mut request);
    request.mac = oracle_mac(key, &request);
    request
}

/// The MAC of a TokenRequest computed apart from `ably-auth`: the `hmac` crate over keyName,
/// ttl (0 and absent empty), capability, clientId, timestamp and nonce, each followed by a
/// line feed, as Ably's token request spec describes it; base64, standard and padded. It
/// signs whatever it is given, line feeds included.
pub fn oracle_mac(key: &Key, request: &TokenRequest) -> String {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let ttl = request
        .ttl
        .filter(|ttl| *ttl != 0)
        .map_or(String::new(), |ttl| ttl.to_string());
    let text = format!(
        "{}\n{ttl}\n{}\n{}\n{}\n{}\n",
        request.key_name,
        request.capability.as_deref().unwrap_or(""),
        request.client_id.as_deref().unwrap_or(""),
        request.timestamp,
        request.nonce,
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.secret().as_bytes()).unwrap();
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What a test route received.
#[derive(Clone, Debug, Default)]
pub struct Received {
    /// `GET` or `POST`.
    pub method: String,
    /// The path.
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Received {
    /// The value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Records what requests a test server received.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Received>>>);

impl Recorder {
    /// Records `req` with `body`.
    pub fn record(&self, req: &HttpRequest, body: &[u8]) -> Received {
        let received = Received {
            method: req.method().to_string(),
            path: req.path().to_owned(),
            query: req.query_string().to_owned(),
            headers: req
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_ascii_lowercase(),
                        v.to_str().unwrap_or("").to_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(body).into_owned(),
        };
        self.0.lock().unwrap().push(received.clone());
        received
    }

    /// Everything received so far.
    pub fn all(&self) -> Vec<Received> {
        self.0.lock().unwrap().clone()
    }

    /// The last request received.
    pub fn last(&self) -> Received {
        self.all()
            .pop()
            .expect("the test server received a request")
    }

    /// How many requests went to `path`.
    pub fn count(&self, path: &str) -> usize {
        self.all().iter().filter(|r| r.path == path).count()
    }
}

/// A running test server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    handle: ServerHandle,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// Serves an app configured by `configure` on a free loopback port.
pub fn serve(configure: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static) -> TestServer {
    let server = HttpServer::new(move || App::new().configure(configure.clone()))
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .bind("127.0.0.1:0")
        .expect("bind a loopback port");
    let url = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    TestServer { url, handle }
}

/// `tests/interop`.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Makes sure `node` runs and the npm packages in `tests/interop` are installed (`npm ci`
/// once, guarded by a lock directory against concurrent test processes). Panics (the test
/// fails) when `node` or `npm` is missing.
pub fn npm_ready() -> PathBuf {
    static ONCE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    let dir = interop_dir();
    ONCE.get_or_init(|| {
        let node = Command::new("node").arg("--version").output();
        assert!(
            node.as_ref().is_ok_and(|o| o.status.success()),
            "the interop tests need Node.js (`node`) on PATH: {node:?}"
        );
        // npm writes node_modules/.package-lock.json on install; older than the lockfile
        // means the lockfile changed since.
        let marker = dir.join("node_modules/.package-lock.json");
        let installed = || match (marker.metadata(), dir.join("package-lock.json").metadata()) {
            (Ok(m), Ok(l)) => m.modified().ok() >= l.modified().ok(),
            _ => false,
        };
        if installed() {
            return;
        }
        let lock = dir.join(".npm-install.lock");
        let start = std::time::Instant::now();
        loop {
            match std::fs::create_dir(&lock) {
                Ok(()) => break,
                Err(_) if start.elapsed() > std::time::Duration::from_secs(300) => {
                    panic!("timed out waiting for {} to go away", lock.display())
                }
                // Left behind by a killed test process: npm ci never takes 10 minutes here.
                Err(_) if is_stale(&lock) => {
                    let _ = std::fs::remove_dir(&lock);
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(200)),
            }
        }
        let result = if installed() {
            Ok(())
        } else {
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .map_err(|e| e.to_string())
                .and_then(|s| {
                    if s.success() {
                        Ok(())
                    } else {
                        Err(format!("npm ci exited with {s}"))
                    }
                })
        };
        let _ = std::fs::remove_dir(&lock);
        if let Err(e) = result {
            panic!("installing the interop npm packages failed (npm on PATH?): {e}");
        }
    });
    dir
}

fn is_stale(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > std::time::Duration::from_secs(600))
}

/// Runs `node <script>` in `tests/interop` with `env`, and parses its stdout as JSON.
pub async fn node(script: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let dir = npm_ready();
    let mut command = Command::new("node");
    command.arg(script).current_dir(&dir);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the node task finished")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node {script} failed: {}\nstdout: {stdout}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("node {script} printed no JSON ({e}): {stdout}"))
}

pub mod cluster;
pub mod deps;
pub mod quickstart;

/// A minimal HTTP/1.1 request to the app at `url` with extra `headers` (a `host` among them
/// replaces the default, the app's address) and a form body; returns (status, head, body).
pub fn raw_request(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    form: Option<&str>,
) -> (u16, String, String) {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect to the app");
    let body = form.unwrap_or("");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("host: {addr}\r\n"));
    }
    if form.is_some() {
        request.push_str("content-type: application/x-www-form-urlencoded\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}
