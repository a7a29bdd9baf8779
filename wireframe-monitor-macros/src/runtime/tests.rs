//! The lookup of the runtime crate in manifests as users write them, the
//! TOML reader under it, and the `crate = "…"` option end to end.

use quote::quote;

use super::{Found, find};
use crate::manifest::{Value, entries};

fn named(name: &str) -> Found {
    Found::Named(name.to_owned())
}

/// The lookup in a member's manifest, with no workspace root.
fn alone(text: &str) -> Found {
    find(text, |_| None)
}

#[test]
fn plain_and_renamed_dependencies() {
    let plain = "[dependencies]\nwireframe-monitor = \"0.1\"\n";
    assert_eq!(alone(plain), named("wireframe_monitor"));
    let renamed = r#"
        [package]
        name = "server"

        [dependencies]
        tokio = { version = "1", features = ["rt", "net"] }
        wm = { package = "wireframe-monitor", version = "0.1" }
    "#;
    assert_eq!(alone(renamed), named("wm"));
    let dashed = "[dependencies]\nmy-wm = { package = 'wireframe-monitor', path = \"../wm\" }\n";
    assert_eq!(alone(dashed), named("my_wm"));
}

#[test]
fn dotted_keys_sub_tables_and_target_tables() {
    let dotted = "[dependencies]\nwm.package = \"wireframe-monitor\"\nwm.version = \"0.1\"\n";
    assert_eq!(alone(dotted), named("wm"));
    let table = "[dependencies.wm]\nversion = \"0.1\"\npackage = \"wireframe-monitor\"\n";
    assert_eq!(alone(table), named("wm"));
    let target = r#"
        [target.'cfg(unix)'.dependencies]
        wm = { package = "wireframe-monitor" }
    "#;
    assert_eq!(alone(target), named("wm"));
    let target_table = "[target.\"cfg(unix)\".dependencies.wm]\npackage = \"wireframe-monitor\"\n";
    assert_eq!(alone(target_table), named("wm"));
}

#[test]
fn a_normal_dependency_wins_over_a_dev_dependency() {
    let dev_only = "[dev-dependencies]\nwm = { package = \"wireframe-monitor\" }\n";
    assert_eq!(alone(dev_only), named("wm"));
    let both = r#"
        [dev-dependencies]
        wm-dev = { package = "wireframe-monitor" }
        [dependencies]
        wm = { package = "wireframe-monitor" }
    "#;
    assert_eq!(alone(both), named("wm"));
}

#[test]
fn dependencies_inherited_from_the_workspace() {
    let member = "[package]\nname = \"server\"\n[dependencies]\nwm = { workspace = true }\n";
    let root = "[workspace]\nmembers = [\"server\"]\n\n[workspace.dependencies]\nwm = { package = \"wireframe-monitor\", version = \"0.1\" }\n";
    assert_eq!(find(member, |_| Some(root.to_owned())), named("wm"));
    let dotted = "[dependencies]\nwm.workspace = true\n";
    assert_eq!(find(dotted, |_| Some(root.to_owned())), named("wm"));
    let plain = "[dependencies]\nwireframe-monitor.workspace = true\n";
    let plain_root = "[workspace.dependencies]\nwireframe-monitor = \"0.1\"\n";
    assert_eq!(
        find(plain, |_| Some(plain_root.to_owned())),
        named("wireframe_monitor")
    );
    // `package.workspace` says where the root is.
    let pointed =
        "[package]\nname = \"s\"\nworkspace = \"../..\"\n[dependencies]\nwm.workspace = true\n";
    let seen = std::cell::RefCell::new(None);
    let found = find(pointed, |pointer| {
        *seen.borrow_mut() = pointer.map(str::to_owned);
        Some(root.to_owned())
    });
    assert_eq!(
        (found, seen.into_inner().as_deref()),
        (named("wm"), Some("../.."))
    );
    // The root is the package itself (trybuild's projects are such).
    let itself = format!("{root}\n[dependencies]\nwm = {{ workspace = true }}\n");
    assert_eq!(find(&itself, |_| None), named("wm"));
    // As trybuild writes its projects: sub-tables, the root in the same file.
    let generated = "[package]\nname = \"t\"\n\n[dependencies.wm]\nfeatures = [\"tower\"]\nworkspace = true\n\n[[bin]]\nname = \"t\"\n\n[workspace.dependencies.wm]\npath = \"/w\"\npackage = \"wireframe-monitor\"\n";
    assert_eq!(find(generated, |_| None), named("wm"));
    // A root that cannot be read: the default, not an error.
    assert_eq!(find(member, |_| None), Found::Unknown);
    // A direct rename needs no root.
    let direct =
        "[dependencies]\nserde.workspace = true\nwm = { package = \"wireframe-monitor\" }\n";
    assert_eq!(find(direct, |_| None), named("wm"));
}

#[test]
fn no_dependency_is_absent_and_the_runtime_itself_is_named() {
    let facade = "[package]\nname = \"server\"\n[dependencies]\nmy-facade = \"1\"\n[build-dependencies]\nwm = { package = \"wireframe-monitor\" }\n";
    assert_eq!(alone(facade), Found::Absent);
    assert_eq!(alone(""), Found::Absent);
    let runtime = "[package]\nname = \"wireframe-monitor\"\nversion = \"0.1.0\"\n";
    assert_eq!(alone(runtime), named("wireframe_monitor"));
    // Kept under its own name with another package: still that name.
    let fork = "[dependencies]\nwireframe-monitor = { package = \"wm-fork\" }\n";
    assert_eq!(alone(fork), named("wireframe_monitor"));
}

#[test]
fn what_the_reader_does_not_understand_is_the_default() {
    for text in [
        "[dependencies\nwm = 1\n",
        "[dependencies]\nwm = { package = \"wireframe-monitor\"\n",
        "[dependencies]\nwm = \"unterminated\n",
        "[dependencies]\nwm = \n",
        "[dependencies]\n= \"x\"\n",
        "[dependencies] wm = \"1\"\n",
    ] {
        assert_eq!(alone(text), Found::Unknown, "{text:?}");
    }
}

#[test]
fn the_reader_handles_the_toml_cargo_toml_files_use() {
    let text = r#"
# a comment
[package]
name = "x" # trailing comment
description = """
multi "line" \
  text"""
license = '''MIT'''
keywords = [
    "a", # comment in an array
    "b",
]
"quoted key" = "\u00e9\t"
date = 1979-05-27T07:32:00Z
ratio = 1.5

[[bin]]
name = "tool"

[dependencies]
wm = {
    package = "wireframe-monitor",
    features = ["a", { x = 1 }],
}
"#;
    let all = entries(text).expect("understood");
    let get = |path: &[&str]| {
        all.iter()
            .find(|(key, _)| key.iter().eq(path.iter()))
            .map(|(_, value)| value)
    };
    let text_of = |s: &str| Some(Value::Str(s.to_owned()));
    assert_eq!(get(&["package", "name"]), text_of("x").as_ref());
    assert_eq!(
        get(&["package", "description"]),
        text_of("multi \"line\" text").as_ref()
    );
    assert_eq!(get(&["package", "license"]), text_of("MIT").as_ref());
    assert_eq!(
        get(&["package", "quoted key"]),
        text_of("\u{e9}\t").as_ref()
    );
    assert_eq!(get(&["package", "keywords"]), Some(&Value::Other));
    assert_eq!(get(&["bin", "name"]), text_of("tool").as_ref());
    assert_eq!(
        get(&["dependencies", "wm", "package"]),
        text_of("wireframe-monitor").as_ref()
    );
    assert_eq!(alone(text), named("wm"));
}

#[test]
fn the_workspace_manifests_of_this_repository() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = std::fs::read_to_string(dir.join("../Cargo.toml")).expect("workspace manifest");
    for (member, expected) in [
        ("../ui-tests", named("wireframe_monitor")),
        ("../tests", named("wireframe_monitor")),
        ("../wireframe-monitor", named("wireframe_monitor")),
        (".", Found::Absent),
    ] {
        let text = std::fs::read_to_string(dir.join(member).join("Cargo.toml")).expect(member);
        assert_eq!(find(&text, |_| Some(root.clone())), expected, "{member}");
    }
}

fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    crate::expand::monitored_connection(args, item).to_string()
}

#[test]
fn the_crate_option_names_every_path_of_the_expansion() {
    let out = expand(
        quote!(crate = "my_facade::monitor"),
        quote!(
            async fn handle() -> ! {
                loop {}
            }
        ),
    );
    if cfg!(feature = "enabled") {
        assert!(
            out.contains("my_facade :: monitor :: __private :: Site"),
            "{out}"
        );
        assert!(
            out.contains("my_facade :: monitor :: __private :: Never"),
            "{out}"
        );
    } else {
        assert!(
            out.contains("let _ = my_facade :: monitor :: __private :: NoPeer"),
            "{out}"
        );
    }
    assert!(!out.contains("wireframe_monitor"), "{out}");
    let out = expand(
        quote!(crate = "::wm"),
        quote!(
            fn handle(a: u8) -> u8 {
                a
            }
        ),
    );
    assert!(out.contains(":: wm :: __private"), "{out}");
    assert!(!out.contains("wireframe_monitor"), "{out}");
}

#[test]
fn the_crate_option_is_checked_in_both_modes() {
    let out = expand(
        quote!(crate = "not a path"),
        quote!(
            fn handle() {}
        ),
    );
    assert!(out.contains("\\\"not a path\\\" is not a path"), "{out}");
    let out = expand(
        quote!(crate = wm),
        quote!(
            fn handle() {}
        ),
    );
    assert!(out.contains("write `crate = \\\"wm\\\"`"), "{out}");
    let out = expand(
        quote!(crate = "wm", crate = "wm"),
        quote!(
            fn handle() {}
        ),
    );
    assert!(out.contains("option `crate` is given twice"), "{out}");
    // This crate's own manifest has no dependency on the runtime.
    let out = expand(
        quote!(),
        quote!(
            fn handle() {}
        ),
    );
    assert!(
        out.contains("has no dependency on `wireframe-monitor`"),
        "{out}"
    );
}
