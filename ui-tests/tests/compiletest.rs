//! Runs the trybuild cases of `#[monitored_connection]`: every program in
//! `tests/ui/pass` must compile and run, every one in `tests/ui/fail` must
//! fail to compile with exactly the diagnostics in its `.stderr` file.
//!
//! trybuild does not compare the compiler output of pass cases, so each pass
//! case carries `#![deny(warnings…)]` (any diagnostic fails its build) and an
//! empty `.stderr` beside it recording the reviewed expectation: none.
//! [`pass_cases_expect_no_diagnostics`] keeps the two in step.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}

#[test]
fn pass_cases_expect_no_diagnostics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/pass");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).expect("read tests/ui/pass") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        cases += 1;
        let source = std::fs::read_to_string(&path).expect("read a pass case");
        assert!(
            source.contains("#![deny(warnings"),
            "{} must deny warnings, so that a diagnostic fails its build",
            path.display()
        );
        let stderr = std::fs::read_to_string(path.with_extension("stderr"))
            .unwrap_or_else(|_| panic!("{} has no .stderr beside it", path.display()));
        assert!(
            stderr.is_empty(),
            "{}: a pass case expects no diagnostics",
            path.display()
        );
    }
    assert!(cases >= 14, "only {cases} pass cases found");
}
