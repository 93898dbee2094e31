// Every problem is reported in one go, and none of them causes a follow-on error.
use ably_auth::{AblyIdentity, AblyRole};

#[derive(AblyIdentity)]
#[ably(ttl = "forever")]
#[ably(grant("user:{client_id}" => [publish, subscrbe]), grant("[x]y" => ["*"]))]
struct User {
    #[ably(client_id)]
    id: String,
    #[ably(rol)]
    role: Role,
}

#[derive(AblyRole)]
enum Role {
    #[ably(grant("chat:*" => [], "team:{team}" => [history]), ttl = "0ms")]
    Viewer,
}

fn main() {
    let user = User { id: "a".into(), role: Role::Viewer };
    let _ = user.ably_grant();
    let _ = Role::Viewer.ably_rules();
}
