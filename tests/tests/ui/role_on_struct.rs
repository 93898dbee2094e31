use ably_auth::{AblyIdentity, AblyRole};

#[derive(AblyRole)]
struct Role {
    admin: bool,
}

#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: Role,
}

fn main() {}
