//! The examples' Ably keys: `ABLY_API_KEY` (one key) or `ABLY_API_KEY_FILE` (one key per
//! line, the first signs, the others only verify), in a [`KeyRing`] that a key file keeps up to
//! date: reloaded on SIGHUP and when its content changes, with the new key *names* printed.

use ably_auth::keyring::{KeyFileWatcher, ReloadEvent, ReloadTrigger};
use ably_auth::{KeyRing, KeySet, KeySource};
use std::io;
use std::time::Duration;

/// `KEY_POLL_SECS`: how often a key file is checked for a change (default 2; 0 turns the
/// check off, leaving SIGHUP).
pub const KEY_POLL_ENV: &str = "KEY_POLL_SECS";

/// The keys the environment names, and where they came from; `None` when neither
/// `ABLY_API_KEY` nor `ABLY_API_KEY_FILE` is set. The error says what to change.
pub fn from_env() -> io::Result<Option<(KeyRing, KeySource)>> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
    let Some(source) = KeySource::from_env().map_err(|e| invalid(e.to_string()))? else {
        return Ok(None);
    };
    let keys = source.load().map_err(|e| invalid(e.to_string()))?;
    println!("Ably keys: {}", describe(&keys));
    Ok(Some((KeyRing::new(keys), source)))
}

/// For a key file, starts reloading it into `ring` on SIGHUP and every `KEY_POLL_SECS` when it
/// changed (on the current tokio runtime), printing what each reload did. Nothing to do for
/// `ABLY_API_KEY`.
pub fn watch(ring: &KeyRing, source: &KeySource) -> io::Result<()> {
    let Some(path) = source.path() else {
        return Ok(());
    };
    let poll = match std::env::var(KEY_POLL_ENV) {
        Err(_) => 2,
        Ok(text) => text.trim().parse::<u64>().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{KEY_POLL_ENV} must be a whole number of seconds (0: SIGHUP only), not {text:?}"),
            )
        })?,
    };
    KeyFileWatcher::new(ring.clone(), path)
        .poll_every(Some(Duration::from_secs(poll)))
        .on_reload(|event| match event {
            ReloadEvent::Reloaded { keys, trigger } => {
                println!(
                    "Ably keys reloaded ({}): {}",
                    cause(*trigger),
                    describe(keys)
                );
            }
            ReloadEvent::Failed {
                error,
                kept,
                trigger,
            } => {
                eprintln!(
                    "Ably keys not reloaded ({}), still signing with {}: {error}",
                    cause(*trigger),
                    kept.signing().name()
                );
            }
        })
        .spawn()?;
    println!(
        "reloading {} on SIGHUP{}",
        path.display(),
        if poll > 0 {
            format!(" and when it changes (checked every {poll} s)")
        } else {
            String::new()
        }
    );
    Ok(())
}

/// `signing with NAME; verify only: NAME, NAME` (names only, never a secret).
pub fn describe(keys: &KeySet) -> String {
    let verify: Vec<&str> = keys.verify_only().iter().map(|k| k.name()).collect();
    if verify.is_empty() {
        format!("signing with {}", keys.signing().name())
    } else {
        format!(
            "signing with {}; verify only: {}",
            keys.signing().name(),
            verify.join(", ")
        )
    }
}

fn cause(trigger: ReloadTrigger) -> &'static str {
    match trigger {
        ReloadTrigger::Signal => "SIGHUP",
        ReloadTrigger::FileChanged => "the file changed",
    }
}
