use ably_auth::AblyIdentity;

#[derive(AblyIdentity)]
#[ably(grant("team:{team}:{client_id}" => [publish]))]
#[ably(grant("org:{org}:*" => [subscribe]))]
#[ably(grant("[queue]{team}" => [subscribe]))]
#[ably(grant("literal{{braces}}" => [subscribe]))]
struct Member {
    #[ably(client_id)]
    email: String,
    team: u32,
    org: Option<String>,
    _private: Vec<u8>,
}

fn main() {
    let m = Member { email: "a@b".into(), team: 2, org: Some("x".into()), _private: vec![] };
    assert_eq!(
        m.ably_grant().unwrap().capability.to_json(),
        r#"{"[queue]2":["subscribe"],"literal{braces}":["subscribe"],"org:x:*":["subscribe"],"team:2:a@b":["publish"]}"#
    );
}
