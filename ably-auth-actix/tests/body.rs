//! The token route bounds a POST body in size and time, over a real TCP connection: a client
//! that declares a large body is refused before anything is read, and one that stalls is cut
//! off with an Ably error.

mod common;

use ably_auth::{ErrorInfo, TokenRequestIssuer};
use ably_auth_actix::TokenRoute;
use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer};
use common::User;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const KEY: &str = "appId.keyId:bodyTestSecret";

/// A token route with the default body timeout at `/default` and a 300 ms one at `/short`,
/// served on 127.0.0.1 by a thread of its own.
struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Server {
    fn start() -> Server {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(|| {
                    App::new()
                        .service(TokenRoute::<User, _>::new(
                            "/default",
                            TokenRequestIssuer::new(KEY.parse().unwrap()),
                        ))
                        .service(
                            TokenRoute::<User, _>::new(
                                "/short",
                                TokenRequestIssuer::new(KEY.parse().unwrap()),
                            )
                            .body_timeout(Duration::from_millis(300)),
                        )
                })
                .workers(1)
                .bind(("127.0.0.1", 0))?;
                let addr = server.addrs()[0];
                let server = server.run();
                tx.send((addr, server.handle())).unwrap();
                server.await
            })
        });
        let (addr, handle) = rx.recv().expect("the server starts");
        Server {
            addr,
            handle,
            thread: Some(thread),
        }
    }

    /// Sends `head` and `body`, then keeps the connection open without sending more, and
    /// returns the response (status line, headers, body) and how long it took to arrive.
    fn stalled_request(&self, head: &str, body: &[u8]) -> (String, Vec<u8>, Duration) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(4)))
            .unwrap();
        let started = Instant::now();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        stream.flush().unwrap();
        let mut response = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            if let Some(end) = find(&response, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&response[..end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if response.len() >= end + 4 + length {
                    let body = response[end + 4..end + 4 + length].to_vec();
                    return (head, body, started.elapsed());
                }
            }
            match stream.read(&mut buf) {
                Ok(0) => panic!(
                    "the connection closed before a whole response: {:?}",
                    String::from_utf8_lossy(&response)
                ),
                Ok(n) => response.extend_from_slice(&buf[..n]),
                Err(e) => panic!(
                    "no response after {:?} ({e}); got {:?}",
                    started.elapsed(),
                    String::from_utf8_lossy(&response)
                ),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn assert_ably_error(head: &str, body: &[u8], code: u32, status: u16) {
    assert!(
        head.starts_with(&format!("HTTP/1.1 {status} ")),
        "{head}\n{}",
        String::from_utf8_lossy(body)
    );
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("\r\ncontent-type: application/json\r"),
        "{head}"
    );
    assert!(lower.contains("\r\ncache-control: no-store\r"), "{head}");
    assert!(
        lower.contains(&format!("\r\nx-ably-errorcode: {code}\r")),
        "{head}"
    );
    let info = ErrorInfo::from_json(body).expect("an Ably ErrorInfo body");
    assert_eq!((info.code, info.status_code), (code, status));
}

#[test]
fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let server = Server::start();
    // 999 999 bytes declared, 5 sent: the answer comes at once, not after the body timeout.
    let (head, body, took) = server.stalled_request(
        "POST /default HTTP/1.1\r\nhost: localhost\r\nx-user: alice\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 999999\r\n\r\n",
        b"ttl=1",
    );
    assert_ably_error(&head, &body, 40000, 413);
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn a_stalled_body_is_cut_off_with_an_ably_error() {
    let server = Server::start();
    // 100 bytes declared (under the limit), 5 sent, then nothing.
    let (head, body, took) = server.stalled_request(
        "POST /short HTTP/1.1\r\nhost: localhost\r\nx-user: alice\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\n",
        b"ttl=1",
    );
    assert_ably_error(&head, &body, 40000, 408);
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "took {took:?}"
    );
    // A chunked body that stalls is cut off the same way.
    let (head, body, _) = server.stalled_request(
        "POST /short HTTP/1.1\r\nhost: localhost\r\nx-user: alice\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n",
        b"5\r\nttl=1\r\n",
    );
    assert_ably_error(&head, &body, 40000, 408);
}

#[test]
fn a_whole_body_in_time_is_answered() {
    let server = Server::start();
    let (head, body, _) = server.stalled_request(
        "POST /short HTTP/1.1\r\nhost: localhost\r\nx-user: alice\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 9\r\n\r\n",
        b"ttl=60000",
    );
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    let request = ably_auth::TokenRequest::from_json(&body).unwrap();
    assert_eq!(request.ttl, Some(60_000));
}

#[test]
fn no_user_is_answered_without_waiting_for_the_body() {
    let server = Server::start();
    // Without a signed-in user the body is never read: 401 at once, not after the timeout.
    let (head, body, took) = server.stalled_request(
        "POST /default HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\n",
        b"ttl=1",
    );
    assert_ably_error(&head, &body, 40100, 401);
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
