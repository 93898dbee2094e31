use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("public" => [subscribe]), grant("inbox:{client_id}" => [subscribe]))]
struct Visitor {
    #[ably(client_id)]
    id: std::option::Option<u32>,
}

fn main() {
    let grant = Visitor { id: None }.ably_grant().unwrap();
    assert!(grant.client_id.is_none());
    assert_eq!(grant.capability.to_json(), r#"{"public":["subscribe"]}"#);
}
