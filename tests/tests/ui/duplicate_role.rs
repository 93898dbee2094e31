use ably_auth::{AblyIdentity, AblyRole};

#[derive(AblyRole)]
enum Role {
    #[ably(grant("lobby" => [subscribe]))]
    Viewer,
}

#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: Role,
    #[ably(role)]
    previous_role: Role,
}

fn main() {}
