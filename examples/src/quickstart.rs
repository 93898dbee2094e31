//! The quickstart's plumbing: settings from the environment ([`Config`]), an in-memory
//! session store with timeouts and a cap ([`Sessions`]), its `/metrics` page
//! ([`metrics_route`]), and the checks that keep other sites
//! from driving it: a `Host` allowlist against DNS rebinding ([`check_host`]) and a
//! same-origin check on sign-in and sign-out ([`check_same_origin`]).

mod config;
mod guard;
mod metrics;
mod sessions;

pub use config::{Config, check_public_bind};
pub use guard::{AllowedHosts, check_host, check_same_origin};
pub use metrics::{PROMETHEUS_TEXT, SECONDS_BUCKETS, install_prometheus, metrics_route};
pub use sessions::{SessionSettings, Sessions};
