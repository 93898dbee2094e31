//! The local Ably endpoint and the token route render an Ably error the same way: the same
//! status, body and headers (the local endpoint adds only its CORS headers), and the same
//! `X-Ably-ErrorMessage` cut.

use ably_auth::{AblyIdentity, Error, ErrorInfo, Grant, Key};
use ably_auth_actix::{AblyError, TokenRoute};
use ably_auth_local::LocalAbly;
use actix_web::dev::{Payload, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::{App, FromRequest, HttpRequest, test, web};
use std::future::{Ready, ready};

/// A user extractor that always fails with the `ErrorInfo` the app holds.
struct Failing;

impl AblyIdentity for Failing {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        unreachable!("the extractor always fails")
    }
}

impl FromRequest for Failing {
    type Error = AblyError;
    type Future = Ready<Result<Failing, AblyError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let info = req.app_data::<web::Data<ErrorInfo>>().unwrap();
        ready(Err(Error::Ably(ErrorInfo::clone(info)).into()))
    }
}

const CORS: [&str; 2] = [
    "access-control-allow-origin",
    "access-control-expose-headers",
];

/// A response's status, headers (sorted, without those named in `skip`) and body.
struct Seen {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    all_headers: HeaderMap,
    body: Vec<u8>,
}

async fn seen(response: ServiceResponse, skip: &[&str]) -> Seen {
    let status = response.status().as_u16();
    let all_headers = response.headers().clone();
    let mut headers: Vec<_> = all_headers
        .iter()
        .filter(|(name, _)| !skip.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    headers.sort();
    let body = test::read_body(response).await.to_vec();
    Seen {
        status,
        headers,
        all_headers,
        body,
    }
}

/// What the local endpoint answers to `DELETE {path}` (405, a method it does not serve), then what the route answers for the same
/// error (the `ErrorInfo` read from the local endpoint's body).
async fn both(path: &str) -> (Seen, Seen) {
    let key = Key::parse("appId.keyId:renderingTestSecret").unwrap();
    let local =
        test::init_service(App::new().configure(LocalAbly::new(key.clone()).configure())).await;
    let local = seen(
        test::call_service(&local, test::TestRequest::delete().uri(path).to_request()).await,
        &CORS,
    )
    .await;
    let info = ErrorInfo::from_json(&local.body).expect("an Ably error body");

    let route = test::init_service(App::new().app_data(web::Data::new(info)).service(
        TokenRoute::<Failing, _>::token_requests("/ably/token-request", key),
    ))
    .await;
    let route = seen(
        test::call_service(
            &route,
            test::TestRequest::get()
                .uri("/ably/token-request")
                .to_request(),
        )
        .await,
        &[],
    )
    .await;
    (local, route)
}

#[actix_web::test]
async fn same_status_headers_and_body_for_the_same_error() {
    let (local, route) = both("/time").await;
    assert_eq!((local.status, route.status), (405, 405));
    for name in CORS {
        assert!(local.all_headers.contains_key(name), "{name}");
        assert!(!route.all_headers.contains_key(name), "{name}");
    }
    assert_eq!(local.headers, route.headers);
    assert_eq!(route.all_headers.get("x-ably-errorcode").unwrap(), "40500");
    assert_eq!(route.all_headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(local.body, route.body);
}

#[actix_web::test]
async fn both_cut_the_message_header_at_256_characters() {
    let path = format!("/keys/{}/requestToken", "a".repeat(600));
    let (local, route) = both(&path).await;
    let message = ErrorInfo::from_json(&local.body).unwrap().message;
    assert!(message.len() > 600, "the message names the path: {message}");
    let local_header = local.all_headers.get("x-ably-errormessage").unwrap();
    let route_header = route.all_headers.get("x-ably-errormessage").unwrap();
    assert_eq!(local_header.as_bytes(), &message.as_bytes()[..256]);
    assert_eq!(route_header, local_header);
    assert_eq!(local.headers, route.headers);
}
