use ably_auth::AblyIdentity;

struct UserId(u64);

#[derive(AblyIdentity)]
#[ably(grant("lobby" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: UserId,
}

fn main() {}
