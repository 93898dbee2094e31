use ably_auth::{AblyIdentity, Error, Key, Verifier};
use ably_auth_actix::{AblyRoutes, testing};
use actix_web::{App, HttpRequest, test};

#[derive(AblyIdentity)]
#[ably(grant("chat:*" => [subscribe, publish]), ttl = "1h")]
struct User {
    #[ably(client_id)]
    id: u64,
}

#[actix_web::test]
async fn signed_in_users_get_their_grant() {
    let key: Key = "appId.keyId:testSecret".parse().unwrap();
    let routes = AblyRoutes::<User>::new(key.clone())
        .bearer(|token: &str, _: &HttpRequest| -> Result<User, Error> {
            let id = token
                .parse()
                .map_err(|_| Error::Unauthorized("unknown token".into()))?;
            Ok(User { id })
        })
        .token_requests("/ably/token-request")
        .jwts("/ably/jwt");
    let app = test::init_service(App::new().service(routes)).await;
    let verifier = Verifier::new().with_key(key.clone());

    // A TokenRequest: typed, MACed with the key, and verified as Ably would.
    let request = test::TestRequest::get()
        .uri("/ably/token-request")
        .insert_header(("authorization", "Bearer 7"));
    let answer = testing::call(&app, request.to_request()).await;
    let token_request = answer.token_request();
    assert_eq!(token_request.client_id.as_deref(), Some("7"));
    assert!(token_request.mac_matches(&key));
    let granted = answer.verify(&verifier).unwrap();
    assert_eq!(
        granted.capability.to_json(),
        r#"{"chat:*":["publish","subscribe"]}"#
    );

    // A JWT, the same way.
    let request = test::TestRequest::get()
        .uri("/ably/jwt")
        .insert_header(("authorization", "Bearer 7"));
    let answer = testing::call(&app, request.to_request()).await;
    assert_eq!(
        answer
            .verify(&verifier)
            .unwrap()
            .client_id
            .unwrap()
            .as_str(),
        "7"
    );

    // An error: Ably's code, HTTP status and message.
    let request = test::TestRequest::get().uri("/ably/jwt");
    let answer = testing::call(&app, request.to_request()).await;
    let error = answer.error();
    assert_eq!((error.code, error.status_code), (40100, 401));
    assert!(error.message.contains("Authorization: Bearer"));
}
