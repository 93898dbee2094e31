use ably_auth::{AblyIdentity, AblyRole};

#[derive(AblyIdentity)]
#[ably(ttl = "1h")]
#[ably(grant("user:{client_id}" => [publish, subscribe, presence, history]))]
struct SessionUser {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: Role,
}

#[derive(AblyRole)]
enum Role {
    #[ably(grant("chat:*" => [subscribe, history]))]
    Viewer,
    #[ably(grant("*" => ["*"]), ttl = "15m")]
    Admin,
}

fn main() {
    let grant = SessionUser { id: "alice".into(), role: Role::Viewer }.ably_grant().unwrap();
    assert_eq!(grant.capability.len(), 2);
    let admin = SessionUser { id: "root".into(), role: Role::Admin }.ably_grant().unwrap();
    assert_eq!(admin.capability.to_json(), r#"{"*":["*"]}"#);
}
