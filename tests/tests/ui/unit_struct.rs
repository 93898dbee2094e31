use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
struct Nobody;

fn main() {}
