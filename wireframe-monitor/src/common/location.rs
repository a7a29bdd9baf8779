//! The `site` of a panic: its location as `path:line` relative to the crate
//! (or workspace) it is in, never an absolute path of the build machine.
//!
//! `Location::file()` is whatever path rustc was given, so the rules follow
//! what cargo and rustup give it (separators read as `/`):
//! - a relative path is a crate of the user's workspace (cargo gives rustc
//!   paths relative to the workspace root): kept as it is, `src/conn.rs` in
//!   a one-crate project, `server/src/conn.rs` in a workspace member, the
//!   same text as in the panic's stderr report;
//! - `…/registry/src/<index>/tokio-1.38.0/src/…` (a crates.io dependency):
//!   from the crate's folder on, `tokio-1.38.0/src/…`;
//! - `…/git/checkouts/<repo>-<hash>/<rev>/…` (a git dependency): from the
//!   checkout on, `<repo>-<hash>/<rev>/…`;
//! - `/rustc/<commit>/library/core/src/…` (the standard library): from the
//!   library's crate on, `core/src/…`;
//! - any other absolute path (a path dependency outside the workspace, a
//!   vendored crate, a remapped prefix) or one that climbs out with `..`:
//!   from the folder above its last `src`, `tests`, `examples` or `benches`
//!   on (`mycrate/src/lib.rs`), else the file name alone.

/// Folders whose parent is a crate's root, for the last rule.
const CRATE_FOLDERS: [&str; 4] = ["src", "tests", "examples", "benches"];

/// The site of a location written `file:line:col` (as the panic path keeps
/// it): `path:line`, or `None` when it does not read as such.
pub(crate) fn site(location: &str) -> Option<String> {
    let mut parts = location.rsplitn(3, ':');
    let _column = parts.next()?;
    let line: u32 = parts.next()?.parse().ok()?;
    let file = parts.next().filter(|f| !f.is_empty())?;
    Some(format!("{}:{line}", relative(file)))
}

/// `file` relative to its crate or workspace (see the module docs).
pub(crate) fn relative(file: &str) -> String {
    let file = file.replace('\\', "/");
    if let Some(rest) = after_marker(&file, "/registry/src/") {
        // `<index>/<crate>-<version>/…`: drop the index folder.
        if let Some((_index, path)) = rest.split_once('/') {
            return path.to_owned();
        }
    }
    if let Some(rest) = after_marker(&file, "/git/checkouts/") {
        return rest.to_owned();
    }
    if let Some(rest) = file.strip_prefix("/rustc/") {
        // `<commit>/library/<crate>/…`, or `<commit>/<…>` in older layouts.
        if let Some((_commit, path)) = rest.split_once('/') {
            return path.strip_prefix("library/").unwrap_or(path).to_owned();
        }
    }
    let climbs = file.split('/').any(|c| c == "..");
    if !is_absolute(&file) && !climbs {
        return file.strip_prefix("./").unwrap_or(&file).to_owned();
    }
    let components: Vec<&str> = file.split('/').filter(|c| !c.is_empty()).collect();
    let root = components
        .iter()
        .rposition(|c| CRATE_FOLDERS.contains(c))
        .filter(|&at| at > 0 && components[at - 1] != "..")
        .map(|at| at - 1);
    match root {
        Some(root) => components[root..].join("/"),
        None => components.last().copied().unwrap_or("").to_owned(),
    }
}

/// What follows the first `marker` in `file`, if it is there.
fn after_marker<'a>(file: &'a str, marker: &str) -> Option<&'a str> {
    file.find(marker).map(|at| &file[at + marker.len()..])
}

/// `/…`, `//server/…`, or a drive such as `C:/…` (separators already `/`).
fn is_absolute(file: &str) -> bool {
    let bytes = file.as_bytes();
    file.starts_with('/')
        || (bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":/")
}

#[cfg(test)]
mod tests {
    use super::{relative, site};

    #[test]
    fn workspace_paths_stay_as_cargo_gave_them() {
        assert_eq!(relative("src/conn.rs"), "src/conn.rs");
        assert_eq!(relative("server/src/conn.rs"), "server/src/conn.rs");
        assert_eq!(relative("./src/conn.rs"), "src/conn.rs");
        assert_eq!(relative("server\\src\\conn.rs"), "server/src/conn.rs");
    }

    #[test]
    fn registry_dependencies_start_at_the_crate_folder() {
        let file = "/home/ci/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.38.0/src/runtime/task/harness.rs";
        assert_eq!(relative(file), "tokio-1.38.0/src/runtime/task/harness.rs");
        let windows = r"C:\Users\ci\.cargo\registry\src\index.crates.io-6f17d22bba15001f\serde_json-1.0.1\src\value\index.rs";
        assert_eq!(relative(windows), "serde_json-1.0.1/src/value/index.rs");
        // Not under `src/`, or with a `src` of its own further down.
        let root = "/home/ci/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/md5-0.7.0/lib.rs";
        assert_eq!(relative(root), "md5-0.7.0/lib.rs");
        let nested =
            "/c/registry/src/index/cargo-0.80.0/src/cargo/sources/registry/src/download.rs";
        assert_eq!(
            relative(nested),
            "cargo-0.80.0/src/cargo/sources/registry/src/download.rs"
        );
    }

    #[test]
    fn git_dependencies_start_at_the_checkout() {
        let file = "/home/ci/.cargo/git/checkouts/wireframe-0f3c1e2a9b8d7c6e/1a2b3c4/src/app.rs";
        assert_eq!(
            relative(file),
            "wireframe-0f3c1e2a9b8d7c6e/1a2b3c4/src/app.rs"
        );
        let root = "/home/ci/.cargo/git/checkouts/proto-0f3c1e2a9b8d7c6e/1a2b3c4/frame.rs";
        assert_eq!(relative(root), "proto-0f3c1e2a9b8d7c6e/1a2b3c4/frame.rs");
    }

    #[test]
    fn the_standard_library_starts_at_its_crate() {
        let file = "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/time.rs";
        assert_eq!(relative(file), "core/src/time.rs");
        assert_eq!(
            relative("/rustc/abc/src/libcore/option.rs"),
            "src/libcore/option.rs"
        );
    }

    #[test]
    fn other_absolute_paths_keep_the_crate_folder_only() {
        assert_eq!(
            relative("/home/alice/work/proto/src/frame.rs"),
            "proto/src/frame.rs"
        );
        assert_eq!(
            relative("/home/alice/src/proto/src/frame.rs"),
            "proto/src/frame.rs",
            "the last `src` is the crate's"
        );
        assert_eq!(
            relative("/build/vendor/bytes/tests/t.rs"),
            "bytes/tests/t.rs"
        );
        assert_eq!(relative("D:/a/proto/benches/b.rs"), "proto/benches/b.rs");
        assert_eq!(
            relative("/work/target/debug/build/x-123/out/generated.rs"),
            "generated.rs"
        );
        assert_eq!(relative("/src/main.rs"), "main.rs");
        assert_eq!(relative("../proto/src/frame.rs"), "proto/src/frame.rs");
        assert_eq!(relative("../../src/frame.rs"), "frame.rs");
    }

    #[test]
    fn never_an_absolute_path() {
        for file in [
            "/home/alice/x.rs",
            "/",
            "C:/Users/alice/x.rs",
            "//server/share/x.rs",
            "/home/alice/.cargo/registry/src/index",
            "/rustc/",
        ] {
            let site = relative(file);
            assert!(
                !site.starts_with('/') && !site.contains(":/"),
                "{file} -> {site}"
            );
            assert!(!site.contains("alice"), "{file} -> {site}");
        }
    }

    #[test]
    fn a_location_becomes_path_and_line() {
        assert_eq!(site("src/conn.rs:42:9").as_deref(), Some("src/conn.rs:42"));
        assert_eq!(
            site(r"C:\a\proto\src\frame.rs:7:1").as_deref(),
            Some("proto/src/frame.rs:7")
        );
        assert_eq!(site("src/conn.rs"), None);
        assert_eq!(site("src/conn.rs:x:1"), None);
        assert_eq!(site(":1:1"), None);
    }
}
