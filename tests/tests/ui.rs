//! Compile-time behaviour of the derives: what compiles, and the exact errors for what
//! doesn't. Diagnostics text changes between compiler releases, so the snapshots are checked
//! on the toolchain they were written with only.

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "diagnostics snapshots are for stable 1.95"
)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui-pass/*.rs");
    t.compile_fail("tests/ui/*.rs");
}
