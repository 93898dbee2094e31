use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
enum User {
    Guest,
}

fn main() {}
