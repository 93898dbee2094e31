use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("lobby" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
    #[ably(client_id)]
    email: String,
}

fn main() {}
