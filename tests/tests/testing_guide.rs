//! The README's "Testing your routes" example, compiled and run here; the README shows
//! `tests/tests/guide/testing.rs` verbatim.

#[path = "guide/testing.rs"]
mod guide;

#[test]
fn the_readme_shows_the_guide_verbatim() {
    let readme = include_str!("../../README.md");
    let guide = include_str!("guide/testing.rs").trim();
    assert!(
        readme.contains(&format!("```rust\n{guide}\n```")),
        "README.md must show tests/tests/guide/testing.rs verbatim in a ```rust block"
    );
}
