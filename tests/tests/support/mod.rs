//! Shared by the workspace-level tests.
#![allow(dead_code)]

pub mod deps;
pub mod quickstart;
