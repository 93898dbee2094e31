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

#[test]
fn a_change_before_the_watcher_starts_is_taken_when_it_starts() {
    let path = key_file("before", &format!("{FIRST}\n"));
    let ring = KeyRing::new(KeySet::from_file(&path).unwrap());
    std::fs::write(&path, format!("{SECOND}\n{FIRST}\n")).unwrap();
    let rt = runtime();
    let (watcher, events) = watch(&ring, &path, None);
    let _task = start(&rt, watcher);
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
    let path = key_file("unchanged", &format!("{FIRST}\n{SECOND}\n"));
    let ring = KeyRing::new(KeySet::from_file(&path).unwrap());
    let rt = runtime();
    let (watcher, events) = watch(&ring, &path, None);
    let _task = start(&rt, watcher);
    assert_eq!(signing(&ring), "appId.first");
    assert!(events.lock().unwrap().is_empty());
    // Same names, another secret: a change.
    let path = key_file("secret", "appId.first:anotherSecretValue\n");
    let (watcher, events) = watch(&ring, &path, None);
    let _task = start(&rt, watcher);
    assert_eq!(
        ring.signing_key(),
        Key::parse("appId.first:anotherSecretValue").unwrap()
    );
    assert_eq!(events.lock().unwrap().len(), 1);
}

#[test]
fn a_file_broken_before_the_watcher_starts_keeps_the_keys_and_says_so() {
    let path = key_file("broken", &format!("{FIRST}\n"));
    let ring = KeyRing::new(KeySet::from_file(&path).unwrap());
    std::fs::write(&path, "not a key\n").unwrap();
    let rt = runtime();
    let (watcher, events) = watch(&ring, &path, None);
    let _task = start(&rt, watcher);
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
        for _ in 0..500 {
            if !events.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
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
        for _ in 0..100 {
            if !events.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Two more polls of the same file.
        tokio::time::sleep(Duration::from_millis(3200)).await;
    });
    assert_eq!(signing(&ring), "appId.second");
    assert_eq!(
        *events.lock().unwrap(),
        [(ReloadTrigger::Signal, Ok("appId.second".into()))]
    );
}
