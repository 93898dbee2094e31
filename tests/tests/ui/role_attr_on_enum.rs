use ably_auth::AblyRole;

#[derive(AblyRole)]
#[ably(grant("lobby" => [subscribe]))]
enum Role {
    Viewer {
        #[ably(client_id)]
        id: String,
    },
}

fn main() {}
