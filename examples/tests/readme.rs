//! The README shows the whole quickstart app, exactly as it is in `src/bin/quickstart.rs`.

#[test]
fn readme_shows_the_whole_quickstart() {
    let readme = include_str!("../../README.md");
    let app = include_str!("../src/bin/quickstart.rs").trim();
    assert!(
        readme.contains(&format!("```rust\n{app}\n```")),
        "README.md must show examples/src/bin/quickstart.rs verbatim in a ```rust block"
    );
}
