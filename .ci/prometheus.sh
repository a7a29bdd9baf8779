#!/usr/bin/env bash
# Prometheus checks for wireframe-monitor.
#
#   .ci/prometheus.sh PATH/TO/DEMO     rule checks + unit tests + live run
#   .ci/prometheus.sh --rules-only     rule checks + unit tests only
#
# Live run: starts "$DEMO --serve 127.0.0.1:PORT" (must keep serving /metrics
# and keep producing calls and panics until killed), checks its exposition
# with `promtool check metrics`, then starts a real Prometheus scraping it
# every second with ops/prometheus/alerts.yml loaded and waits until
# sum(wireframe_handler_panics_total) > 0, a wireframe_handler_panic_sites_total
# series (with a relative `site`) > 0, and both wireframe_handler:panic_ratio:rate5m
# (fleet) and wireframe_handler_instance:panic_ratio:rate5m (per instance)
# have a series > 0, and the demo's objectives arrive: the recording rule
# wireframe_handler:objective_ratio:max (from wireframe_handler_objective_ratio)
# and the burn rate the error-budget alerts divide by it,
# wireframe_handler:panic_ratio:rate1h / (1 - wireframe_handler:objective_ratio:max),
# have a series > 0, and the fast-burn page WireframeHandlerErrorBudgetBurn1h
# is pending or firing for a handler (the demo's `frame` panics far above its
# 99.9 objective). Both processes are stopped on exit.
#
# Installs Debian's `prometheus` package (promtool + prometheus) and curl when
# missing; never starts the Debian service.
#
# Environment (optional):
#   DEMO_WAIT_SECS        how long to wait for the demo's /metrics   (default 30)
#   PROMETHEUS_WAIT_SECS  how long to wait for the PromQL conditions (default 120)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RULES="$ROOT/ops/prometheus/alerts.yml"
# Every unit-test file: alerts.test.yml, burn.test.yml, regression.test.yml, ...
RULE_TESTS=("$ROOT"/ops/prometheus/*.test.yml)
TEMPLATE="$ROOT/ops/prometheus/prometheus.yml.tmpl"
DEMO_WAIT_SECS=${DEMO_WAIT_SECS:-30}
PROMETHEUS_WAIT_SECS=${PROMETHEUS_WAIT_SECS:-120}

log() { printf '[prometheus.sh] %s\n' "$*"; }
die() { printf '[prometheus.sh] FAIL: %s\n' "$*" >&2; exit 1; }

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PATH/TO/DEMO | --rules-only" >&2
  exit 2
fi
DEMO=""
if [[ $1 != --rules-only ]]; then
  DEMO=$1
  [[ -x $DEMO ]] || die "demo binary '$DEMO' is missing or not executable"
fi

# ---------------------------------------------------------------- tools
need_pkgs=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || need_pkgs+=(prometheus)
if [[ -n $DEMO ]]; then
  command -v curl >/dev/null 2>&1 || need_pkgs+=(curl ca-certificates)
  command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
fi
if ((${#need_pkgs[@]})); then
  log "installing Debian packages: ${need_pkgs[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install ${need_pkgs[*]}"
    SUDO=sudo
  fi
  # Keep the package's postinst from starting the prometheus service
  # (invoke-rc.d / deb-systemd-invoke honour policy-rc.d exit 101).
  created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  apt_rc=0
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${need_pkgs[@]}" >/dev/null || apt_rc=$?
  ((created_policy)) && $SUDO rm -f /usr/sbin/policy-rc.d
  if ((apt_rc)); then
    # A post-install step (service start) may fail in a container; what we
    # need are the binaries.
    log "warning: apt-get install exited $apt_rc; checking the binaries anyway"
  fi
fi
for tool in promtool prometheus; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
log "$(promtool --version 2>&1 | head -n1)"

# ---------------------------------------------------------------- rules
log "promtool check rules $RULES"
promtool check rules "$RULES"
[[ -e ${RULE_TESTS[0]} ]] || die "no rule test files (ops/prometheus/*.test.yml)"
log "promtool test rules ${RULE_TESTS[*]#"$ROOT"/}"
promtool test rules "${RULE_TESTS[@]}"

if [[ -z $DEMO ]]; then
  log "rules-only: done"
  exit 0
fi

# ---------------------------------------------------------------- live run
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wfm-prometheus.XXXXXX")
DEMO_PID=""
PROM_PID=""

stop_pid() {
  local pid=$1
  [[ -n $pid ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$PROM_PID"
  stop_pid "$DEMO_PID"
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
http_get() { # URL -> body on stdout; non-zero on any failure
  curl -fsS --max-time 5 "$1"
}
show_log() { # FILE TITLE
  echo "----- $2 (last 40 lines) -----" >&2
  tail -n 40 "$1" >&2 || true
  echo "-----" >&2
}

DEMO_PORT=$(free_port)
DEMO_ADDR="127.0.0.1:$DEMO_PORT"
log "starting demo: $DEMO --serve $DEMO_ADDR"
"$DEMO" --serve "$DEMO_ADDR" >"$TMP/demo.log" 2>&1 </dev/null &
DEMO_PID=$!

deadline=$((SECONDS + DEMO_WAIT_SECS))
until http_get "http://$DEMO_ADDR/metrics" >"$TMP/metrics.txt" 2>/dev/null; do
  if ! kill -0 "$DEMO_PID" 2>/dev/null; then
    show_log "$TMP/demo.log" "demo output"
    die "demo exited before serving http://$DEMO_ADDR/metrics"
  fi
  if ((SECONDS >= deadline)); then
    show_log "$TMP/demo.log" "demo output"
    die "demo did not serve http://$DEMO_ADDR/metrics within ${DEMO_WAIT_SECS}s"
  fi
  sleep 0.5
done
log "demo serves /metrics ($(wc -l <"$TMP/metrics.txt") lines)"

# promtool check metrics: non-zero exit on parse errors and lint problems;
# any output (lint warnings included) is treated as a failure too. No lint
# problem is allowed at present.
lint_rc=0
promtool check metrics <"$TMP/metrics.txt" >"$TMP/lint.txt" 2>&1 || lint_rc=$?
if ((lint_rc)) || [[ -s $TMP/lint.txt ]]; then
  cat "$TMP/lint.txt" >&2
  die "promtool check metrics reported problems (exit $lint_rc)"
fi
log "promtool check metrics: clean"
for name in wireframe_handler_calls_total wireframe_handler_panics_total wireframe_handler_panic_sites_total wireframe_handler_objective_ratio; do
  grep -Eq "^${name}(\{| )" "$TMP/metrics.txt" || {
    cat "$TMP/metrics.txt" >&2
    die "exposition has no sample of $name"
  }
done
# A site is a crate-relative path:line, never an absolute path.
if grep -E '^wireframe_handler_panic_sites_total\{' "$TMP/metrics.txt" | grep -Eq 'site="(/|[A-Za-z]:)'; then
  grep -E '^wireframe_handler_panic_sites_total\{' "$TMP/metrics.txt" >&2
  die "a site label holds an absolute path"
fi
log "exposition has wireframe_handler_calls_total, wireframe_handler_panics_total, wireframe_handler_panic_sites_total and wireframe_handler_objective_ratio samples:"
grep -E '^wireframe_' "$TMP/metrics.txt" | sed 's/^/    /'

PROM_PORT=$(free_port)
PROM="http://127.0.0.1:$PROM_PORT"
config=$(<"$TEMPLATE")
config=${config//@RULES@/$RULES}
config=${config//@TARGET@/$DEMO_ADDR}
printf '%s\n' "$config" >"$TMP/prometheus.yml"
promtool check config "$TMP/prometheus.yml" >"$TMP/check-config.txt" 2>&1 || {
  cat "$TMP/check-config.txt" >&2
  die "promtool check config failed"
}
mkdir -p "$TMP/data"
log "starting prometheus on 127.0.0.1:$PROM_PORT (scrape + rule evaluation every 1s)"
prometheus \
  --config.file="$TMP/prometheus.yml" \
  --storage.tsdb.path="$TMP/data" \
  --storage.tsdb.retention.time=1h \
  --web.listen-address="127.0.0.1:$PROM_PORT" \
  --log.level=warn \
  >"$TMP/prometheus.log" 2>&1 </dev/null &
PROM_PID=$!

# JSON of /api/v1/query -> "labels value" lines on stdout; exit status 0
# when at least one sample is > 0.
summarize='
import json, sys
doc = json.load(sys.stdin)
if doc.get("status") != "success":
    print("  query failed:", doc); sys.exit(2)
res = doc["data"]["result"]
if not res:
    print("  (empty result)")
positive = False
for s in res:
    m = s["metric"]
    labels = ",".join("%s=\"%s\"" % (k, v) for k, v in sorted(m.items()) if k != "__name__")
    v = float(s["value"][1])
    positive = positive or v > 0
    print("  %s{%s} %s" % (m.get("__name__", ""), labels, s["value"][1]))
sys.exit(0 if positive else 1)
'
query() { # EXPR -> summary in $TMP/q.txt; 0 when a sample > 0
  local body
  body=$(curl -fsS --max-time 5 -G "$PROM/api/v1/query" --data-urlencode "query=$1" 2>/dev/null) || {
    echo "  (query failed)" >"$TMP/q.txt"; return 1; }
  python3 -c "$summarize" <<<"$body" >"$TMP/q.txt"
}

Q_PANICS='sum(wireframe_handler_panics_total)'
Q_SITES='sum by (handler, site) (wireframe_handler_panic_sites_total{site=~"[^/].*:[0-9]+"})'
Q_RATIO='wireframe_handler:panic_ratio:rate5m'
Q_IRATIO='wireframe_handler_instance:panic_ratio:rate5m'
Q_OBJECTIVE='wireframe_handler:objective_ratio:max'
Q_BURN='wireframe_handler:panic_ratio:rate1h / (1 - wireframe_handler:objective_ratio:max)'
Q_BURN_ALERT='ALERTS{alertname="WireframeHandlerErrorBudgetBurn1h"}'
ok_panics=0
ok_sites=0
ok_ratio=0
ok_iratio=0
ok_objective=0
ok_burn=0
ok_burn_alert=0
deadline=$((SECONDS + PROMETHEUS_WAIT_SECS))
while :; do
  if ! kill -0 "$PROM_PID" 2>/dev/null; then
    show_log "$TMP/prometheus.log" "prometheus log"
    die "prometheus exited"
  fi
  if ! kill -0 "$DEMO_PID" 2>/dev/null; then
    show_log "$TMP/demo.log" "demo output"
    die "demo exited while being scraped"
  fi
  if ((!ok_panics)) && query "$Q_PANICS"; then ok_panics=1; cp "$TMP/q.txt" "$TMP/q-panics.txt"; fi
  if ((!ok_sites)) && query "$Q_SITES"; then ok_sites=1; cp "$TMP/q.txt" "$TMP/q-sites.txt"; fi
  if ((!ok_ratio)) && query "$Q_RATIO"; then ok_ratio=1; cp "$TMP/q.txt" "$TMP/q-ratio.txt"; fi
  if ((!ok_iratio)) && query "$Q_IRATIO"; then ok_iratio=1; cp "$TMP/q.txt" "$TMP/q-iratio.txt"; fi
  if ((!ok_objective)) && query "$Q_OBJECTIVE"; then ok_objective=1; cp "$TMP/q.txt" "$TMP/q-objective.txt"; fi
  if ((!ok_burn)) && query "$Q_BURN"; then ok_burn=1; cp "$TMP/q.txt" "$TMP/q-burn.txt"; fi
  if ((!ok_burn_alert)) && query "$Q_BURN_ALERT"; then ok_burn_alert=1; cp "$TMP/q.txt" "$TMP/q-burn-alert.txt"; fi
  ((ok_panics && ok_sites && ok_ratio && ok_iratio && ok_objective && ok_burn && ok_burn_alert)) && break
  if ((SECONDS >= deadline)); then
    for q in "$Q_PANICS" "$Q_SITES" "$Q_RATIO" "$Q_IRATIO" "$Q_OBJECTIVE" "$Q_BURN" "$Q_BURN_ALERT" 'up' 'wireframe_handler:calls:rate5m' 'wireframe_handler:panics:rate5m'; do
      echo "query: $q" >&2; query "$q" || true; cat "$TMP/q.txt" >&2
    done
    show_log "$TMP/prometheus.log" "prometheus log"
    show_log "$TMP/demo.log" "demo output"
    die "timeout after ${PROMETHEUS_WAIT_SECS}s: sum(wireframe_handler_panics_total) > 0: $ok_panics, a panic site series > 0: $ok_sites, panic_ratio > 0: $ok_ratio, instance panic_ratio > 0: $ok_iratio, objective_ratio:max > 0: $ok_objective, burn rate > 0: $ok_burn, WireframeHandlerErrorBudgetBurn1h pending or firing: $ok_burn_alert"
  fi
  sleep 2
done

# Every rule must have evaluated without error.
curl -fsS --max-time 5 "$PROM/api/v1/rules" | python3 -c '
import json, sys
bad = []
n = 0
for g in json.load(sys.stdin)["data"]["groups"]:
    for r in g["rules"]:
        n += 1
        if r.get("health") == "err":
            bad.append("%s: %s" % (r["name"], r.get("lastError")))
print("[prometheus.sh] rules loaded in prometheus: %d, with errors: %d" % (n, len(bad)))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
' || die "some rules fail to evaluate"

log "query: $Q_PANICS"
cat "$TMP/q-panics.txt"
log "query: $Q_SITES"
cat "$TMP/q-sites.txt"
log "query: $Q_RATIO"
cat "$TMP/q-ratio.txt"
log "query: $Q_IRATIO"
cat "$TMP/q-iratio.txt"
log "query: $Q_OBJECTIVE"
cat "$TMP/q-objective.txt"
log "query: $Q_BURN"
cat "$TMP/q-burn.txt"
log "query: $Q_BURN_ALERT"
cat "$TMP/q-burn-alert.txt"
for q in 'wireframe_handler:calls:rate5m' 'wireframe_handler:panics:rate5m'; do
  log "query: $q"
  query "$q" || true
  cat "$TMP/q.txt"
done
log "alerts (pending or firing) at the end:"
curl -fsS --max-time 5 "$PROM/api/v1/alerts" | python3 -c '
import json, sys
alerts = json.load(sys.stdin)["data"]["alerts"]
bad = 0
for a in alerts:
    print("  %s %s handler=%s value=%s" % (a["labels"]["alertname"], a["state"], a["labels"].get("handler"), a["value"]))
    if "instances" in a["annotations"]:
        print("    instances: %s" % a["annotations"]["instances"])
    for k, v in a["annotations"].items():
        if "error expanding template" in v or "error executing template" in v:
            print("    annotation %s: %s" % (k, v)); bad += 1
if not alerts:
    print("  (none)")
sys.exit(1 if bad else 0)
' || die "an alert annotation template failed to expand"
log "OK: live Prometheus scraped the demo and evaluated the rules"
