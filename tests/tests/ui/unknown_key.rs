use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(tll = "1h", grant("lobby" => [subscribe]))]
struct User {
    #[ably(clientid)]
    id: String,
}

fn main() {}
