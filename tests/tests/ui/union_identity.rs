use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
union User {
    id: u64,
}

fn main() {}
