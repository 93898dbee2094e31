use ably_auth::AblyRole;

#[derive(AblyRole)]
enum Role {
    #[ably(grant("push:*" => ["push_admin"]))]
    Operator,
    #[ably(grant("x" => [teleport]))]
    Wizard,
}

fn main() {}
