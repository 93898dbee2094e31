use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("user:{client_id" => [subscribe]))]
#[ably(grant("room:{}" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
}

fn main() {}
