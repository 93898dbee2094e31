//! Issuance is traced, at every level, without the key secret.

mod common;

use ably_auth::{Key, TokenRequestIssuer};
use ably_auth_actix::TokenRoute;
use actix_web::{App, test};
use common::User;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const SECRET: &str = "tracingTestSecretValue";

/// Records every span and event field, at every level.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\nspan {}", span.metadata().name());
        span.record(&mut Fields(&mut out));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\n{} event", event.metadata().level());
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[actix_web::test]
async fn traces_never_contain_the_secret() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let key = Key::parse(&format!("appId.keyId:{SECRET}")).unwrap();
    let app = test::init_service(App::new().service(TokenRoute::<User, _>::new(
        "/token",
        TokenRequestIssuer::new(key),
    )))
    .await;
    for request in [
        test::TestRequest::get()
            .uri("/token")
            .insert_header(("x-user", "alice")),
        test::TestRequest::get()
            .uri("/token?ttl=-1")
            .insert_header(("x-user", "alice")),
        test::TestRequest::get()
            .uri("/token?clientId=bob")
            .insert_header(("x-user", "alice")),
        test::TestRequest::get().uri("/token"),
    ] {
        let response = test::call_service(&app, request.to_request()).await;
        let body = test::read_body(response).await;
        assert!(!String::from_utf8_lossy(&body).contains(SECRET));
    }
    let log = recorder.0.lock().unwrap().clone();
    assert!(log.contains("span ably_auth.issue"), "{log}");
    assert!(log.contains("issued an Ably credential"), "{log}");
    assert!(log.contains("code=40003"), "{log}");
    assert!(log.contains("code=40102"), "{log}");
    assert!(log.contains("code=40100"), "{log}");
    assert!(log.contains("DEBUG event"), "{log}");
    assert!(!log.contains(SECRET), "{log}");
}
