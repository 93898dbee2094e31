//! The watcher against real files: a change made before it starts, a change while it runs, a
//! bad file, and SIGHUP.

use super::*;
use crate::key::Key;
use std::sync::Mutex;

const FIRST: &str = "appId.first:firstSecretValue";
const SECOND: &str = "appId.second:secondSecretValue";

/// A key file of its own for each test, in a fresh folder.
fn key_file(test: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ably-auth-watch-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keys");
    std::fs::write(&path, text).unwrap();
    path
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Every reload event, as `(trigger, Ok(signing key name) | Err(kept key name))`.
type Events = Arc<Mutex<Vec<(ReloadTrigger, Result<String, String>)>>>;

fn watch(ring: &KeyRing, path: &Path, poll: Option<Duration>) -> (KeyFileWatcher, Events) {
    let events = Events::default();
    let seen = events.clone();
    let watcher = KeyFileWatcher::new(ring.clone(), path)
        .poll_every(poll)
        .on_sighup(false)
        .on_reload(move |event| {
            let entry = match event {
                ReloadEvent::Reloaded { keys, trigger } => {
                    (*trigger, Ok(keys.signing().name().to_owned()))
                }
                ReloadEvent::Failed { kept, trigger, .. } => {
                    (*trigger, Err(kept.signing().name().to_owned()))
                }
            };
            seen.lock().unwrap().push(entry);
        });
    (watcher, events)
}

/// Starts the watcher on `rt`, as an app's `main` would.
fn start(rt: &tokio::runtime::Runtime, watcher: KeyFileWatcher) -> tokio::task::JoinHandle<()> {
    let _entered = rt.enter();
    watcher.spawn().unwrap()
}

fn signing(ring: &KeyRing) -> String {
    ring.signing_key().name().to_owned()
}

/// A ring loaded from a key file holding `loaded`, the file then changed to `now` (when
/// given), and a watcher (no polling, no SIGHUP) started on `rt`.
fn started_after(
    rt: &tokio::runtime::Runtime,
    test: &str,
    loaded: &str,
    now: Option<&str>,
) -> (KeyRing, Events) {
    let path = key_file(test, loaded);
    let ring = KeyRing::new(KeySet::from_file(&path).unwrap());
    if let Some(now) = now {
        std::fs::write(&path, now).unwrap();
    }
    let (watcher, events) = watch(&ring, &path, None);
    drop(start(rt, watcher));
    (ring, events)
}

/// Waits (up to 5 s) for the first reload event.
async fn first_event(events: &Events) {
    for _ in 0..500 {
        if !events.lock().unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[test]
fn a_change_before_the_watcher_starts_is_taken_when_it_starts() {
    let rt = runtime();
    let changed = format!("{SECOND}\n{FIRST}\n");
    let (ring, events) = started_after(&rt, "before", &format!("{FIRST}\n"), Some(&changed));
    assert_eq!(signing(&ring), "appId.second");
    assert_eq!(
        ring.current().keys(),
        [Key::parse(SECOND).unwrap(), Key::parse(FIRST).unwrap()]
    );
    assert_eq!(
        *events.lock().unwrap(),
        [(ReloadTrigger::FileChanged, Ok("appId.second".into()))]
    );
}

#[test]
fn an_unchanged_file_is_not_reloaded_when_the_watcher_starts() {
    let rt = runtime();
    let (ring, events) = started_after(&rt, "unchanged", &format!("{FIRST}\n{SECOND}\n"), None);
    assert_eq!(signing(&ring), "appId.first");
    assert!(events.lock().unwrap().is_empty());
    // Same name, another secret: a change.
    let other = "appId.first:anotherSecretValue";
    let (ring, events) = started_after(&rt, "secret", &format!("{FIRST}\n"), Some(other));
    assert_eq!(ring.signing_key(), Key::parse(other).unwrap());
    assert_eq!(events.lock().unwrap().len(), 1);
}

#[test]
fn a_file_broken_before_the_watcher_starts_keeps_the_keys_and_says_so() {
    let rt = runtime();
    let broken = Some("not a key\n");
    let (ring, events) = started_after(&rt, "broken", &format!("{FIRST}\n"), broken);
    assert_eq!(signing(&ring), "appId.first");
    assert_eq!(
        *events.lock().unwrap(),
        [(ReloadTrigger::FileChanged, Err("appId.first".into()))]
    );
}

#[test]
fn a_change_while_it_runs_is_seen_by_polling() {
    let path = key_file("polling", &format!("{FIRST}\n"));
    let ring = KeyRing::new(KeySet::from_file(&path).unwrap());
    let rt = runtime();
    let (watcher, events) = watch(&ring, &path, Some(Duration::from_millis(10)));
    rt.block_on(async {
        let _task = watcher.spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(events.lock().unwrap().is_empty(), "nothing changed yet");
        std::fs::write(&path, format!("{SECOND}\n")).unwrap();
        first_event(&events).await;
    });
    assert_eq!(signing(&ring), "appId.second");
    assert_eq!(
        *events.lock().unwrap(),
        [(ReloadTrigger::FileChanged, Ok("appId.second".into()))]
    );
}

/// A SIGHUP reloads, and the file it read counts as seen: the next polls do not reload it a
/// second time.
#[cfg(unix)]
#[test]
fn a_sighup_reloads_once() {
    let path = key_file("sighup", &format!("{FIRST}\n"));
    let ring = KeyRing::new(KeySet::from_file(&path).unwrap());
    let rt = runtime();
    let (watcher, events) = watch(&ring, &path, Some(Duration::from_millis(1500)));
    rt.block_on(async {
        // The interval's first tick is at once: let it pass before the file changes.
        let _task = watcher.on_sighup(true).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        std::fs::write(&path, format!("{SECOND}\n")).unwrap();
        let pid = std::process::id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        first_event(&events).await;
        // Two more polls of the same file.
        tokio::time::sleep(Duration::from_millis(3200)).await;
    });
    assert_eq!(signing(&ring), "appId.second");
    assert_eq!(
        *events.lock().unwrap(),
        [(ReloadTrigger::Signal, Ok("appId.second".into()))]
    );
}
