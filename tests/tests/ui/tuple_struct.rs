use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
struct User(#[ably(client_id)] String);

fn main() {
    let _ = User("a".into()).ably_grant();
}
