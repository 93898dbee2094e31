use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(ttl = "0s", grant("lobby" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
}

fn main() {}
