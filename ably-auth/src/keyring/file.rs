//! Where keys come from: `ABLY_API_KEY` (one key) or a key file named by `ABLY_API_KEY_FILE`
//! (one key per line; the format is in the [module docs](super#key-files)).

use super::KeySet;
use crate::error::{Error, Result};
use crate::key::{API_KEY_ENV, Key};
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The environment variable naming a key file ([`KeySource::from_env`]).
pub const API_KEY_FILE_ENV: &str = "ABLY_API_KEY_FILE";

/// The largest key file read: 64 KiB, hundreds of keys. A larger file is refused, not read.
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Where a server's keys come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `ABLY_API_KEY`: one key, which signs. The variable is read on every [`KeySource::load`],
    /// but a process's environment does not change from outside, so only a file reloads.
    Env,
    /// A key file: one key per line, the first signs, the others only verify.
    File(PathBuf),
}

impl KeySource {
    /// The source the environment names: `ABLY_API_KEY_FILE` (a path) or `ABLY_API_KEY` (a
    /// key); `None` when neither is set. Both set, or an empty `ABLY_API_KEY_FILE`, is
    /// refused (40106): the server would not know which keys to use.
    pub fn from_env() -> Result<Option<KeySource>> {
        let file = std::env::var_os(API_KEY_FILE_ENV);
        let key = std::env::var_os(API_KEY_ENV).is_some();
        match (file, key) {
            (Some(_), true) => Err(Error::NoKey(format!(
                "both {API_KEY_ENV} and {API_KEY_FILE_ENV} are set; unset one (the file can hold several keys, {API_KEY_ENV} only one)"
            ))),
            (Some(path), false) if path.is_empty() => Err(Error::NoKey(format!(
                "{API_KEY_FILE_ENV} is empty; set it to the path of a file with one Ably key per line, or unset it"
            ))),
            (Some(path), false) => Ok(Some(KeySource::File(path.into()))),
            (None, true) => Ok(Some(KeySource::Env)),
            (None, false) => Ok(None),
        }
    }

    /// Reads the keys now.
    pub fn load(&self) -> Result<KeySet> {
        match self {
            KeySource::Env => Key::from_env().map(KeySet::new),
            KeySource::File(path) => KeySet::from_file(path),
        }
    }

    /// The key file, for a [`KeySource::File`].
    pub fn path(&self) -> Option<&Path> {
        match self {
            KeySource::Env => None,
            KeySource::File(path) => Some(path),
        }
    }
}

impl KeySet {
    /// Reads a key file (format in the [module docs](super#key-files)). Errors name the file
    /// and line and say what to change; none contains a secret. The bytes read are zeroized.
    pub fn from_file(path: impl AsRef<Path>) -> Result<KeySet> {
        let path = path.as_ref();
        let text = read_key_file(path)?;
        KeySet::parse(&text).map_err(|err| match err {
            Error::NoKey(message) => {
                Error::NoKey(format!("key file {}: {message}", path.display()))
            }
            Error::InvalidKey(message) => {
                Error::InvalidKey(format!("key file {}: {message}", path.display()))
            }
            other => other,
        })
    }

    /// Parses the text of a key file: one key per line, the first signs. Blank lines, lines
    /// starting with `#` and spaces or tabs around a key are ignored.
    ///
    /// ```
    /// use ably_auth::KeySet;
    ///
    /// let keys = KeySet::parse("# signs\nappId.new:newSecret\n\n# verifies only\nappId.old:oldSecret\n")?;
    /// assert_eq!(keys.names(), ["appId.new", "appId.old"]);
    /// let err = KeySet::parse("appId.new:newSecret\nappId.old\n").unwrap_err();
    /// assert!(err.to_string().contains("line 2"), "{err}");
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<KeySet> {
        let mut keys: Option<KeySet> = None;
        for (index, line) in text.split('\n').enumerate() {
            let line = line
                .strip_suffix('\r')
                .unwrap_or(line)
                .trim_matches([' ', '\t']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line_no = index + 1;
            let key = Key::parse(line).map_err(|err| {
                let message = match err {
                    Error::InvalidKey(message) => message,
                    other => other.to_string(),
                };
                Error::InvalidKey(format!(
                    "line {line_no}: {message} (one key `appId.keyId:secret` per line; `#` starts a comment)"
                ))
            })?;
            keys = Some(match keys {
                None => KeySet::new(key),
                Some(set) => set.with_verify_only(key).map_err(|err| match err {
                    Error::InvalidKey(message) => {
                        Error::InvalidKey(format!("line {line_no}: {message}"))
                    }
                    other => other,
                })?,
            });
        }
        keys.ok_or_else(|| {
            Error::NoKey(
                "no key found; write one key `appId.keyId:secret` per line, the signing key first"
                    .into(),
            )
        })
    }
}

/// The file's text, at most [`MAX_KEY_FILE_BYTES`], in memory that is zeroized when dropped.
fn read_key_file(path: &Path) -> Result<Zeroizing<String>> {
    let unreadable = |err: std::io::Error| {
        Error::NoKey(format!(
            "cannot read the key file {}: {err}; check {API_KEY_FILE_ENV} and the file's permissions",
            path.display()
        ))
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(Error::InvalidKey(format!(
            "key file {}: larger than {MAX_KEY_FILE_BYTES} bytes; is {API_KEY_FILE_ENV} the path of the key file?",
            path.display()
        )));
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(err) => Err(Error::InvalidKey(format!(
            "key file {}: not UTF-8 text (byte {}); write one key `appId.keyId:secret` per line",
            path.display(),
            err.valid_up_to()
        ))),
    }
}
