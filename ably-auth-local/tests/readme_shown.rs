//! The README's "Testing your policies" section shows `tests/readme_policy.rs` verbatim.

#[test]
fn the_readme_shows_the_policy_test() {
    let readme = include_str!("../../README.md");
    let shown = include_str!("readme_policy.rs").trim();
    assert!(
        readme.contains(&format!("```rust\n{shown}\n```")),
        "README.md must show ably-auth-local/tests/readme_policy.rs verbatim in a ```rust block"
    );
}
