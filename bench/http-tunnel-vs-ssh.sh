#!/usr/bin/env bash
# Sluice HTTP tunnels (public HTTP edge on `sluice run`, relayed by `sluice agent`) against
# ssh -R through a private sshd and against nginx direct, all on loopback, same run,
# interleaved rounds; prints markdown tables with medians and same-run ratios.
#
#   wrk keep-alive GET of a small static file (612 bytes, like nginx's default index):
#       req/s, p99 latency, errors, and CPU µs per request of every process on the path
#       (wrk; nginx's tree; sshd's tree + ssh; sluice run + sluice agent)
#   1 GiB download (curl -o /dev/null): MB/s, and the tunnel's CPU seconds per GB
#
# Variants: direct (wrk → nginx), ssh (wrk → sshd's -R port → ssh → nginx), sluice-tls
# (wrk → edge of `sluice run` → TLS link → `sluice agent` → nginx, as a user would run it),
# sluice-plain (the same with tls = false on both sides; PLAIN=0 leaves it out), and base-tls
# when BASE_BIN or BASE_ENV is given (a second build, or the same build with other environment,
# measured in the same run for A/B; BASE2_BIN adds a third build as base2-tls).
#
# Needs: nginx (run privately: temp config and pid file, 127.0.0.1:ephemeral; the system one
# is not touched but should be stopped: `service nginx stop`), wrk, curl, sshd + ssh, python3,
# a Release build (dotnet build src/Sluice.Cli -c Release).
# The script takes /tmp/sluice-bench.lock itself (flock -o, waits at most LOCK_WAIT seconds) so
# it never overlaps the other bench scripts.
# Env: ROUNDS (3), DURATION seconds per wrk run (5), WARMUP seconds of unmeasured wrk load per
# variant before the rounds (4; a fresh .NET process is on unoptimised code at first), THREADS (2), CONNECTIONS (50),
# TESTS (default "wrk big": wrk only, 1 GiB download only), BIG_MAX seconds a download may take
# (60), PLAIN (1), SLUICE_ENV ("VAR=value ..." for every sluice process), BASE_BIN, BASE_ENV,
# BASE2_BIN, PERF_DIR (optional: a directory; then after the rounds one extra wrk run through sluice-tls
# is profiled with `perf record -g` on the server and the agent, started with
# DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 (else JIT frames show as
# memfd:doublemapper), and perf report summaries are written there, with bench/perf-attribute.py's
# split of the samples by component).
set -euo pipefail
if [ -z "${SLUICE_BENCH_LOCKED:-}" ]; then
  exec env SLUICE_BENCH_LOCKED=1 flock -o -w "${LOCK_WAIT:-1800}" /tmp/sluice-bench.lock "$0" "$@"
fi
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${SLUICE_BIN:-$ROOT/src/Sluice.Cli/bin/Release/net10.0/sluice}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-4}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
TESTS=${TESTS:-wrk big}
BIG_MAX=${BIG_MAX:-60}
PLAIN=${PLAIN:-1}
PERF_DIR=${PERF_DIR:-}
BASE_BIN=${BASE_BIN:-}
[ -n "${BASE_ENV:-}" ] && [ -z "$BASE_BIN" ] && BASE_BIN=$BIN
[ -x "$BIN" ] || { echo "build first: dotnet build src/Sluice.Cli -c Release" >&2; exit 1; }
for tool in nginx wrk curl ssh ssh-keygen python3 setpriv; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "missing $tool" >&2; exit 1; }
done
[ -z "$PERF_DIR" ] || command -v perf >/dev/null || { echo "missing perf (PERF_DIR is set)" >&2; exit 1; }
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HOST=bench.tunnel.test

W=$(mktemp -d /tmp/http-tunnel-bench.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; rm -f "/tmp/perf-$p.map"; done
  [ -f "$W/sshd.pid" ] && kill "$(cat "$W/sshd.pid")" 2>/dev/null || true
  [ -f "$W/nginx/nginx.pid" ] && kill "$(cat "$W/nginx/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. bench/ports.sh   # port, wait_port (the script runs from the repository root)
. bench/private-sshd.sh   # start_private_sshd
. bench/cpu-tree.sh   # cpu_tree PID: CPU seconds of a process and its descendants
. bench/private-nginx.sh   # start_private_nginx

# CPU seconds of several process trees together (none: 0).
cpu_sum() { local s=0 p; for p in "$@"; do s=$(python3 -c "print($s+$(cpu_tree "$p"))"); done; echo "$s"; }

# --- nginx: private, 612-byte index and a sparse 1 GiB file ---
start_private_nginx

# --- ssh -R: a port on the private sshd forwarded back to nginx ---
SSH_R=$(port)
start_private_sshd
ssh -N -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  -i "$SSH_KEY" -p "$SSH_PORT" -R "$SSH_R:127.0.0.1:$NGINX_PORT" "$SSH_USER@127.0.0.1" &
SSH_PID=$!; PIDS+=($SSH_PID)
wait_port "$SSH_R"

# Waits (at most 10 s) until GET / through PORT with our Host answers 200.
wait_http() {
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -H "Host: $HOST" "http://127.0.0.1:$1/" || true)" = 200 ] && return 0
    sleep 0.1
  done
  echo "http://127.0.0.1:$1/ (Host: $HOST) never answered 200" >&2
  exit 1
}

# --- Sluice: server (agent link + public HTTP edge) and agent exposing nginx as bench.tunnel.test ---
# Sets SL_PID (the server), SL_AGENT (the agent) and SL_HTTP (the edge's port); no subshell,
# so the started processes land in PIDS and are cleaned up.
start_sluice() { # name tls [binary [environment]]
  local name=$1 tls=$2 d="$W/$1" bin=${3:-$BIN} envs=${4:-${SLUICE_ENV:-}}; mkdir -p "$d"
  local listen; listen=$(port); local edge; edge=$(port)
  local perfmap=""; [ -n "$PERF_DIR" ] && perfmap="DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0"
  cat > "$d/sluice.toml" <<CFG
[server]
log_level = "warn"
access_log = false

[tunnel_server]
listen = "127.0.0.1:$listen"
tls = $tls
http_listen = "127.0.0.1:$edge"
domain = "tunnel.test"

[[tunnel_server.agent]]
name = "bench"
token = "benchmark-token-0123456789"
CFG
  env $perfmap $envs "$bin" run -c "$d/sluice.toml" >"$d/server.log" 2>&1 & local spid=$!; PIDS+=($spid)
  wait_port "$listen"; wait_port "$edge"
  local pin=""
  if [ "$tls" = true ]; then pin="server_fingerprint = \"$(grep -o 'sha256:[0-9A-F:]*' "$d/server.log" | head -1)\""; fi
  cat > "$d/agent.toml" <<CFG
[agent]
server = "127.0.0.1:$listen"
name = "bench"
token = "benchmark-token-0123456789"
tls = $tls
log_level = "warn"
$pin

[[expose]]
http_host = "bench"
local = "127.0.0.1:$NGINX_PORT"
CFG
  env $perfmap $envs "$bin" agent -c "$d/agent.toml" >"$d/agent.log" 2>&1 & SL_AGENT=$!; PIDS+=($SL_AGENT)
  wait_http "$edge"
  SL_PID=$spid; SL_HTTP=$edge
}
start_sluice tls true; TLS_PID=$SL_PID; TLS_AGENT=$SL_AGENT; TLS_HTTP=$SL_HTTP
VARIANTS="direct ssh sluice-tls"
if [ "$PLAIN" = 1 ]; then
  start_sluice plain false; PLAIN_PID=$SL_PID; PLAIN_AGENT=$SL_AGENT; PLAIN_HTTP=$SL_HTTP
  VARIANTS="$VARIANTS sluice-plain"
fi
if [ -n "$BASE_BIN" ]; then
  start_sluice base true "$BASE_BIN" "${BASE_ENV:-${SLUICE_ENV:-}}"; BASE_PID=$SL_PID; BASE_AGENT=$SL_AGENT; BASE_HTTP=$SL_HTTP
  VARIANTS="$VARIANTS base-tls"
fi
if [ -n "${BASE2_BIN:-}" ]; then
  start_sluice base2 true "$BASE2_BIN"; BASE2_PID=$SL_PID; BASE2_AGENT=$SL_AGENT; BASE2_HTTP=$SL_HTTP
  VARIANTS="$VARIANTS base2-tls"
fi
wait_http "$NGINX_PORT"; wait_http "$SSH_R"

# Warm-up, not measured: a fresh .NET process runs its first seconds of load on unoptimised
# (tier-0) code while the JIT recompiles the hot methods, at several times the steady CPU cost.
if [ "$WARMUP" -gt 0 ]; then
  for p in $NGINX_PORT $SSH_R $TLS_HTTP ${PLAIN_HTTP:-} ${BASE_HTTP:-} ${BASE2_HTTP:-}; do
    timeout "$((WARMUP + 10))" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Host: $HOST" "http://127.0.0.1:$p/index.html" >/dev/null 2>&1 || true
  done
fi

RESULTS="$W/results.tsv"; : > "$RESULTS"
# One wrk run: req/s, p99 ms, errors, and CPU µs per request of wrk, nginx and the tunnel.
wrk_run() { # variant port tunnel_pids
  local t0 t1 n0 n1 own
  t0=$(cpu_sum $3); n0=$(cpu_tree "$NGINX_PID")
  # wrk's own user+system seconds, from the rusage of python's child; bounded by DURATION + 10 s
  own=$(python3 - "$W/wrk.out" timeout "$((DURATION + 10))" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -H "Host: $HOST" "http://127.0.0.1:$2/index.html" <<'PY'
import resource, subprocess, sys
with open(sys.argv[1], 'w') as out:
    subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)
PY
)
  t1=$(cpu_sum $3); n1=$(cpu_tree "$NGINX_PID")
  python3 - "$W/wrk.out" "$1" "$own" "$n0" "$n1" "$t0" "$t1" >>"$RESULTS" <<'PY' || echo "$1 wrk failed: $(tail -3 "$W/wrk.out")" >&2
import re, sys
text = open(sys.argv[1]).read()
variant = sys.argv[2]; own, n0, n1, t0, t1 = map(float, sys.argv[3:8])
def ms(v, unit): return float(v) * {'us': 1e-3, 'ms': 1, 's': 1e3, 'm': 6e4}[unit]
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', text).group(1))
p99 = ms(*re.search(r'^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$', text, re.M).groups())
n = int(re.search(r'(\d+) requests in', text).group(1))
errors = sum(int(x) for x in re.findall(r'(?:connect|read|write|timeout) (\d+)', text))
errors += int(m.group(1)) if (m := re.search(r'Non-2xx or 3xx responses: (\d+)', text)) else 0
us = lambda s: s * 1e6 / n if n else 0
print(f"{variant}\twrk\t{rps:.0f}\t{p99:.3f}\t{errors}\t{us(own):.2f}\t{us(n1 - n0):.2f}\t{us(t1 - t0):.2f}")
PY
}
# One 1 GiB download: MB/s and the tunnel's CPU seconds per GB (both ends).
big_run() { # variant port tunnel_pids
  local t0 t1 speed code
  t0=$(cpu_sum $3)
  speed=$(curl -s -o /dev/null --max-time "$BIG_MAX" -H "Host: $HOST" -w '%{speed_download} %{size_download} %{http_code}' \
    "http://127.0.0.1:$2/1g.bin" || true)
  t1=$(cpu_sum $3)
  read -r bps size code <<<"$speed"
  if [ "${code:-}" != 200 ] || [ "${size%.*}" != 1073741824 ]; then echo "$1 1 GiB download failed: $speed" >&2; return 0; fi
  python3 -c "print('$1\tbig\t%.1f\t%.3f' % ($bps / 1e6, ($t1 - $t0) / 1.073741824))" >>"$RESULTS"
}

for round in $(seq "$ROUNDS"); do
  echo "round $round/$ROUNDS, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  # The order rotates each round, so no variant always runs first (or right after the download).
  set -- $VARIANTS; for _ in $(seq $(( (round - 1) % $# ))); do set -- "${@:2}" "$1"; done
  for v in "$@"; do
    case $v in
      direct) P=$NGINX_PORT; T="";;
      ssh) P=$SSH_R; T="$SSHD_PID $SSH_PID";;
      sluice-tls) P=$TLS_HTTP; T="$TLS_PID $TLS_AGENT";;
      sluice-plain) P=$PLAIN_HTTP; T="$PLAIN_PID $PLAIN_AGENT";;
      base-tls) P=$BASE_HTTP; T="$BASE_PID $BASE_AGENT";;
      base2-tls) P=$BASE2_HTTP; T="$BASE2_PID $BASE2_AGENT";;
    esac
    for t in $TESTS; do
      case $t in
        wrk) wrk_run "$v" "$P" "$T";;
        big) big_run "$v" "$P" "$T";;
      esac
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

if [ -n "$PERF_DIR" ]; then
  # One more wrk run through sluice-tls, twice as long, with both processes sampled at 999 Hz.
  mkdir -p "$PERF_DIR"; PERF_PIDS=()
  echo "profiling sluice-tls (server $TLS_PID, agent $TLS_AGENT) into $PERF_DIR" >&2
  for who in server:$TLS_PID agent:$TLS_AGENT; do
    timeout "$((DURATION * 2 + 15))" perf record -F 999 -g -o "$PERF_DIR/${who%%:*}.data" -p "${who#*:}" -- sleep "$((DURATION * 2 + 1))" \
      >"$PERF_DIR/${who%%:*}.record.log" 2>&1 & PERF_PIDS+=($!); PIDS+=($!)
  done
  sleep 0.5
  timeout "$((DURATION * 2 + 10))" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$((DURATION * 2))s" --latency -H "Host: $HOST" \
    "http://127.0.0.1:$TLS_HTTP/index.html" >"$PERF_DIR/wrk.out" 2>&1 || true
  wait "${PERF_PIDS[@]}" || true
  for who in server agent; do
    perf report -i "$PERF_DIR/$who.data" --no-children --sort dso --stdio 2>/dev/null | head -40 >"$PERF_DIR/$who.dso.txt" || true
    perf report -i "$PERF_DIR/$who.data" --no-children --sort comm --stdio 2>/dev/null | head -40 >"$PERF_DIR/$who.comm.txt" || true
    perf report -i "$PERF_DIR/$who.data" --no-children --sort sym --stdio -g none 2>/dev/null | head -80 >"$PERF_DIR/$who.sym.txt" || true
    perf report -i "$PERF_DIR/$who.data" --children --sort sym --stdio -g none 2>/dev/null | head -120 >"$PERF_DIR/$who.children.txt" || true
    perf script -i "$PERF_DIR/$who.data" -F ip,sym,dso 2>/dev/null | python3 bench/perf-attribute.py >"$PERF_DIR/$who.components.txt" || true
  done
  cp /tmp/perf-"$TLS_PID".map /tmp/perf-"$TLS_AGENT".map "$PERF_DIR"/ 2>/dev/null || true
fi

python3 - "$RESULTS" "$CIPHER" "$ROUNDS" "$DURATION" "$THREADS" "$CONNECTIONS" "$VARIANTS" "$LOAD_END" <<'PY'
import sys, statistics as st
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
cipher, rounds, duration, threads, conns, variants, load = sys.argv[2:]
variants = variants.split()
def med(v, w, i):
    values = [float(r[i]) for r in rows if r[0] == v and r[1] == w]
    return st.median(values) if values else float('nan')
def total(v, w, i): return sum(float(r[i]) for r in rows if r[0] == v and r[1] == w)
print(f"rounds={rounds}, wrk -t{threads} -c{conns} -d{duration}s --latency (612-byte file), curl 1 GiB; "
      f"ssh cipher {cipher}; load average at the end {load}\n")
print("| variant | wrk req/s | wrk p99 ms | wrk errors (all runs) | 1 GiB download MB/s |")
print("|---|---|---|---|---|")
for v in variants:
    print(f"| {v} | {med(v,'wrk',2):,.0f} | {med(v,'wrk',3):.2f} | {total(v,'wrk',4):.0f} | {med(v,'big',2):,.0f} |".replace('nan', '-'))
print("\n| ratio (same run) | req/s | p99 (lower is better) | 1 GiB MB/s |")
print("|---|---|---|---|")
for v in variants[2:]:
    for ref in ('ssh', 'direct'):
        r = lambda w, i: med(v, w, i) / med(ref, w, i)
        print(f"| {v} / {ref} | {r('wrk',2):.2f}x | {r('wrk',3):.2f}x | {r('big',2):.2f}x |".replace('nanx', '-'))
print("\n| wrk req/s per run, in run order | " + " | ".join(variants) + " |")
print("|---|" + "---|" * len(variants))
runs = {v: [float(r[2]) for r in rows if r[0] == v and r[1] == 'wrk'] for v in variants}
for i in range(max(len(x) for x in runs.values())):
    print(f"| {i + 1} | " + " | ".join(f"{runs[v][i]:,.0f}" if i < len(runs[v]) else "-" for v in variants) + " |")
print("\n| CPU µs per request (wrk) | wrk | nginx | tunnel (both ends) | total | 2 cores / total, req/s | measured req/s | tunnel CPU s per GB (1 GiB download) |")
print("|---|---|---|---|---|---|---|---|")
for v in variants:
    c, s, t = (med(v, 'wrk', i) for i in (5, 6, 7))
    big = '-' if v == 'direct' else f"{med(v,'big',3):.2f}"
    print(f"| {v} | {c:.1f} | {s:.1f} | {t:.1f} | {c+s+t:.1f} | {2e6/(c+s+t):,.0f} | {med(v,'wrk',2):,.0f} | {big} |".replace('nan', '-'))
PY
