use ably_auth::{AblyIdentity, AblyRole};

#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: u64,
    org: String,
    #[ably(role)]
    plan: Plan,
}

#[derive(AblyRole)]
enum Plan {
    #[ably(grant("org:{org}:*" => [subscribe]))]
    Free,
    #[ably(grant("org:{orgg}:*" => [publish, presence]))]
    Pro,
}

fn main() {}
