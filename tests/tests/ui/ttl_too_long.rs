use ably_auth::AblyRole;

#[derive(AblyRole)]
enum Role {
    #[ably(grant("lobby" => [subscribe]), ttl = "25h")]
    Viewer,
}

fn main() {}
