use ably_auth::{AblyIdentity, AblyRole};
use std::fmt::Display;

#[derive(AblyIdentity)]
#[ably(grant("user:{client_id}" => [subscribe]))]
struct User<Id: Display, R: AblyRole> {
    #[ably(client_id)]
    id: Id,
    #[ably(role)]
    role: R,
}

// Bounds the derive needs are inferred when they are not written.
#[derive(AblyIdentity)]
#[ably(grant("org:{org}" => [subscribe]))]
struct Loose<'a, Id, Org>
where
    Org: Clone,
{
    #[ably(client_id)]
    id: Option<Id>,
    org: &'a Org,
}

#[derive(AblyRole)]
enum Role<T: Copy> {
    #[ably(grant("chat:*" => [subscribe]))]
    Viewer(T),
}

fn main() {
    let grant = User { id: 3u8, role: Role::Viewer(()) }.ably_grant().unwrap();
    assert_eq!(grant.capability.len(), 2);
    let org = String::from("acme");
    let loose = Loose::<u8, String> { id: None, org: &org }.ably_grant().unwrap();
    assert_eq!(loose.capability.to_json(), r#"{"org:acme":["subscribe"]}"#);
}
