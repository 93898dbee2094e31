//! The Ably-token mode: 502/504 when Ably can't be reached or is too slow (the answers of a
//! working Ably are tested against the local endpoint, in `ably-auth-local`).
#![cfg(feature = "rest")]

mod common;

use ably_auth::{AblyTokenIssuer, Auth, AuthOptions, Key};
use ably_auth_actix::TokenRoute;
use actix_web::{App, HttpResponse, HttpServer, test, web};
use common::User;
use std::time::Duration;

fn key() -> Key {
    Key::parse("appId.keyId:ablyTokenTestSecret").unwrap()
}

async fn ask(endpoint: &str, timeout: Duration) -> (u16, Vec<u8>) {
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(endpoint)
        .with_timeout(timeout);
    let app = test::init_service(App::new().service(TokenRoute::<User, _>::new(
        "/ably/token",
        AblyTokenIssuer::new(auth),
    )))
    .await;
    let response = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/ably/token")
            .insert_header(("x-user", "alice"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("ttl=60000")
            .to_request(),
    )
    .await;
    let status = response.status().as_u16();
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    (status, test::read_body(response).await.to_vec())
}

fn error_code(body: &[u8]) -> (u32, u16) {
    let info = ably_auth::ErrorInfo::from_json(body)
        .unwrap_or_else(|| panic!("an Ably error: {}", String::from_utf8_lossy(body)));
    (info.code, info.status_code)
}

#[actix_web::test]
async fn unreachable_ably_is_502() {
    // Bind then drop a listener: nothing answers on that port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (status, body) = ask(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5)).await;
    assert_eq!(status, 502, "{}", String::from_utf8_lossy(&body));
    assert_eq!(error_code(&body), (50002, 502));
    assert!(!String::from_utf8_lossy(&body).contains("ablyTokenTestSecret"));
}

/// A stand-in for Ably that answers every request with `answer`; stopped on drop.
struct FakeAbly {
    url: String,
    handle: actix_web::dev::ServerHandle,
}

impl FakeAbly {
    fn start<F, Fut>(answer: F) -> FakeAbly
    where
        F: Fn() -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = HttpResponse> + 'static,
    {
        let server = HttpServer::new(move || App::new().default_service(web::to(answer.clone())))
            .workers(1)
            .disable_signals()
            .shutdown_timeout(0)
            .bind("127.0.0.1:0")
            .unwrap();
        let url = format!("http://{}", server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        FakeAbly { url, handle }
    }
}

impl Drop for FakeAbly {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

#[actix_web::test]
async fn slow_ably_is_504() {
    let ably = FakeAbly::start(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        HttpResponse::Ok().finish()
    });
    let (status, body) = ask(&ably.url, Duration::from_millis(300)).await;
    assert_eq!(status, 504, "{}", String::from_utf8_lossy(&body));
    assert_eq!(error_code(&body), (50003, 504));
}

#[actix_web::test]
async fn upstream_garbage_is_502() {
    let ably = FakeAbly::start(|| async {
        HttpResponse::Ok()
            .content_type("text/html")
            .body("<html>proxy error</html>")
    });
    let (status, body) = ask(&ably.url, Duration::from_secs(5)).await;
    assert_eq!(status, 502, "{}", String::from_utf8_lossy(&body));
    assert_eq!(error_code(&body), (50002, 502));
}
