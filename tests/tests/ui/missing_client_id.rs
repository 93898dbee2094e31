use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("lobby" => [subscribe]))]
struct User {
    id: String,
}

fn main() {
    // The derive still implements the trait, so this line adds no error of its own.
    let _ = User { id: "a".into() }.ably_grant();
}
