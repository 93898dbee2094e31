use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("team:{teem}" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
    team: u32,
}

fn main() {}
