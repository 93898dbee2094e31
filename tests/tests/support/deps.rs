//! What the interop and browser tests need from outside Rust, installed on first use:
//! the npm packages of `tests/interop` (ably-js, playwright-core), a Python venv with
//! ably-python, and Debian's Chromium. A missing Node, Python or package manager fails the
//! test with a message; nothing is skipped.

use super::interop_dir;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The cargo target directory this test runs from (`target/debug` or `target/release`).
pub fn target_profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .to_path_buf()
}

fn run(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start {command:?}: {e}; is it installed?"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A venv (under the target directory) with `tests/interop/requirements.txt` installed;
/// returns its Python.
pub fn python() -> PathBuf {
    static DONE: OnceLock<PathBuf> = OnceLock::new();
    DONE.get_or_init(|| {
        let venv = target_profile_dir().join("../interop-venv");
        let python = venv.join("bin/python");
        let requirements = interop_dir().join("requirements.txt");
        let marker = venv.join("installed-requirements.txt");
        let wanted = std::fs::read_to_string(&requirements).expect("requirements.txt");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
            run(
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
                "python3 -m venv (Python 3 is required by the interop tests)",
            );
            run(
                Command::new(&python)
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "-r",
                    ])
                    .arg(&requirements),
                "pip install -r tests/interop/requirements.txt",
            );
            std::fs::write(&marker, wanted).expect("write the venv marker");
        }
        python
    })
    .clone()
}

/// Debian's Chromium, installed with apt-get when missing.
pub fn chromium() -> PathBuf {
    static DONE: OnceLock<PathBuf> = OnceLock::new();
    DONE.get_or_init(|| {
        let path = PathBuf::from("/usr/bin/chromium");
        if !path.exists() {
            run(
                Command::new("apt-get").arg("update").arg("-qq"),
                "apt-get update (for chromium)",
            );
            run(
                Command::new("apt-get")
                    .args([
                        "install",
                        "-y",
                        "-qq",
                        "--no-install-recommends",
                        "chromium",
                    ])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
                "apt-get install chromium",
            );
        }
        path
    })
    .clone()
}

/// The last stdout line of a command, parsed as JSON.
pub fn json_output(command: &mut Command, what: &str) -> Value {
    let output = run(command, what);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "{what}: expected JSON on stdout ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Runs `node tests/interop/<script> args...` and parses its JSON output (a blocking
/// counterpart of [`super::node`], for tests without a runtime).
pub fn node_script(script: &str, args: &[&str]) -> Value {
    let dir = super::npm_ready();
    json_output(
        Command::new("node").arg(script).args(args).current_dir(dir),
        script,
    )
}

/// Runs `python tests/interop/<script> args...` in the venv and parses its JSON output.
pub fn python_script(script: &str, args: &[&str]) -> Value {
    let python = python();
    json_output(
        Command::new(python)
            .arg(script)
            .args(args)
            .current_dir(interop_dir()),
        script,
    )
}

/// Debian's `redis-server`, installed with apt-get when it is not on `PATH`; returns the
/// command to run. Panics (the test fails) when it cannot be installed.
pub fn redis_server() -> PathBuf {
    static DONE: OnceLock<PathBuf> = OnceLock::new();
    DONE.get_or_init(|| {
        let found = || {
            Command::new("redis-server")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !found() {
            run(
                Command::new("apt-get").arg("update").arg("-qq"),
                "apt-get update (for redis-server)",
            );
            run(
                Command::new("apt-get")
                    .args([
                        "install",
                        "-y",
                        "-qq",
                        "--no-install-recommends",
                        "redis-server",
                    ])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
                "apt-get install redis-server",
            );
            assert!(found(), "redis-server is not on PATH after apt-get install");
        }
        PathBuf::from("redis-server")
    })
    .clone()
}

/// `cargo`, without the variables cargo sets for a running test (`CARGO_MANIFEST_DIR`,
/// `CARGO_PKG_*`, ...): some build scripts (ring's) rebuild when those change, so a build
/// started from a test would otherwise undo, and redo, the builds started from a shell.
pub fn cargo() -> Command {
    let mut command = Command::new(env!("CARGO"));
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let set_for_tests = name.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
            ]
            .contains(&name);
        if set_for_tests {
            command.env_remove(name);
        }
    }
    command
}
