use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant(lobby => [subscribe]))]
#[ably(grant("chat" [subscribe]))]
#[ably(grant("room" => subscribe))]
#[ably(grant)]
struct User {
    #[ably(client_id)]
    id: String,
}

fn main() {}
