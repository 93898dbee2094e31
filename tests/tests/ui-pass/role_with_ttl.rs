use ably_auth::{AblyIdentity, AblyRole};
use std::time::Duration;

#[derive(AblyRole)]
enum Role {
    #[ably(grant("chat:*" => [subscribe]))]
    #[ably(ttl = "1h30m")]
    Long,
    #[ably(grant("chat:*" => [subscribe]), ttl = "500ms")]
    Short,
    Editor { team: u32 },
}

#[derive(AblyIdentity)]
#[ably(ttl = "90s", grant("user:{client_id}" => [publish]))]
struct User {
    #[ably(client_id)]
    id: u64,
    #[ably(role)]
    role: Role,
}

fn main() {
    let ttl = |role| User { id: 1, role }.ably_grant().unwrap().ttl;
    assert_eq!(ttl(Role::Long), Duration::from_secs(5400));
    assert_eq!(ttl(Role::Short), Duration::from_millis(500));
    assert_eq!(ttl(Role::Editor { team: 1 }), Duration::from_secs(90));
}
