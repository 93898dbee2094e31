//! `Key::parse` on arbitrary text: never panics, accepts only `name:secret` with the documented
//! rules, and its error messages do not depend on the secret's content.
#![no_main]

use ably_auth::Key;
use libfuzzer_sys::fuzz_target;

/// The secret with every character that matters to parsing kept and every other one changed.
fn disguise(secret: &str) -> String {
    secret
        .chars()
        .map(|c| match c {
            ':' | '.' => c,
            c if c.is_whitespace() || c.is_control() => c,
            'Q' => 'R',
            _ => 'Q',
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Key::parse(text) {
        Ok(key) => {
            assert_eq!(format!("{}:{}", key.name(), key.secret()), text);
            assert!(!key.name().is_empty() && !key.secret().is_empty());
            assert!(!key.secret().contains([':', '.']));
            assert!(!text.chars().any(|c| c.is_whitespace() || c.is_control()));
            let debug = format!("{key:?} {key:#?} {key}");
            let in_name = key.name().contains(key.secret())
                || format!("{:?}", key.name()).contains(key.secret());
            if !in_name && key.secret().len() >= 11 {
                assert!(!debug.contains(key.secret()), "{debug}");
            }
        }
        Err(err) => {
            assert_eq!(err.code(), 40101);
            if let Some((name, secret)) = text.split_once(':') {
                let other = Key::parse(&format!("{name}:{}", disguise(secret))).unwrap_err();
                assert_eq!(
                    err.to_string(),
                    other.to_string(),
                    "the message depends on the secret"
                );
                assert_eq!(format!("{err:?}"), format!("{other:?}"));
            }
        }
    }
});
