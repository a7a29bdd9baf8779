//! The path by which the expansion names the runtime crate: `crate =
//! "…"` as written; else the name under which the package's `Cargo.toml`
//! depends on the `wireframe-monitor` package (a renamed dependency is
//! found on its own, also through `[workspace.dependencies]`); else
//! `::wireframe_monitor`. A manifest that is read and has no such
//! dependency (the attribute is reached through a facade crate) is one
//! error on the attribute that names the option, instead of one error per
//! path the expansion writes. A manifest that cannot be found or read
//! (a build without Cargo) means the default.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::Ident;

use crate::args::Args;
use crate::manifest::{self, Value};

/// The package whose name the lookup searches for.
const PACKAGE: &str = "wireframe-monitor";

/// What the manifest says about the runtime crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// A dependency under this name (as Rust spells it: `_`, not `-`).
    Named(String),
    /// The manifest has no dependency on the package.
    Absent,
    /// No manifest, or one this lookup cannot read: use the default.
    Unknown,
}

/// The path of the runtime crate, or the error that the manifest has no
/// dependency on it.
pub(crate) fn path(args: &Args) -> syn::Result<TokenStream> {
    if let Some(krate) = &args.krate {
        return Ok(krate.to_token_stream());
    }
    match lookup() {
        Found::Named(name) => match syn::parse_str::<Ident>(&name) {
            Ok(_) => {
                let name = Ident::new(&name, Span::call_site());
                Ok(quote!(::#name))
            }
            Err(_) => Ok(default()),
        },
        Found::Unknown => Ok(default()),
        Found::Absent => Err(syn::Error::new(
            Span::call_site(),
            "this package's Cargo.toml has no dependency on `wireframe-monitor`, so #[monitored_connection] cannot name it; \
             write the path through which this crate reaches it, for example `#[monitored_connection(crate = \"my_facade::monitor\")]`",
        )),
    }
}

fn default() -> TokenStream {
    quote!(::wireframe_monitor)
}

/// A file a lookup read, as it was then.
#[derive(PartialEq, Eq)]
struct Stamp {
    path: PathBuf,
    modified: Option<SystemTime>,
    len: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let metadata = fs::metadata(path).ok()?;
        Some(Self {
            path: path.to_owned(),
            modified: metadata.modified().ok(),
            len: metadata.len(),
        })
    }

    fn is_current(&self) -> bool {
        Self::of(&self.path).as_ref() == Some(self)
    }
}

/// The lookups done in this process (the compiler's, for one crate, or an
/// IDE's, for many), each with the files it read (the package's manifest
/// first): one is reused while those files are unchanged, so a crate with
/// many handlers reads its manifest once.
static LOOKUPS: Mutex<Vec<(Vec<Stamp>, Found)>> = Mutex::new(Vec::new());

/// The lookup in the manifest of the package being compiled.
fn lookup() -> Found {
    let manifest = match env::var_os("CARGO_MANIFEST_PATH") {
        // A single-file package (`cargo script`) is not read.
        Some(path)
            if Path::new(&path)
                .file_name()
                .is_some_and(|n| n == "Cargo.toml") =>
        {
            PathBuf::from(path)
        }
        Some(_) => return Found::Unknown,
        None => match env::var_os("CARGO_MANIFEST_DIR") {
            Some(dir) => Path::new(&dir).join("Cargo.toml"),
            None => return Found::Unknown,
        },
    };
    let mut lookups = LOOKUPS.lock().unwrap_or_else(PoisonError::into_inner);
    let done = lookups.iter().find(|(read, _)| {
        read.first().is_some_and(|first| first.path == manifest)
            && read.iter().all(Stamp::is_current)
    });
    if let Some((_, found)) = done {
        return found.clone();
    }
    let mut read = Vec::new();
    let found = match read_stamped(&manifest, &mut read) {
        Some(text) => {
            let dir = manifest.parent().unwrap_or(Path::new("."));
            find(&text, |pointer| workspace_root(dir, pointer, &mut read))
        }
        None => Found::Unknown,
    };
    lookups.retain(|(old, _)| old.first().is_none_or(|first| first.path != manifest));
    if !read.is_empty() {
        lookups.push((read, found.clone()));
    }
    found
}

/// The text of `path`, noted in `read`.
fn read_stamped(path: &Path, read: &mut Vec<Stamp>) -> Option<String> {
    let stamp = Stamp::of(path)?;
    let text = fs::read_to_string(path).ok()?;
    read.push(stamp);
    Some(text)
}

/// The text of the workspace root's manifest: where `package.workspace`
/// points, else the nearest manifest above `dir` with a `[workspace]`
/// table (found by its header; `find` reads it whole).
fn workspace_root(dir: &Path, pointer: Option<&str>, read: &mut Vec<Stamp>) -> Option<String> {
    if let Some(pointer) = pointer {
        return read_stamped(&dir.join(pointer).join("Cargo.toml"), read);
    }
    dir.ancestors().skip(1).find_map(|above| {
        let text = read_stamped(&above.join("Cargo.toml"), read)?;
        text.lines()
            .any(|line| line.trim_start().starts_with("[workspace"))
            .then_some(text)
    })
}

fn is_workspace_root(entries: &[(Vec<String>, Value)]) -> bool {
    entries
        .iter()
        .any(|(key, _)| key.first().is_some_and(|table| table == "workspace"))
}

/// What one dependency key says.
#[derive(Default)]
struct Dependency {
    /// Only in `dev-dependencies` tables.
    dev_only: bool,
    package: Option<String>,
    inherited: bool,
}

/// The dependency key and the rest of the path, for a key in a
/// `[dependencies]`, `[dev-dependencies]` or `[target.….dependencies]`
/// table, or in `[workspace.dependencies]` when `workspace` is set.
fn dependency_key(key: &[String], workspace: bool) -> Option<(bool, &str, &[String])> {
    let (table, rest) = match key {
        [first, second, rest @ ..] if workspace && first == "workspace" => (second, rest),
        [first, _, table, rest @ ..] if !workspace && first == "target" => (table, rest),
        [table, rest @ ..] if !workspace => (table, rest),
        _ => return None,
    };
    let dev = match table.as_str() {
        "dependencies" => false,
        "dev-dependencies" | "dev_dependencies" if !workspace => true,
        _ => return None,
    };
    let (name, rest) = rest.split_first()?;
    Some((dev, name, rest))
}

/// The dependencies of `entries`, in the order first written.
fn dependencies(entries: &[(Vec<String>, Value)], workspace: bool) -> Vec<(String, Dependency)> {
    let mut found: Vec<(String, Dependency)> = Vec::new();
    for (key, value) in entries {
        let Some((dev, name, rest)) = dependency_key(key, workspace) else {
            continue;
        };
        let index = found
            .iter()
            .position(|(n, _)| n == name)
            .unwrap_or_else(|| {
                found.push((
                    name.to_owned(),
                    Dependency {
                        dev_only: true,
                        ..Dependency::default()
                    },
                ));
                found.len() - 1
            });
        let dependency = &mut found[index].1;
        dependency.dev_only &= dev;
        match (rest, value) {
            ([field], Value::Str(package)) if field == "package" => {
                dependency.package = Some(package.clone());
            }
            ([field], Value::Bool(true)) if field == "workspace" => dependency.inherited = true,
            _ => {}
        }
    }
    found
}

/// The lookup in a manifest's text; `read_root` gives the workspace root's
/// manifest (from `package.workspace`, if set), read only when a
/// dependency is inherited from it.
pub(crate) fn find(text: &str, mut read_root: impl FnMut(Option<&str>) -> Option<String>) -> Found {
    let Some(entries) = manifest::entries(text) else {
        return Found::Unknown;
    };
    let field = |wanted: &[&str]| {
        entries.iter().find_map(|(key, value)| match value {
            Value::Str(s) if key.iter().eq(wanted.iter()) => Some(s.as_str()),
            _ => None,
        })
    };
    // The runtime's own examples, tests and doctests.
    if field(&["package", "name"]) == Some(PACKAGE) {
        return Found::Named(PACKAGE.replace('-', "_"));
    }
    let own = dependencies(&entries, false);
    // `None` until needed; `Some(None)`: the root could not be read.
    let mut root_text = None;
    let mut inherited = |name: &str| -> Option<Option<String>> {
        let root = root_text.get_or_insert_with(|| {
            let text = if is_workspace_root(&entries) {
                Some(text.to_owned())
            } else {
                read_root(field(&["package", "workspace"]))
            };
            text.as_deref()
                .and_then(manifest::entries)
                .map(|entries| dependencies(&entries, true))
        });
        let root = root.as_ref()?;
        let package = root.iter().find(|(n, _)| n == name);
        Some(package.and_then(|(_, d)| d.package.clone()))
    };
    // The package of each dependency; `None`: an inherited one whose root
    // could not be read.
    let packages: Vec<Option<String>> = own
        .iter()
        .map(|(name, dependency)| match &dependency.package {
            Some(package) => Some(package.clone()),
            None if dependency.inherited => {
                inherited(name).map(|package| package.unwrap_or_else(|| name.clone()))
            }
            None => Some(name.clone()),
        })
        .collect();
    let is_runtime = |i: &usize| packages[*i].as_deref() == Some(PACKAGE);
    // A normal dependency serves every target; a dev-dependency only tests.
    let found = (0..own.len())
        .filter(|&i| !own[i].1.dev_only)
        .find(is_runtime)
        .or_else(|| (0..own.len()).find(is_runtime))
        .or_else(|| own.iter().position(|(name, _)| name == PACKAGE));
    match found {
        Some(i) => Found::Named(own[i].0.replace('-', "_")),
        None if packages.iter().any(Option::is_none) => Found::Unknown,
        None => Found::Absent,
    }
}

#[cfg(test)]
mod tests;
