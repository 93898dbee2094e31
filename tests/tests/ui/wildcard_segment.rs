use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("chat*" => [subscribe]))]
#[ably(grant("user:{client_id}*" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
}

fn main() {}
