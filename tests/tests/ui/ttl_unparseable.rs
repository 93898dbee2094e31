use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(ttl = "1 hour", grant("lobby" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
}

fn main() {}
