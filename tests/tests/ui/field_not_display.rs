use ably_auth::AblyIdentity;

struct Team {
    id: u32,
}

#[derive(AblyIdentity)]
#[ably(grant("team:{team}" => [subscribe]))]
struct User {
    #[ably(client_id)]
    id: String,
    team: Team,
}

fn main() {
    let _ = Team { id: 1 }.id;
}
