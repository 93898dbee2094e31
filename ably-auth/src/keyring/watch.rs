//! Reloading a key file into a [`KeyRing`] on SIGHUP and when the file changes (feature
//! `reload`, on tokio).

use super::{KeyRing, KeySet, KeySource};
use crate::error::Error;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// What made a [`KeyFileWatcher`] reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReloadTrigger {
    /// The process received SIGHUP.
    Signal,
    /// The file's content changed since it was last read.
    FileChanged,
}

/// What a reload did, for [`KeyFileWatcher::on_reload`]. Neither variant holds a secret in its
/// `Debug` or `Display` output.
#[derive(Debug)]
pub enum ReloadEvent<'a> {
    /// The file loaded: these keys are now in use.
    Reloaded {
        /// The new set.
        keys: &'a KeySet,
        /// What made it reload.
        trigger: ReloadTrigger,
    },
    /// The file did not load: the previous keys stay in use.
    Failed {
        /// Why, and what to change.
        error: &'a Error,
        /// The set still in use.
        kept: &'a KeySet,
        /// What made it try.
        trigger: ReloadTrigger,
    },
}

type Callback = Arc<dyn Fn(&ReloadEvent<'_>) + Send + Sync>;

/// Keeps a [`KeyRing`] in step with a key file: it reloads the file on SIGHUP (Unix) and when
/// its content changes (checked every 2 seconds by default). A file that does not load (a
/// malformed line, no key, unreadable) leaves the previous keys in place, and the error is
/// logged and passed to [`on_reload`](KeyFileWatcher::on_reload); a reload logs the key
/// *names* only.
///
/// Logs go through `tracing` (target `ably_auth::keyring`): a reload at `info`, a failure at
/// `warn`.
///
/// ```no_run
/// use ably_auth::keyring::{KeyFileWatcher, KeyRing, KeySet};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let ring = KeyRing::new(KeySet::from_file("/etc/app/ably-keys")?);
/// KeyFileWatcher::new(ring.clone(), "/etc/app/ably-keys").spawn()?;
/// # Ok(()) }
/// ```
pub struct KeyFileWatcher {
    ring: KeyRing,
    path: PathBuf,
    poll: Option<Duration>,
    sighup: bool,
    on_reload: Option<Callback>,
}

impl KeyFileWatcher {
    /// Watches `path` for `ring`: on SIGHUP and every 2 seconds for a change.
    pub fn new(ring: KeyRing, path: impl Into<PathBuf>) -> KeyFileWatcher {
        KeyFileWatcher {
            ring,
            path: path.into(),
            poll: Some(Duration::from_secs(2)),
            sighup: true,
            on_reload: None,
        }
    }

    /// How often to look for a change of the file's content; `None` looks only on SIGHUP.
    pub fn poll_every(mut self, interval: Option<Duration>) -> KeyFileWatcher {
        self.poll = interval.filter(|i| !i.is_zero());
        self
    }

    /// Whether to reload on SIGHUP (default yes; ignored off Unix). While it is on, SIGHUP no
    /// longer ends the process.
    pub fn on_sighup(mut self, enabled: bool) -> KeyFileWatcher {
        self.sighup = enabled;
        self
    }

    /// Calls `f` after every reload and every failed one, besides logging it.
    pub fn on_reload(mut self, f: impl Fn(&ReloadEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_reload = Some(Arc::new(f));
        self
    }

    /// Starts watching on the current tokio runtime. The SIGHUP handler is in place when this
    /// returns, so a SIGHUP sent after it reloads. A file that no longer holds the ring's keys
    /// (changed since they were loaded) is reloaded before this returns, as a change would be.
    /// Fails when there is no runtime or the handler cannot be installed.
    pub fn spawn(self) -> std::io::Result<tokio::task::JoinHandle<()>> {
        let runtime = tokio::runtime::Handle::try_current().map_err(std::io::Error::other)?;
        #[cfg(unix)]
        let mut hangups = if self.sighup {
            let _entered = runtime.enter();
            Some(tokio::signal::unix::signal(
                tokio::signal::unix::SignalKind::hangup(),
            )?)
        } else {
            None
        };
        let mut poll = self.poll.map(|every| {
            let _entered = runtime.enter();
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            interval
        });
        let mut seen = digest(&self.path);
        // The ring was loaded before this call: a change made in between is taken now, since
        // `seen` already describes the changed file. Read after `seen`, so a later change
        // still differs from it.
        let current = self.ring.current();
        let loaded = KeySource::File(self.path.clone()).load();
        if !matches!(&loaded, Ok(keys) if keys.keys() == current.keys()) {
            self.reload(ReloadTrigger::FileChanged);
        }
        Ok(runtime.spawn(async move {
            loop {
                #[cfg(unix)]
                let hangup = async {
                    match hangups.as_mut() {
                        Some(signal) => signal.recv().await,
                        None => std::future::pending().await,
                    }
                };
                #[cfg(not(unix))]
                let hangup = std::future::pending::<Option<()>>();
                let tick = async {
                    match poll.as_mut() {
                        Some(interval) => interval.tick().await,
                        None => std::future::pending().await,
                    }
                };
                let trigger = tokio::select! {
                    Some(()) = hangup => ReloadTrigger::Signal,
                    _ = tick => {
                        let now = digest(&self.path);
                        if now == seen {
                            continue;
                        }
                        seen = now;
                        ReloadTrigger::FileChanged
                    }
                };
                if trigger == ReloadTrigger::Signal {
                    seen = digest(&self.path);
                }
                self.reload(trigger);
            }
        }))
    }

    /// Reloads now, as a SIGHUP would, logging and reporting the outcome.
    pub fn reload(&self, trigger: ReloadTrigger) {
        let source = KeySource::File(self.path.clone());
        match self.ring.reload(&source) {
            Ok(keys) => {
                tracing::info!(
                    target: "ably_auth::keyring",
                    signing = keys.signing().name(),
                    verify_only = ?keys.names()[1..],
                    ?trigger,
                    "Ably keys reloaded from {}",
                    self.path.display()
                );
                self.report(&ReloadEvent::Reloaded {
                    keys: &keys,
                    trigger,
                });
            }
            Err(error) => {
                let kept = self.ring.current();
                tracing::warn!(
                    target: "ably_auth::keyring",
                    signing = kept.signing().name(),
                    ?trigger,
                    "Ably keys not reloaded, the previous keys stay in use: {error}"
                );
                self.report(&ReloadEvent::Failed {
                    error: &error,
                    kept: &kept,
                    trigger,
                });
            }
        }
    }

    fn report(&self, event: &ReloadEvent<'_>) {
        if let Some(f) = &self.on_reload {
            f(event);
        }
    }
}

/// The SHA-256 of the file's bytes (`None` when unreadable): enough to notice a change without
/// keeping the secrets.
fn digest(path: &Path) -> Option<[u8; 32]> {
    let bytes = Zeroizing::new(std::fs::read(path).ok()?);
    Some(Sha256::digest(&*bytes).into())
}

#[cfg(test)]
mod tests;
