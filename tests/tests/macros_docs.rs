//! `ably-auth-macros` cannot run the example in its crate docs (`ably-auth`, which the example
//! uses, depends on it), so it shows the example of `ably_auth::AblyIdentity`, which runs there
//! as a doctest. This keeps the two the same.

/// The fenced Rust code blocks of the `//!` and `///` doc comments in `source`, each with the
/// info string after its opening fence and its lines without the comment marker.
fn doc_code_blocks(source: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in source.lines() {
        let line = line.trim_start();
        let Some(doc) = line
            .strip_prefix("//!")
            .or_else(|| line.strip_prefix("///"))
        else {
            continue;
        };
        let doc = doc.strip_prefix(' ').unwrap_or(doc);
        match (open.as_mut(), doc.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => blocks.push(open.take().unwrap()),
            (Some((_, code)), None) => {
                code.push_str(doc);
                code.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a doc code block is not closed");
    blocks
}

#[test]
fn macro_crate_example_is_a_doctest_of_ably_auth() {
    let shown = doc_code_blocks(include_str!("../../ably-auth-macros/src/lib.rs"));
    assert_eq!(
        shown.len(),
        1,
        "ably-auth-macros' docs should show one example, the one of ably_auth::AblyIdentity"
    );
    let (info, example) = &shown[0];
    assert!(
        info.is_empty() || info == "rust",
        "unexpected fence info {info:?}"
    );
    assert!(example.contains("#[derive(AblyIdentity)]"));

    let tested = doc_code_blocks(include_str!("../../ably-auth/src/lib.rs"));
    let runs = tested
        .iter()
        .any(|(info, code)| (info.is_empty() || info == "rust") && code == example);
    assert!(
        runs,
        "the example in ably-auth-macros/src/lib.rs is not a doctest of ably-auth/src/lib.rs: \
         copy the `#[derive(AblyIdentity)]` example of ably-auth/src/lib.rs into the macro \
         crate's docs again"
    );
}
