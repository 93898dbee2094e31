//! Several instances of an example app and the Redis they share: a `redis-server` on a free
//! loopback port without persistence, and app processes whose output is kept for the test to
//! read. Everything is stopped on drop.

use super::deps::{redis_server, repo_root, target_profile_dir};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `redis-server` on a free loopback port, with no persistence; killed on drop.
pub struct Redis {
    child: Child,
    /// `redis://127.0.0.1:PORT`.
    pub url: String,
    _dir: TempDir,
}

impl Redis {
    /// Installs `redis-server` if needed and starts it; panics (the test fails) when it does
    /// not answer `PING` within 20 seconds.
    pub fn start() -> Redis {
        let command = redis_server();
        let dir = TempDir::new("redis");
        let port = free_port();
        let mut child = Command::new(&command)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&dir.0)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", command.display()));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("redis-server exited at start: {status}");
            }
            if ping(port) {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("redis-server did not answer PING on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Redis {
            child,
            url: format!("redis://127.0.0.1:{port}"),
            _dir: dir,
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A directory under the target directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory named after `what`, the process and a counter.
    pub fn new(what: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = target_profile_dir().join(format!("test-tmp/{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(dir)
    }

    /// `name` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds a binary of the examples package with `features` (once per binary and test
/// process) and returns its path.
pub fn example_binary(bin: &str, features: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let profile = target_profile_dir();
    let mut built = BUILT.lock().unwrap();
    if !built.iter().any(|b| b == bin) {
        let mut build = super::deps::cargo();
        build
            .args(["build", "--quiet", "-p", "ably-auth-examples", "--bin", bin])
            .args(["--features", features])
            .current_dir(repo_root());
        if profile.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo build an example");
        assert!(status.success(), "building the {bin} example failed");
        built.push(bin.to_owned());
    }
    profile.join(bin)
}

/// The variables the example apps read; an instance starts with none of them inherited.
const APP_VARS: [&str; 12] = [
    "ABLY_API_KEY",
    "ABLY_API_KEY_FILE",
    "ABLY_ENDPOINT",
    "BIND_ADDR",
    "REDIS_URL",
    "SESSION_SECRET",
    "SESSION_COOKIE_SECURE",
    "KEY_POLL_SECS",
    "ALLOW_PUBLIC_BIND",
    "ALLOWED_HOSTS",
    "SESSION_IDLE_SECS",
    "MAX_SESSIONS",
];

/// A running app process: its URL and everything it printed so far; killed on drop.
pub struct Instance {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

fn collect(pipe: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            lines.lock().unwrap().push(line);
        }
    });
}

impl Instance {
    /// Starts `binary` with `BIND_ADDR=127.0.0.1:0` and `env`, and waits (30 s at most) for
    /// its `listening on` line.
    pub fn start(binary: &Path, env: &[(&str, &str)]) -> Instance {
        let mut command = Command::new(binary);
        for name in APP_VARS {
            command.env_remove(name);
        }
        command.env("BIND_ADDR", "127.0.0.1:0");
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        collect(child.stdout.take().unwrap(), stdout.clone());
        collect(child.stderr.take().unwrap(), stderr.clone());
        let mut instance = Instance {
            child,
            url: String::new(),
            stdout,
            stderr,
        };
        let line = instance.wait_for_line("listening on ", Duration::from_secs(30));
        instance.url = line["listening on ".len()..].trim().to_owned();
        instance
    }

    /// Everything printed so far, stdout then stderr.
    pub fn output(&self) -> String {
        let out = self.stdout.lock().unwrap().join("\n");
        let err = self.stderr.lock().unwrap().join("\n");
        format!("{out}\n{err}")
    }

    /// Waits for a line (stdout or stderr) starting with `prefix`, printed after the first
    /// `skip` such lines; panics after `timeout` or when the process exits.
    pub fn wait_for_nth_line(&mut self, prefix: &str, skip: usize, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let found = {
                let out = self.stdout.lock().unwrap();
                let err = self.stderr.lock().unwrap();
                out.iter()
                    .chain(err.iter())
                    .filter(|l| l.starts_with(prefix))
                    .nth(skip)
                    .cloned()
            };
            if let Some(line) = found {
                return line;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the app exited ({status}) before printing {prefix:?}:\n{}",
                    self.output()
                );
            }
            if Instant::now() > deadline {
                panic!("no line {prefix:?} within {timeout:?}:\n{}", self.output());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the first line starting with `prefix`.
    pub fn wait_for_line(&mut self, prefix: &str, timeout: Duration) -> String {
        self.wait_for_nth_line(prefix, 0, timeout)
    }

    /// How many lines (stdout or stderr) start with `prefix`.
    pub fn count_lines(&self, prefix: &str) -> usize {
        let out = self.stdout.lock().unwrap();
        let err = self.stderr.lock().unwrap();
        out.iter()
            .chain(err.iter())
            .filter(|l| l.starts_with(prefix))
            .count()
    }

    /// Sends SIGHUP to the process.
    pub fn sighup(&self) {
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -HUP {}", self.child.id()))
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -HUP failed");
    }

    /// A minimal HTTP/1.1 request with `cookie` and a form body; returns (status, head, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> (u16, String, String) {
        let cookie = cookie.map(|c| ("cookie", c));
        super::raw_request(&self.url, method, path, cookie.as_slice(), form)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
