use ably_auth::AblyRole;

#[derive(AblyRole)]
enum Role {
    #[ably(grant("team:{team}" => [publish]))]
    Editor { team: u32 },
}

fn main() {}
