//! The quickstart's `GET /metrics`: ably-auth's metrics ([`ably_auth::metrics`] lists them)
//! in Prometheus' text format, from `metrics-exporter-prometheus`'s recorder (no HTTP
//! listener of its own: the page is one more route of the app).
//!
//! Metrics say how many users got credentials and how Ably answers, which is not for
//! everyone to read: `/metrics` answers only requests from a loopback address (403, code
//! 40300, to any other), and the app as a whole listens on `127.0.0.1` unless `BIND_ADDR`
//! says otherwise. A Prometheus on another machine scrapes it through something local to
//! this one (an agent, a tunnel, an authenticating proxy).

use ably_auth::Error;
use ably_auth_actix::error_response;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Resource, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The histogram buckets of every `*_seconds` metric: 1 ms to 10 s.
pub const SECONDS_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The content type of Prometheus' text format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Installs the Prometheus recorder as the process's `metrics` recorder, with
/// [`SECONDS_BUCKETS`], and describes ably-auth's metrics. Once per process.
pub fn install_prometheus() -> Result<PrometheusHandle, String> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|err| format!("the Prometheus recorder could not be installed: {err}"))?;
    ably_auth::metrics::describe();
    Ok(handle)
}

/// `GET /metrics` rendering `handle`'s metrics, for loopback clients only.
pub fn metrics_route(handle: PrometheusHandle) -> Resource {
    web::resource("/metrics")
        .app_data(web::Data::new(handle))
        .route(web::get().to(metrics_page))
}

async fn metrics_page(req: HttpRequest, handle: web::Data<PrometheusHandle>) -> HttpResponse {
    let local = req.peer_addr().is_some_and(|peer| peer.ip().is_loopback());
    if !local {
        return error_response(&Error::Forbidden(
            "/metrics answers only requests from this machine (a loopback address)".into(),
        ));
    }
    handle.run_upkeep();
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(PROMETHEUS_TEXT)))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(handle.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{App, test};

    #[actix_web::test]
    async fn only_loopback_clients_read_the_metrics() {
        let handle = PrometheusBuilder::new().build_recorder().handle();
        let app = test::init_service(App::new().service(metrics_route(handle))).await;
        for (peer, status) in [
            ("127.0.0.1:50000", 200),
            ("[::1]:50000", 200),
            ("192.0.2.7:50000", 403),
            ("[2001:db8::7]:50000", 403),
        ] {
            let req = test::TestRequest::get()
                .uri("/metrics")
                .peer_addr(peer.parse().unwrap())
                .to_request();
            let response = test::call_service(&app, req).await;
            assert_eq!(response.status(), status, "{peer}");
            if status == 403 {
                assert_eq!(response.headers().get("x-ably-errorcode").unwrap(), "40300");
            }
        }
        // No peer address known: refused too.
        let req = test::TestRequest::get().uri("/metrics").to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 403);
    }
}
