use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(ttl = 3600, grant("lobby" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
}

fn main() {}
