use ably_auth::{AblyIdentity, AblyRole};

#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: u64,
    #[ably(role)]
    plan: Plan,
}

#[derive(AblyRole)]
enum Plan {
    #[ably(grant("plans:{plan}" => [subscribe]))]
    Free,
}

fn main() {}
