use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
}

fn main() {}
