use ably_auth::{AblyIdentity, AblyRole};

// A role enum with no variant, and one whose variants grant nothing: both derive.
#[derive(AblyRole)]
enum NoRoles {}

#[derive(AblyRole)]
enum Silent {
    Muted,
    Banned(String),
}

#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: Silent,
}

fn main() {
    fn rules<R: AblyRole>(_: Option<&R>) {}
    rules::<NoRoles>(None);
    assert!(Silent::Banned(String::new()).ably_rules().is_empty());
    // Nothing granted at all: refused rather than an empty capability.
    let err = User { id: "a".into(), role: Silent::Muted }.ably_grant().unwrap_err();
    assert_eq!(err.code(), 40300);
}
