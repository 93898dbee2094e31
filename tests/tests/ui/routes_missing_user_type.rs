//! The builder without its user type.
use ably_auth::{AblyIdentity, Key};
use ably_auth_actix::AblyRoutes;
use actix_web::App;

#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: u64,
}

fn main() {
    let key: Key = "appId.keyId:secret".parse().unwrap();
    let routes = AblyRoutes::new(key).token_requests("/ably/token-request");
    let _app = App::new().service(routes);
}
