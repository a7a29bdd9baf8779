#!/usr/bin/env python3
"""Checks the Grafana dashboard ops/grafana/wireframe-monitor.json against a
live Prometheus.

    python3 .ci/dashboard.py PATH/TO/DEMO

1. Static checks: the JSON is an importable dashboard (schemaVersion, uid,
   title, a Prometheus datasource variable, the `job` and `handler`
   variables, unique panel ids, non-overlapping grid positions, every query
   on the `${datasource}` variable, no undefined template variable).
2. Starts three demo instances (`DEMO --serve 127.0.0.1:PORT`, each on its own
   port) and a real Prometheus scraping all three every second with
   ops/prometheus/alerts.yml loaded (the dashboard uses its recording rules).
3. Resolves the template variables the way Grafana does (`label_values(...)`
   through the label-values API; "All" and multi-value selections become a
   regex `(a|b)`), substitutes them and Grafana's built-ins (`$__interval`,
   `$__rate_interval`, `$__range`, ...) in every panel target and every
   annotation query, and runs each through the HTTP API as Grafana would
   (range query, or instant query for `instant` targets) for "All" and for
   each single job x handler. Every one must return data, and every label a
   legend/title format or a table panel's column (its `organize`
   transformation) names must be on the result.
4. While the three demos run, the critical-handler page is checked live:
   exactly one WireframeCriticalHandlerPanicked alert per critical handler
   (not one per replica), its `instances` annotation naming all three.

Prometheus and promtool come from Debian's `prometheus` package; when they
are missing, `.ci/prometheus.sh --rules-only` installs them. Every process
started here is stopped on exit.

Environment (optional): DASHBOARD_WAIT_SECS (default 120), how long to wait
for all queries to return data.
"""

import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DASHBOARD = os.path.join(ROOT, "ops/grafana/wireframe-monitor.json")
RULES = os.path.join(ROOT, "ops/prometheus/alerts.yml")
INSTANCES = 3
SCRAPE_SECS = 1
STEP_SECS = 2
WAIT_SECS = int(os.environ.get("DASHBOARD_WAIT_SECS", "120"))
BUILTINS = {"__interval", "__interval_ms", "__rate_interval", "__range", "__range_s", "__range_ms"}
VAR_RE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)")


def log(msg):
    print("[dashboard.py] " + msg, flush=True)


class Fail(Exception):
    pass


# ------------------------------------------------------------------ static


def variables_in(text):
    return {next(g for g in m.groups() if g) for m in VAR_RE.finditer(text)}


def table_columns(panel):
    """The labels a table panel shows as columns (the order of its
    `organize` transformation), as formats."""
    columns = []
    for t in panel.get("transformations", []):
        if t.get("id") == "organize":
            columns += [c for c in t.get("options", {}).get("indexByName", {}) if c not in ("Time", "Value")]
    return ["{{%s}}" % c for c in columns]


def queries(dash):
    """(what, expr, legend-ish formats, instant, step) for every query."""
    out = []
    for panel in dash["panels"]:
        for t in panel.get("targets", []):
            what = "panel %r %s" % (panel["title"], t["refId"])
            formats = [t.get("legendFormat", "")] + table_columns(panel)
            out.append((what, t["expr"], formats, bool(t.get("instant")), None))
    for a in dash["annotations"]["list"]:
        if a.get("builtIn"):
            continue
        expr = a.get("expr") or a.get("target", {}).get("expr")
        formats = [a.get("titleFormat", ""), a.get("textFormat", "")]
        formats += ["{{%s}}" % k.strip() for k in a.get("tagKeys", "").split(",") if k.strip()]
        step = parse_duration(a["step"]) if a.get("step") else None
        out.append(("annotation %r" % a["name"], expr, formats, False, step))
    return out


def parse_duration(text):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", text)
    if not m:
        raise Fail("cannot read duration %r" % text)
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def static_checks(dash):
    problems = []
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        problems.append("schemaVersion must be an integer >= 36")
    for key in ("uid", "title"):
        if not dash.get(key):
            problems.append("missing %s" % key)
    tvars = {v["name"]: v for v in dash["templating"]["list"]}
    ds = tvars.get("datasource", {})
    if ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problems.append("needs a `datasource` variable of type datasource, query prometheus")
    for name in ("job", "handler"):
        v = tvars.get(name)
        if not v or v.get("type") != "query" or "label_values(" not in v.get("definition", ""):
            problems.append("needs a query variable `%s` (label_values)" % name)
        elif v["datasource"].get("uid") != "${datasource}":
            problems.append("variable %s must use ${datasource}" % name)
    ids = [p.get("id") for p in dash["panels"]]
    if len(set(ids)) != len(ids) or None in ids:
        problems.append("panel ids must be present and unique: %s" % ids)
    cells = {}
    for p in dash["panels"]:
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "hwxy") or g["x"] + g["w"] > 24:
            problems.append("panel %r: bad gridPos %s" % (p.get("title"), g))
            continue
        for x, y in itertools.product(range(g["x"], g["x"] + g["w"]), range(g["y"], g["y"] + g["h"])):
            if (x, y) in cells:
                problems.append("panels %r and %r overlap" % (cells[(x, y)], p["title"]))
                break
            cells[(x, y)] = p["title"]
        sources = [p.get("datasource", {})] + [t.get("datasource", {}) for t in p.get("targets", [])]
        if any(s.get("uid") != "${datasource}" or s.get("type") != "prometheus" for s in sources):
            problems.append("panel %r: every datasource must be ${datasource} (prometheus)" % p["title"])
        if not p.get("targets") or any(not t.get("refId") or not t.get("expr") for t in p["targets"]):
            problems.append("panel %r: targets need refId and expr" % p["title"])
    annotations = [a for a in dash["annotations"]["list"] if not a.get("builtIn")]
    if not any("wireframe_build_info" in (a.get("expr") or "") for a in annotations):
        problems.append("no annotation from wireframe_build_info")
    used = set()
    for _, expr, _, _, _ in queries(dash):
        used |= variables_in(expr)
    for v in tvars.values():
        used |= variables_in(v.get("definition", ""))
    undefined = used - set(tvars) - BUILTINS
    if undefined:
        problems.append("undefined template variables: %s" % sorted(undefined))
    if problems:
        raise Fail("static checks:\n  " + "\n  ".join(problems))
    log("static checks: %d panels, %d queries, variables %s" % (len(ids), len(queries(dash)), sorted(tvars)))


# ------------------------------------------------------------------ processes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_for(url, proc, what, secs, logfile):
    deadline = time.monotonic() + secs
    while True:
        try:
            return http_get(url)
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None:
            raise Fail("%s exited (%s) before serving %s:\n%s" % (what, proc.returncode, url, tail(logfile)))
        if time.monotonic() > deadline:
            raise Fail("%s did not serve %s within %ss:\n%s" % (what, url, secs, tail(logfile)))
        time.sleep(0.5)


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return "(no log)"


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ queries


class Prom:
    def __init__(self, base):
        self.base = base

    def api(self, path, **params):
        url = "%s/api/v1/%s?%s" % (self.base, path, urllib.parse.urlencode(params, doseq=True))
        try:
            doc = json.loads(http_get(url))
        except urllib.error.HTTPError as e:
            doc = json.loads(e.read().decode() or "{}")
        if doc.get("status") != "success":
            raise Fail("%s: %s %s" % (path, doc.get("errorType"), doc.get("error")))
        return doc["data"]


def regex_escape(value):
    # What Grafana's Prometheus data source does to a value put in a regex.
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\\\1", value)


def format_value(values):
    values = [regex_escape(v) for v in values]
    return values[0] if len(values) == 1 else "(" + "|".join(values) + ")"


def substitute(text, env):
    def one(m):
        name = next(g for g in m.groups() if g)
        if name not in env:
            raise Fail("no value for $%s in %s" % (name, text))
        return env[name]

    return VAR_RE.sub(one, text)


def label_values(prom, definition, env, start, end):
    m = re.fullmatch(r"\s*label_values\((?:(.*),)?\s*(\w+)\s*\)\s*", definition)
    if not m:
        raise Fail("cannot read variable query %r" % definition)
    params = {"start": start, "end": end}
    if m.group(1):
        params["match[]"] = substitute(m.group(1).strip(), env)
    return prom.api("label/%s/values" % m.group(2), **params)


def critical_page(prom, targets):
    """Problems with the live WireframeCriticalHandlerPanicked alerts."""
    alerts = [a for a in prom.api("alerts")["alerts"] if a["labels"]["alertname"] == "WireframeCriticalHandlerPanicked"]
    keys = [tuple(sorted(a["labels"].items())) for a in alerts]
    if not alerts:
        return ["no WireframeCriticalHandlerPanicked alert yet"], []
    problems = []
    if len(set(keys)) != len(keys) or any("instance" in a["labels"] for a in alerts):
        problems.append("critical page is not one alert per handler: %s" % [a["labels"] for a in alerts])
    for a in alerts:
        listed = a["annotations"].get("instances", "").split(", ")
        if sorted(listed) != sorted(targets):
            problems.append("critical page for %s lists %s, expected all of %s" % (a["labels"].get("handler"), listed, targets))
    report = ["live alert WireframeCriticalHandlerPanicked %s handler=%s: instances: %s; summary: %s"
              % (a["state"], a["labels"].get("handler"), a["annotations"].get("instances"), a["annotations"].get("summary"))
              for a in alerts]
    return problems, report


def run_checks(prom, dash, t0):
    """Returns (problems, report lines)."""
    end = time.time()
    start = max(t0, end - 600)
    window = max(1, int(end - start))
    builtins = {
        "__interval": "%ds" % STEP_SECS,
        "__interval_ms": str(STEP_SECS * 1000),
        "__rate_interval": "%ds" % max(STEP_SECS + SCRAPE_SECS, 4 * SCRAPE_SECS),
        "__range": "%ds" % window,
        "__range_s": str(window),
        "__range_ms": str(window * 1000),
    }
    # Variables in dashboard order, each query may use the ones before it.
    env_all = dict(builtins)
    options = {}
    for v in dash["templating"]["list"]:
        if v["type"] != "query":
            continue
        vals = label_values(prom, v["definition"], env_all, start, end)
        if not vals:
            return ["variable $%s: label_values returned nothing" % v["name"]], []
        options[v["name"]] = vals
        env_all[v["name"]] = format_value(vals)
    # "All" for every variable, then each single value combination.
    names = list(options)
    combos = [("All", env_all)]
    for picked in itertools.product(*(options[n] for n in names)):
        env = dict(builtins)
        env.update({n: format_value([p]) for n, p in zip(names, picked)})
        combos.append((" ".join("%s=%s" % np for np in zip(names, picked)), env))
    problems, report = [], []
    for what, expr, formats, instant, step in queries(dash):
        counts, example = [], "-"
        for label, env in combos:
            q = substitute(expr, env)
            if instant:
                data = prom.api("query", query=q, time=end)
            else:
                data = prom.api("query_range", query=q, start=start, end=end, step=step or STEP_SECS)
            series = data["result"]
            counts.append(len(series))
            if not series:
                problems.append("%s [%s]: no data for %s" % (what, label, q))
                continue
            wanted = {n for f in formats for n in re.findall(r"\{\{\s*(\w+)\s*\}\}", f)}
            for s in series:
                missing = wanted - set(s["metric"])
                if missing:
                    problems.append("%s [%s]: series %s lacks labels %s named in its format" % (what, label, s["metric"], sorted(missing)))
                    break
            if label == "All":
                last = series[0]["value"] if instant else series[0]["values"][-1]
                example = "%s = %s" % (series[0]["metric"], last[1])
        report.append("%s: %s series with All (%s), e.g. %s; single selections: %s series"
                      % (what, counts[0], "instant" if instant else "range", example, counts[1:]))
    report.insert(0, "variables: " + ", ".join("%s = %s" % (n, options[n]) for n in names))
    return problems, report


# ------------------------------------------------------------------ main


def main():
    if len(sys.argv) != 2:
        print("usage: %s PATH/TO/DEMO" % sys.argv[0], file=sys.stderr)
        return 2
    demo = os.path.abspath(sys.argv[1])
    if not os.access(demo, os.X_OK):
        raise Fail("demo binary %r is missing or not executable" % demo)
    with open(DASHBOARD) as f:
        dash = json.load(f)
    static_checks(dash)
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        log("prometheus/promtool missing: installing through .ci/prometheus.sh --rules-only")
        subprocess.run(["bash", os.path.join(ROOT, ".ci/prometheus.sh"), "--rules-only"], check=True)

    tmp = tempfile.mkdtemp(prefix="wfm-dashboard.")
    procs = []
    try:
        targets = []
        for i in range(INSTANCES):
            addr = "127.0.0.1:%d" % free_port()
            logfile = os.path.join(tmp, "demo%d.log" % i)
            with open(logfile, "w") as out:
                proc = subprocess.Popen([demo, "--serve", addr], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            procs.append(proc)
            wait_for("http://%s/metrics" % addr, proc, "demo %d" % i, 60, logfile)
            targets.append(addr)
            log("demo %d serves http://%s/metrics (pid %d)" % (i, addr, proc.pid))

        port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write(
                "global:\n  scrape_interval: %ds\n  scrape_timeout: %ds\n  evaluation_interval: %ds\n"
                "rule_files:\n  - %s\n"
                "scrape_configs:\n  - job_name: wireframe-demo\n    static_configs:\n      - targets: %s\n"
                % (SCRAPE_SECS, SCRAPE_SECS, SCRAPE_SECS, json.dumps(RULES), json.dumps(targets))
            )
        subprocess.run(["promtool", "check", "config", config], check=True, stdout=subprocess.DEVNULL)
        plog = os.path.join(tmp, "prometheus.log")
        with open(plog, "w") as out:
            prom_proc = subprocess.Popen(
                ["prometheus", "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                 "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        procs.append(prom_proc)
        base = "http://127.0.0.1:%d" % port
        wait_for(base + "/-/ready", prom_proc, "prometheus", 60, plog)
        t0 = time.time()
        log("prometheus on %s scrapes %d demos every %ds" % (base, INSTANCES, SCRAPE_SECS))
        prom = Prom(base)

        deadline = time.monotonic() + WAIT_SECS
        while True:
            for i, p in enumerate(procs):
                if p.poll() is not None:
                    raise Fail("process %d exited (%s)" % (i, p.returncode))
            up = prom.api("query", query="sum(up{job=\"wireframe-demo\"})")["result"]
            up = int(float(up[0]["value"][1])) if up else 0
            problems, report = run_checks(prom, dash, t0) if up == INSTANCES else (["%d of %d targets up" % (up, INSTANCES)], [])
            if not problems:
                problems, page_report = critical_page(prom, targets)
                report += page_report
            if not problems:
                break
            if time.monotonic() > deadline:
                raise Fail("after %ds:\n  %s\n%s" % (WAIT_SECS, "\n  ".join(problems), tail(plog)))
            time.sleep(3)
        for line in report:
            log(line)
        log("OK: %d targets up; every panel query and annotation returns data (All and each single job x handler);"
            " one critical page per handler naming all %d instances; %.0fs after Prometheus started" % (up, INSTANCES, time.time() - t0))
        return 0
    finally:
        for p in reversed(procs):
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Fail as e:
        print("[dashboard.py] FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
