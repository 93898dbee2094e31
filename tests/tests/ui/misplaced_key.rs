use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(client_id)]
struct User {
    #[ably(client_id, ttl = "1h")]
    id: String,
}

fn main() {}

#[derive(ably_auth::AblyRole)]
enum Role {
    #[ably(role, grant("lobby" => [subscribe]))]
    Viewer,
}
