#!/usr/bin/env bash
# Sluice tunnels (TLS and plain TCP) against ssh -L / ssh -R through a local sshd, all on
# loopback, same run, interleaved rounds; prints a markdown table with medians and ratios.
#
#   forward (ssh -L  vs  agent [[forward]] target):  iperf3 1 stream and 8 streams
#   reverse (ssh -R  vs  agent [[expose]]):          redis-benchmark GET (req/s, p99)
#   server CPU seconds per GB carried (sshd's process tree vs `sluice run`) during iperf3
#   CPU µs per GET request during redis-benchmark: the client, redis-server, and the tunnel's
#   processes at both ends (sshd's tree + ssh; sluice run + sluice agent; both stunnels), and
#   the req/s two cores could do at that cost (2 CPU seconds per second / total µs per request)
#
# Needs: iperf3, redis-server, redis-benchmark, sshd + ssh (openssh), python3, a Release build
# (dotnet build src/Sluice.Cli -c Release). The sshd is a private one: a temp host key and
# authorized_keys, a high loopback port, run as an unprivileged user (nobody when started as
# root); the system sshd is not touched.
# Env: ROUNDS (default 3), DURATION seconds per iperf3 run (5), REDIS_N requests (100000),
# TESTS (default "iperf1 iperf8 redis": which measurements each round makes), SLUICE_ENV
# (optional "VAR=value ..." for every sluice process, e.g. DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1),
# BASE_BIN (optional: a second sluice build, e.g. of main, measured with TLS as "base-tls"),
# BASE_ENV (optional: SLUICE_ENV for base-tls alone, e.g. to A/B a runtime setting on one build),
# STUNNEL=1 (optional: a C TLS relay for reference, stunnel4 client + server with TLS 1.3
# AES-128-GCM; one TLS connection per user connection, so not a multiplexer).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${SLUICE_BIN:-$ROOT/src/Sluice.Cli/bin/Release/net10.0/sluice}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
REDIS_N=${REDIS_N:-100000}
TESTS=${TESTS:-iperf1 iperf8 redis}
BASE_BIN=${BASE_BIN:-}
[ -n "${BASE_ENV:-}" ] && [ -z "$BASE_BIN" ] && BASE_BIN=$BIN
[ -x "$BIN" ] || { echo "build first: dotnet build src/Sluice.Cli -c Release" >&2; exit 1; }
for tool in iperf3 redis-server redis-benchmark ssh ssh-keygen python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)

W=$(mktemp -d /tmp/tunnel-bench.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$W/sshd.pid" ] && kill "$(cat "$W/sshd.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$W"
}
trap cleanup EXIT

. bench/ports.sh   # port, wait_port (the script runs from the repository root)
. bench/private-sshd.sh   # start_private_sshd
. bench/cpu-tree.sh   # cpu_tree PID: CPU seconds of a process and its descendants


IPERF=$(port); REDIS=$(port)
iperf3 -s -p "$IPERF" </dev/null >/dev/null 2>&1 & PIDS+=($!)
redis-server --port "$REDIS" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 & REDIS_PID=$!; PIDS+=($REDIS_PID)
wait_port "$IPERF"; wait_port "$REDIS"

# --- ssh: one connection carries both -L (to iperf3) and -R (to redis), like one agent ---
SSH_L=$(port); SSH_R=$(port)
start_private_sshd
ssh -N -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  -i "$SSH_KEY" -p "$SSH_PORT" -L "$SSH_L:127.0.0.1:$IPERF" -R "$SSH_R:127.0.0.1:$REDIS" "$SSH_USER@127.0.0.1" &
SSH_PID=$!; PIDS+=($SSH_PID)
wait_port "$SSH_L"; wait_port "$SSH_R"

# --- Sluice: one server + agent with TLS, one with plain TCP ---
# Sets SL_PID (the server), SL_AGENT (the agent), SL_L (forward listener) and SL_R (public reverse port); no subshell,
# so the started processes land in PIDS and are cleaned up.
start_sluice() { # name tls [binary [environment]]
  local name=$1 tls=$2 d="$W/$1" bin=${3:-$BIN} envs=${4:-${SLUICE_ENV:-}}; mkdir -p "$d"
  local listen; listen=$(port); local fwd; fwd=$(port); local pub; pub=$(port)
  cat > "$d/sluice.toml" <<CFG
[server]
log_level = "warn"
access_log = false

[tunnel_server]
listen = "127.0.0.1:$listen"
tls = $tls

[[tunnel_server.agent]]
name = "bench"
token = "benchmark-token-0123456789"
allow_ports = ["$pub"]
allow_forward = ["127.0.0.1:$IPERF"]
CFG
  env $envs "$bin" run -c "$d/sluice.toml" >"$d/server.log" 2>&1 & local spid=$!; PIDS+=($spid)
  wait_port "$listen"
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
name = "redis"
remote_port = $pub
local = "127.0.0.1:$REDIS"

[[forward]]
listen = "127.0.0.1:$fwd"
target = "127.0.0.1:$IPERF"
CFG
  env $envs "$bin" agent -c "$d/agent.toml" >"$d/agent.log" 2>&1 & SL_AGENT=$!; PIDS+=($SL_AGENT)
  wait_port "$fwd"; wait_port "$pub"
  SL_PID=$spid; SL_L=$fwd; SL_R=$pub
}
start_sluice tls true; TLS_PID=$SL_PID; TLS_AGENT=$SL_AGENT; TLS_L=$SL_L; TLS_R=$SL_R
start_sluice plain false; PLAIN_PID=$SL_PID; PLAIN_AGENT=$SL_AGENT; PLAIN_L=$SL_L; PLAIN_R=$SL_R
VARIANTS="direct ssh sluice-tls sluice-plain"
if [ "${STUNNEL:-0}" = 1 ]; then
  command -v stunnel4 >/dev/null || { echo "missing stunnel4" >&2; exit 1; }
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/st-key.pem" -out "$W/st-cert.pem" \
    -days 1 -subj /CN=localhost 2>/dev/null
  ST_TLS=$(port); ST_TLS_R=$(port); ST_L=$(port); ST_R=$(port)
  cat > "$W/st-server.conf" <<CFG
foreground = yes
pid =
cert = $W/st-cert.pem
key = $W/st-key.pem
ciphersuites = TLS_AES_128_GCM_SHA256
[fwd]
accept = 127.0.0.1:$ST_TLS
connect = 127.0.0.1:$IPERF
[rev]
accept = 127.0.0.1:$ST_TLS_R
connect = 127.0.0.1:$REDIS
CFG
  cat > "$W/st-client.conf" <<CFG
foreground = yes
pid =
client = yes
ciphersuites = TLS_AES_128_GCM_SHA256
[fwd]
accept = 127.0.0.1:$ST_L
connect = 127.0.0.1:$ST_TLS
[rev]
accept = 127.0.0.1:$ST_R
connect = 127.0.0.1:$ST_TLS_R
CFG
  stunnel4 "$W/st-server.conf" >"$W/st-server.log" 2>&1 & ST_PID=$!; PIDS+=($ST_PID)
  stunnel4 "$W/st-client.conf" >"$W/st-client.log" 2>&1 & ST_CLIENT=$!; PIDS+=($ST_CLIENT)
  wait_port "$ST_L"; wait_port "$ST_R"
  VARIANTS="$VARIANTS stunnel-tls"
fi
if [ -n "$BASE_BIN" ]; then
  start_sluice base true "$BASE_BIN" "${BASE_ENV:-${SLUICE_ENV:-}}"; BASE_PID=$SL_PID; BASE_AGENT=$SL_AGENT; BASE_L=$SL_L; BASE_R=$SL_R
  VARIANTS="$VARIANTS base-tls"
fi

RESULTS="$W/results.tsv"; : > "$RESULTS"
iperf_run() { # variant port streams server_pid
  local before after json bps
  before=$([ -n "$4" ] && cpu_tree "$4" || echo 0)
  json=$(iperf3 -c 127.0.0.1 -p "$2" -t "$DURATION" -P "$3" -J || true)
  after=$([ -n "$4" ] && cpu_tree "$4" || echo 0)
  if ! bps=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' <<<"$json" 2>/dev/null); then
    echo "$1 iperf3 -P $3 failed: $(python3 -c 'import json,sys; print(json.load(sys.stdin).get("error","?"))' <<<"$json" 2>/dev/null)" >&2
    return 0
  fi
  python3 -c "
bps=$bps; cpu=$after-$before; gb=bps*$DURATION/8/1e9
print('$1\tiperf$3\t%.0f\t%.3f' % (bps, cpu/gb if gb else 0))" >>"$RESULTS"
}
redis_run() { # variant port tunnel_pids (both ends, each with its process tree)
  local csv t0 t1 r0 r1 own
  t0=$(cpu_sum $3); r0=$(cpu_tree "$REDIS_PID")
  # redis-benchmark's own user+system seconds, from the rusage of python's child
  own=$(python3 - "$W/rb.out" redis-benchmark -h 127.0.0.1 -p "$2" -c 50 -n "$REDIS_N" -t get --csv <<'PY'
import resource, subprocess, sys
with open(sys.argv[1], 'w') as out:
    subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)
PY
)
  t1=$(cpu_sum $3); r1=$(cpu_tree "$REDIS_PID")
  csv=$(tail -1 "$W/rb.out")
  case $csv in *GET*) ;; *) echo "$1 redis-benchmark failed" >&2; return 0;; esac
  python3 -c "
row='''$csv'''.replace('\"','').split(',')
us=lambda s: s*1e6/$REDIS_N
print('$1\tredis\t%s\t%s\t%.2f\t%.2f\t%.2f' % (row[1], row[6], us(${own:-0}), us($r1-$r0), us($t1-$t0)))" >>"$RESULTS"
}
# CPU seconds of several process trees together (none: 0).
cpu_sum() { local s=0 p; for p in "$@"; do s=$(python3 -c "print($s+$(cpu_tree "$p"))"); done; echo "$s"; }

for round in $(seq "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  for v in $VARIANTS; do
    case $v in
      direct) L=$IPERF; R=$REDIS; P=""; T="";;
      ssh) L=$SSH_L; R=$SSH_R; P=$SSHD_PID; T="$SSHD_PID $SSH_PID";;
      sluice-tls) L=$TLS_L; R=$TLS_R; P=$TLS_PID; T="$TLS_PID $TLS_AGENT";;
      sluice-plain) L=$PLAIN_L; R=$PLAIN_R; P=$PLAIN_PID; T="$PLAIN_PID $PLAIN_AGENT";;
      base-tls) L=$BASE_L; R=$BASE_R; P=$BASE_PID; T="$BASE_PID $BASE_AGENT";;
      stunnel-tls) L=$ST_L; R=$ST_R; P=$ST_PID; T="$ST_PID $ST_CLIENT";;
    esac
    for t in $TESTS; do
      case $t in
        iperf1) iperf_run "$v" "$L" 1 "$P";;
        iperf8) iperf_run "$v" "$L" 8 "$P";;
        redis) redis_run "$v" "$R" "$T";;
      esac
    done
  done
done

python3 - "$RESULTS" "$CIPHER" "$ROUNDS" "$DURATION" "$REDIS_N" "$VARIANTS" <<'PY'
import sys, statistics as st
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
cipher, rounds, duration, n, variants = sys.argv[2:]
variants = variants.split()
def med(v, w, i):
    values = [float(r[i]) for r in rows if r[0] == v and r[1] == w]
    return st.median(values) if values else float('nan')
print(f"rounds={rounds} iperf3 -t {duration}s, redis-benchmark -c 50 -n {n} -t get; ssh cipher {cipher}\n")
print("| variant | iperf3 1 stream Gbit/s | iperf3 8 streams Gbit/s | redis GET req/s | redis p99 ms | server CPU s/GB (1 stream) | server CPU s/GB (8 streams) |")
print("|---|---|---|---|---|---|---|")
for v in variants:
    cpu1 = '-' if v == 'direct' else f"{med(v,'iperf1',3):.2f}"
    cpu8 = '-' if v == 'direct' else f"{med(v,'iperf8',3):.2f}"
    print(f"| {v} | {med(v,'iperf1',2)/1e9:.2f} | {med(v,'iperf8',2)/1e9:.2f} | {med(v,'redis',2):,.0f} | {med(v,'redis',3):.2f} | {cpu1} | {cpu8} |")
print("\n| ratio vs ssh | 1 stream | 8 streams | GET req/s | p99 (lower is better) | CPU s/GB 1 stream |")
print("|---|---|---|---|---|---|")
for v in variants[2:]:
    r = lambda w, i: med(v, w, i) / med('ssh', w, i)
    print(f"| {v} | {r('iperf1',2):.2f}x | {r('iperf8',2):.2f}x | {r('redis',2):.2f}x | {r('redis',3):.2f}x | {r('iperf1',3):.2f}x |")
print("\n| redis GET, CPU µs per request | redis-benchmark | redis-server | tunnel (both ends) | total | 2 cores / total, req/s | measured req/s |")
print("|---|---|---|---|---|---|---|")
for v in variants:
    c, s, t = (med(v, 'redis', i) for i in (4, 5, 6))
    print(f"| {v} | {c:.1f} | {s:.1f} | {t:.1f} | {c+s+t:.1f} | {2e6/(c+s+t):,.0f} | {med(v,'redis',2):,.0f} |")
PY
