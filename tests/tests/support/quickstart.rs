//! The quickstart binary, run as a user would: `BIND_ADDR=127.0.0.1:0`, no `ABLY_API_KEY`,
//! reading its `listening on` line.

use super::deps::{repo_root, target_profile_dir};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// A running quickstart, stopped on drop.
pub struct Quickstart {
    child: Child,
    /// `http://127.0.0.1:PORT` of the app.
    pub url: String,
    /// The embedded local Ably endpoint's URL.
    pub ably_endpoint: String,
}

impl Quickstart {
    /// Builds (if needed) and starts the quickstart with the demo key.
    pub fn start() -> Quickstart {
        let profile = target_profile_dir();
        let mut build = Command::new(env!("CARGO"));
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
        let mut child = Command::new(profile.join("quickstart"))
            .env("BIND_ADDR", "127.0.0.1:0")
            .env_remove("ABLY_API_KEY")
            .env_remove("ABLY_ENDPOINT")
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
            ably_endpoint: ably_endpoint.expect("stdout names the local Ably endpoint"),
        }
    }

    /// `(host, port)` of the local Ably endpoint.
    pub fn ably_host_port(&self) -> (String, String) {
        let rest = self.ably_endpoint.trim_start_matches("http://");
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
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connect to the quickstart");
        let body = form.unwrap_or("");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
            body.len()
        );
        if form.is_some() {
            request.push_str("content-type: application/x-www-form-urlencoded\r\n");
        }
        if let Some(cookie) = cookie {
            request.push_str(&format!("cookie: {cookie}\r\n"));
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

    /// Signs in and returns the session cookie (`name=value`).
    pub fn login(&self, user: &str, role: &str) -> String {
        let (status, head, body) = self.request(
            "POST",
            "/login",
            None,
            Some(&format!("user={user}&role={role}")),
        );
        assert_eq!(status, 200, "login failed: {body}");
        head.lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("set-cookie")
                    .then(|| value.trim().split(';').next().unwrap().to_owned())
            })
            .expect("a session cookie")
    }
}

impl Drop for Quickstart {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
