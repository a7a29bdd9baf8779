//! Runs the trybuild cases of `#[monitored_connection]`: every program in
//! `tests/ui/pass` must compile and run, every one in `tests/ui/fail` must
//! fail to compile with exactly the diagnostics in its `.stderr` file.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
