//! A team app: the plan decides what a user may do on their organization's channels, and a
//! suspended user (no plan) gets nothing.
use ably_auth::{AblyIdentity, AblyRole};
use std::time::Duration;

#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: u64,
    org: String,
    /// `None` while the account is suspended.
    #[ably(role)]
    plan: Option<Plan>,
}

#[derive(AblyRole)]
enum Plan {
    #[ably(grant("org:{org}:*" => [subscribe, history], "user:{id}" => [publish]), ttl = "10m")]
    Free,
    #[ably(grant("org:{org}:*" => [subscribe, history, publish, presence]))]
    #[ably(grant("user:{id}" => [publish]), ttl = "1h")]
    Pro,
    #[ably(grant("[*]*" => ["*"]), ttl = "15m")]
    Staff,
}

fn main() {
    let user = |plan| User { id: 7, org: "acme".into(), plan };
    let pro = user(Some(Plan::Pro)).ably_grant().unwrap();
    assert_eq!(
        pro.capability.to_json(),
        r#"{"org:acme:*":["history","presence","publish","subscribe"],"user:7":["publish"]}"#
    );
    assert_eq!(pro.ttl, Duration::from_secs(3600));
    let free = user(Some(Plan::Free)).ably_grant().unwrap();
    assert_eq!(free.capability.to_json(), r#"{"org:acme:*":["history","subscribe"],"user:7":["publish"]}"#);
    assert_eq!(free.ttl, Duration::from_secs(600));
    assert_eq!(user(Some(Plan::Staff)).ably_grant().unwrap().ttl, Duration::from_secs(900));
    assert_eq!(user(None).ably_grant().unwrap_err().code(), 40300);
}
