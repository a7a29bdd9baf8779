//! Source file paths as our outputs show them: relative to the crate that
//! holds the file, never an absolute path of the build machine; and the
//! `site` of a panic, its location as such a path and a line (the label of
//! `wireframe_handler_panic_sites_total`, one value per line of code, so
//! series stay bounded by the code).

/// The site of a panic at a location written `file:line:col` (as the panic
/// path keeps it): `crate_relative(file):line`, with `/` between folders
/// whatever the platform, so a site reads the same from every build; `None`
/// when the location does not read as such.
pub(crate) fn site(location: &str) -> Option<String> {
    let mut parts = location.rsplitn(3, ':');
    let _column = parts.next()?;
    let line: u32 = parts.next()?.parse().ok()?;
    let file = parts.next().filter(|f| !f.is_empty())?;
    Some(format!(
        "{}:{line}",
        crate_relative(file).replace('\\', "/")
    ))
}

/// `path` (as debug info or `file!()` gives it) relative to its crate:
///
/// - a file of the standard library, `/rustc/<hash>/library/std/src/…`,
///   becomes `std/src/…`;
/// - a file of a registry crate, `…/registry/src/<index>/tokio-1.47.0/src/…`,
///   keeps `tokio-1.47.0/src/…`, and one of a git checkout keeps what
///   follows `…/git/checkouts/`;
/// - any other file keeps what starts at its crate's last `src` folder
///   (`/home/me/app/src/conn.rs` → `src/conn.rs`), or else at its last
///   `examples`, `tests` or `benches` folder;
/// - an absolute path with none of these keeps its file name only, a
///   relative one stays as it is (without a leading `./`).
///
/// Both `/` and `\` separate folders.
pub(crate) fn crate_relative(path: &str) -> &str {
    let path = path
        .strip_prefix("./")
        .or_else(|| path.strip_prefix(".\\"))
        .unwrap_or(path);
    let segments = segments(path);
    let named = |name: &str| segments.iter().position(|&(_, s)| s == name);
    let rest = |i: usize| segments.get(i).map(|&(start, _)| &path[start..]);
    let found = |i: Option<usize>, skip: usize| i.and_then(|i| rest(i + skip));
    let last = |names: &[&str]| segments.iter().rposition(|&(_, s)| names.contains(&s));

    let std_library =
        named("rustc").filter(|&i| segments.get(i + 2).is_some_and(|s| s.1 == "library"));
    let registry = segments
        .windows(2)
        .position(|w| w[0].1 == "registry" && w[1].1 == "src");
    let checkout = segments
        .windows(2)
        .position(|w| w[0].1 == "git" && w[1].1 == "checkouts");
    found(std_library, 3)
        .or_else(|| found(registry, 3))
        .or_else(|| found(checkout, 2))
        .or_else(|| found(last(&["src"]), 0))
        .or_else(|| found(last(&["examples", "tests", "benches"]), 0))
        .unwrap_or_else(|| {
            if is_absolute(path) {
                segments.last().map_or(path, |&(_, name)| name)
            } else {
                path
            }
        })
}

/// Each folder or file name of `path` with the byte offset it starts at.
fn segments(path: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in path.char_indices().chain([(path.len(), '/')]) {
        if c == '/' || c == '\\' {
            if i > start {
                out.push((start, &path[start..i]));
            }
            start = i + 1;
        }
    }
    out
}

/// `/…`, `\…` or `C:…`.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with(['/', '\\'])
        || (bytes.len() > 1 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

#[cfg(test)]
mod tests {
    use super::{crate_relative, site};

    #[test]
    fn a_site_is_the_crate_relative_path_and_the_line() {
        let cases = [
            ("src/conn.rs:42:9", Some("src/conn.rs:42")),
            (
                "tests/tests/it/sites.rs:80:40",
                Some("tests/it/sites.rs:80"),
            ),
            (
                "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/time.rs:1201:1",
                Some("core/src/time.rs:1201"),
            ),
            (
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/md5-0.7.0/lib.rs:7:5",
                Some("md5-0.7.0/lib.rs:7"),
            ),
            (r"C:\Users\me\app\src\frame.rs:7:1", Some("src/frame.rs:7")),
            ("/home/alice/x.rs:3:1", Some("x.rs:3")),
            ("src/conn.rs", None),
            ("src/conn.rs:x:1", None),
            (":1:1", None),
        ];
        for (location, want) in cases {
            assert_eq!(site(location).as_deref(), want, "{location}");
        }
    }

    #[test]
    fn keeps_the_part_inside_the_crate() {
        let cases = [
            (
                "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/option.rs",
                "core/src/option.rs",
            ),
            (
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.54.1/src/runtime/task/harness.rs",
                "tokio-1.54.1/src/runtime/task/harness.rs",
            ),
            (
                "/home/me/.cargo/git/checkouts/wireframe-3f1a/ab12cd3/src/app.rs",
                "wireframe-3f1a/ab12cd3/src/app.rs",
            ),
            ("/home/me/src/app/src/conn.rs", "src/conn.rs"),
            ("./wireframe-example/examples/demo.rs", "examples/demo.rs"),
            (
                "wireframe-example/examples/demo/check.rs",
                "examples/demo/check.rs",
            ),
            ("/work/ws/tests/tests/it/logs.rs", "tests/it/logs.rs"),
            (
                "/work/app/src/handlers/tests/frame.rs",
                "src/handlers/tests/frame.rs",
            ),
            ("C:\\Users\\me\\app\\src\\main.rs", "src\\main.rs"),
            (
                "/work/target/debug/build/app-1f2e/out/generated.rs",
                "generated.rs",
            ),
            ("generated.rs", "generated.rs"),
            ("", ""),
        ];
        for (path, want) in cases {
            assert_eq!(crate_relative(path), want, "{path}");
        }
    }
}
