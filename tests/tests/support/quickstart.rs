//! The quickstart binary, run as a user would: `BIND_ADDR=127.0.0.1:0`, no `ABLY_API_KEY`
//! (unless a test sets one), reading its `listening on` line.

use super::deps::{repo_root, target_profile_dir};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The variables the quickstart reads; the tests start it with none of them inherited.
const QUICKSTART_VARS: [&str; 10] = [
    "ABLY_API_KEY",
    "ABLY_API_KEY_FILE",
    "KEY_POLL_SECS",
    "ABLY_ENDPOINT",
    "BIND_ADDR",
    "ALLOW_PUBLIC_BIND",
    "ALLOWED_HOSTS",
    "SESSION_IDLE_SECS",
    "SESSION_MAX_AGE_SECS",
    "MAX_SESSIONS",
];

/// Builds the quickstart binary (once per test process) and returns its path.
fn binary() -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    let profile = target_profile_dir();
    BUILT.get_or_init(|| {
        let mut build = super::deps::cargo();
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "ably-auth-examples",
                "--bin",
                "quickstart",
            ])
            .current_dir(repo_root());
        if profile.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo build the quickstart");
        assert!(status.success(), "building the quickstart failed");
    });
    profile.join("quickstart")
}

/// The quickstart command with a clean environment: `BIND_ADDR=127.0.0.1:0`, then `env`.
fn command(env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(binary());
    for name in QUICKSTART_VARS {
        command.env_remove(name);
    }
    command.env("BIND_ADDR", "127.0.0.1:0");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// How a quickstart run that was expected to refuse to start ended.
#[derive(Debug)]
pub struct Exit {
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Everything it printed.
    pub stdout: String,
    /// Everything it wrote to stderr.
    pub stderr: String,
}

/// Runs the quickstart with `env` and expects it to exit without listening; panics if it
/// starts listening or is still running after 30 s.
pub fn run_expecting_exit(env: &[(&str, &str)]) -> Exit {
    let mut child = command(env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the quickstart");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the quickstart") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the quickstart kept running with {env:?}; stdout:\n{}",
                stdout.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let exit = Exit {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert!(
        !exit.stdout.contains("listening on"),
        "the quickstart listened: {exit:?}"
    );
    exit
}

/// A running quickstart, stopped on drop.
pub struct Quickstart {
    child: Child,
    /// `http://127.0.0.1:PORT` of the app.
    pub url: String,
    /// The embedded local Ably endpoint's URL (none when started with `ABLY_API_KEY`).
    pub ably_endpoint: Option<String>,
}

impl Quickstart {
    /// Builds (if needed) and starts the quickstart with the demo key.
    pub fn start() -> Quickstart {
        Quickstart::start_with(&[])
    }

    /// Builds (if needed) and starts the quickstart with `env` on top of
    /// `BIND_ADDR=127.0.0.1:0` (and nothing inherited from the test's environment).
    pub fn start_with(env: &[(&str, &str)]) -> Quickstart {
        let mut child = command(env)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the quickstart");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut ably_endpoint = None;
        let url = loop {
            let line = lines
                .next()
                .expect("the quickstart exited before listening")
                .expect("read the quickstart's stdout");
            if let Some(at) = line.find("local Ably endpoint at ") {
                ably_endpoint = Some(
                    line[at + "local Ably endpoint at ".len()..]
                        .trim()
                        .to_owned(),
                );
            }
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the app never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Quickstart {
            child,
            url,
            ably_endpoint,
        }
    }

    /// `(host, port)` of the local Ably endpoint.
    pub fn ably_host_port(&self) -> (String, String) {
        let endpoint = self
            .ably_endpoint
            .as_deref()
            .expect("the quickstart runs the local Ably endpoint");
        let rest = endpoint.trim_start_matches("http://");
        let (host, port) = rest.rsplit_once(':').expect("host:port");
        (host.to_owned(), port.trim_end_matches('/').to_owned())
    }

    /// A minimal HTTP/1.1 request; returns (status, headers, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> (u16, String, String) {
        let cookie = cookie.map(|c| ("cookie", c));
        self.request_with(method, path, cookie.as_slice(), form)
    }

    /// A minimal HTTP/1.1 request with extra `headers` (a `host` among them replaces the
    /// default, the app's address); returns (status, head, body).
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        form: Option<&str>,
    ) -> (u16, String, String) {
        super::raw_request(&self.url, method, path, headers, form)
    }

    /// Signs in and returns the session cookie (`name=value`).
    pub fn login(&self, user: &str, role: &str) -> String {
        self.login_with(user, role, &[])
    }

    /// Signs in with extra request `headers` and returns the session cookie (`name=value`).
    pub fn login_with(&self, user: &str, role: &str, headers: &[(&str, &str)]) -> String {
        let (status, head, body) = self.request_with(
            "POST",
            "/login",
            headers,
            Some(&format!("user={user}&role={role}")),
        );
        assert_eq!(status, 200, "login failed: {body}");
        set_cookie(&head)
            .split(';')
            .next()
            .unwrap()
            .trim()
            .to_owned()
    }
}

/// The `set-cookie` header of a response head (the whole value, attributes included).
pub fn set_cookie(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().to_owned())
        })
        .expect("a set-cookie header")
}

impl Drop for Quickstart {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
