//! The credential routes' metrics, read back from the Prometheus exporter's recorder
//! (installed for the test's thread only): the `route` label is the configured pattern,
//! never the request's path, and rate-limit refusals count by their code.
#![cfg(feature = "metrics")]

mod common;

use ably_auth::{Key, TokenRequestIssuer};
use ably_auth_actix::{Issued, RateLimiter, TokenRoute};
use actix_web::{App, test, web};
use common::User;
use metrics_exporter_prometheus::PrometheusBuilder;
use std::time::Duration;

fn key() -> Key {
    Key::parse("appId.keyId:metricsSecret").unwrap()
}

macro_rules! get {
    ($path:expr, $user:expr) => {
        test::TestRequest::get()
            .uri($path)
            .insert_header(("x-user", $user))
            .to_request()
    };
}

/// The sample lines of `name` (any labels), in the exporter's text.
fn lines_of<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .collect();
    lines.sort();
    lines
}

#[actix_web::test]
async fn routes_are_labelled_by_pattern_and_refusals_by_code() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let _local = metrics::set_default_local_recorder(&recorder);
    let limit = RateLimiter::per_user(1, Duration::from_secs(60)).unwrap();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(TokenRequestIssuer::new(key())))
            .service(
                web::scope("/t/{tenant}")
                    .service(TokenRoute::<User, _>::jwts("/jwt", key()).rate_limit(limit.clone())),
            )
            .route(
                "/audited/{id}",
                web::get().to(|issued: Issued<User, TokenRequestIssuer>| async move { issued }),
            ),
    )
    .await;
    // Two tenants, two users: one series for the pattern.
    for (path, user, status) in [
        ("/t/acme/jwt?ttl=60000", "alice", 200),
        ("/t/globex/jwt", "bob", 200),
        ("/t/acme/jwt", "alice", 429),
        ("/audited/7", "carol", 200),
        ("/audited/8", "carol", 200),
    ] {
        let response = test::call_service(&app, get!(path, user)).await;
        assert_eq!(response.status(), status, "{path}");
    }
    let nobody = test::TestRequest::get().uri("/t/initech/jwt").to_request();
    assert_eq!(test::call_service(&app, nobody).await.status(), 401);

    let text = recorder.handle().render();
    assert_eq!(
        lines_of(&text, "ably_auth_credentials_issued_total"),
        [
            r#"ably_auth_credentials_issued_total{kind="jwt",route="/t/{tenant}/jwt"} 2"#,
            r#"ably_auth_credentials_issued_total{kind="token_request",route="/audited/{id}"} 2"#,
        ],
        "{text}"
    );
    assert_eq!(
        lines_of(&text, "ably_auth_credentials_refused_total"),
        [
            r#"ably_auth_credentials_refused_total{code="40100",route="/t/{tenant}/jwt"} 1"#,
            r#"ably_auth_credentials_refused_total{code="42910",route="/t/{tenant}/jwt"} 1"#,
        ],
        "{text}"
    );
    assert_eq!(
        lines_of(&text, "ably_auth_issue_duration_seconds_count"),
        [
            r#"ably_auth_issue_duration_seconds_count{route="/audited/{id}",outcome="issued"} 2"#,
            r#"ably_auth_issue_duration_seconds_count{route="/t/{tenant}/jwt",outcome="issued"} 2"#,
            r#"ably_auth_issue_duration_seconds_count{route="/t/{tenant}/jwt",outcome="refused"} 2"#,
        ],
        "{text}"
    );
    for leaked in ["acme", "globex", "initech", "alice", "bob", "carol", "ttl"] {
        assert!(!text.contains(leaked), "{leaked} in {text}");
    }
}
