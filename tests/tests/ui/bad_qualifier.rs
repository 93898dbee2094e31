use ably_auth::AblyRole;

#[derive(AblyRole)]
enum Role {
    #[ably(grant("[bogus]x" => [subscribe]))]
    Viewer,
    #[ably(grant("[queue]" => [subscribe]))]
    Worker,
}

fn main() {}
