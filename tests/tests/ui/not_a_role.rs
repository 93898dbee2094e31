use ably_auth::AblyIdentity;

enum Role {
    Viewer,
}

#[derive(AblyIdentity)]
#[ably(grant("lobby" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: Role,
}

fn main() {
    let _ = Role::Viewer;
}
