use ably_auth::AblyRole;

#[derive(AblyRole)]
enum Role {
    #[ably(grant("*" => [publish, "*"]))]
    Admin,
}

fn main() {}
