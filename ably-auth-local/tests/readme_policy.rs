//! Testing a capability policy offline: a viewer may read the chat, not publish to it.

use ably_auth::{Capability, ClientId, JwtBuilder, Key, Operation::*};
use ably_auth_local::LocalAbly;
use actix_web::{App, test};

#[actix_web::test]
async fn a_viewer_reads_the_chat_but_cannot_publish() {
    let key: Key = "appId.keyId:keySecret".parse().unwrap();
    // The local Ably, in process: no network, no account.
    let ably =
        test::init_service(App::new().configure(LocalAbly::new(key.clone()).configure())).await;
    // What your policy grants a viewer (in an app: its `AblyIdentity`).
    let viewer = Capability::new()
        .grant("chat:*", [Subscribe, History])
        .unwrap();
    let jwt = JwtBuilder::new(&key)
        .client_id(ClientId::new("vera").unwrap())
        .capability(viewer)
        .sign()
        .unwrap();
    let with_jwt = |request: test::TestRequest| {
        request
            .insert_header(("authorization", format!("Bearer {jwt}")))
            .to_request()
    };

    let read = test::TestRequest::get().uri("/channels/chat:lobby/messages");
    let read = test::call_service(&ably, with_jwt(read)).await;
    assert_eq!(read.status(), 200);

    let publish = test::TestRequest::post()
        .uri("/channels/chat:lobby/messages")
        .set_json(serde_json::json!({"name": "greeting", "data": "hello"}));
    let publish = test::call_service(&ably, with_jwt(publish)).await;
    assert_eq!(publish.status(), 401);
    assert_eq!(publish.headers().get("x-ably-errorcode").unwrap(), "40160");
}
