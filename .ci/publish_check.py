#!/usr/bin/env python3
"""What a crates.io release of the published crates needs, checked before
`cargo package` (which .ci/run runs next).

    python3 .ci/publish_check.py

- every package that is not `publish = false` has description, license,
  repository, readme, documentation, keywords, categories, rust-version and
  `[package.metadata.docs.rs]` with all-features and `--cfg docsrs`;
- LICENSE-MIT and LICENSE-APACHE exist at the root and in each published
  package, identical to the root copies;
- MSRV: `msrv` in clippy.toml equals the published `rust-version` (so
  clippy's `incompatible_msrv` checks that version), and every dependency of
  a published crate (normal and build, all features) declares a
  `rust-version` no newer than it;
- the README (the crates' readme, shown on crates.io and docs.rs) links only
  to absolute URLs or to its own headings, and each heading link resolves;
- `wireframe-monitor` without default features (`--features enabled`) has no
  tokio in its dependency tree.
"""

import filecmp
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LICENSES = ("LICENSE-MIT", "LICENSE-APACHE")
REQUIRED = ("description", "license", "repository", "readme", "documentation", "keywords", "categories", "rust_version")


def version_tuple(v):
    return tuple(int(x) for x in v.split("."))[:3] + (0,) * (3 - len(v.split(".")))


def github_slug(heading):
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def main():
    problems = []
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--all-features"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    packages = {p["id"]: p for p in meta["packages"]}
    members = [packages[i] for i in meta["workspace_members"]]
    published = [p for p in members if p.get("publish") != []]
    names = sorted(p["name"] for p in published)
    print("[publish_check] published crates: %s" % ", ".join(names))

    # ---- metadata
    for p in published:
        for key in REQUIRED:
            if not p.get(key):
                problems.append("%s: no %s" % (p["name"], key.replace("_", "-")))
        docsrs = ((p.get("metadata") or {}).get("docs") or {}).get("rs") or {}
        if docsrs.get("all-features") is not True or "docsrs" not in " ".join(docsrs.get("rustdoc-args", [])):
            problems.append("%s: [package.metadata.docs.rs] needs all-features = true and rustdoc-args = [\"--cfg\", \"docsrs\"]" % p["name"])

    # ---- licenses
    dirs = [ROOT] + [os.path.dirname(p["manifest_path"]) for p in published]
    for d in dirs:
        for lic in LICENSES:
            path = os.path.join(d, lic)
            if not os.path.isfile(path):
                problems.append("missing %s" % os.path.relpath(path, ROOT))
            elif d != ROOT and not filecmp.cmp(path, os.path.join(ROOT, lic), shallow=False):
                problems.append("%s differs from the root copy" % os.path.relpath(path, ROOT))

    # ---- MSRV
    with open(os.path.join(ROOT, "clippy.toml")) as f:
        m = re.search(r'^msrv\s*=\s*"([^"]+)"', f.read(), re.M)
    msrv = m.group(1) if m else None
    declared = {p["rust_version"] for p in published if p.get("rust_version")}
    if msrv is None:
        problems.append("clippy.toml has no msrv")
    elif declared != {msrv}:
        problems.append("clippy.toml msrv %s differs from rust-version %s" % (msrv, sorted(declared)))
    else:
        nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
        seen, stack = set(), [p["id"] for p in published]
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            for dep in nodes[i]["deps"]:
                if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                    stack.append(dep["pkg"])
        newest = max(((version_tuple(packages[i]["rust_version"]), packages[i]["rust_version"], packages[i]["name"])
                      for i in seen if packages[i]["name"] not in names and packages[i].get("rust_version")))[1:]
        too_new = sorted("%s %s (rust-version %s)" % (packages[i]["name"], packages[i]["version"], packages[i]["rust_version"])
                         for i in seen if packages[i].get("rust_version")
                         and version_tuple(packages[i]["rust_version"]) > version_tuple(msrv))
        if too_new:
            problems.append("dependencies newer than the MSRV %s: %s" % (msrv, ", ".join(too_new)))
        print("[publish_check] MSRV %s: clippy.toml agrees; %d dependencies, the newest rust-version %s (%s)"
              % (msrv, len(seen) - len(published), newest[0], newest[1]))

    # ---- README links
    readmes = {os.path.normpath(os.path.join(os.path.dirname(p["manifest_path"]), p["readme"])) for p in published if p.get("readme")}
    for readme in sorted(readmes):
        with open(readme) as f:
            text = f.read()
        prose = re.sub(r"```.*?```", "", text, flags=re.S)
        anchors = {github_slug(h) for h in re.findall(r"^#+\s+(.*)$", prose, re.M)}
        links = re.findall(r"\]\(([^)\s]+)\)", prose)
        for link in links:
            if link.startswith("#"):
                if link[1:] not in anchors:
                    problems.append("%s: link %s names no heading" % (os.path.relpath(readme, ROOT), link))
            elif not re.match(r"https?://", link):
                problems.append("%s: relative link %s breaks on crates.io and docs.rs; use https://github.com/.../blob/main/..." % (os.path.relpath(readme, ROOT), link))
        print("[publish_check] %s: %d links, all absolute or to its headings" % (os.path.relpath(readme, ROOT), len(links)))

    # ---- tokio is optional
    tree = subprocess.run(
        ["cargo", "tree", "-p", "wireframe-monitor", "--no-default-features", "--features", "enabled",
         "-e", "normal,build", "--prefix", "none"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    crates = sorted({line.split()[0] for line in tree.splitlines() if line.strip()})
    if "tokio" in crates:
        problems.append("wireframe-monitor --no-default-features --features enabled still depends on tokio")
    print("[publish_check] wireframe-monitor --no-default-features --features enabled: %s" % ", ".join(crates))

    if problems:
        print("[publish_check] FAIL:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("[publish_check] OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
