#!/usr/bin/env bash
# Firehose gateway against a direct .NET echo server, as two servers under the same external
# load: `sluice bench firehose --target` (the load clients, their own process) drives either
#   gateway: `sluice run` with one [[firehose]]  →  `sluice bench firehose-server --role master`
#   direct:  `sluice bench firehose-server --role direct` (one socket per client, echo)
# All three are the same binary, so they run with the same runtime settings (inline socket
# completions, workstation non-concurrent GC). Servers start fresh for every run. Interleaved
# rounds (the order alternates), medians, gateway/direct ratio; prints a markdown table.
#
# Env: CASES ("clients:size:window ..."; default "1000:64:8 8000:64:8 1000:4096:2 8000:4096:2"),
# ROUNDS (3), DURATION (8s), WARMUP (2s), SLUICE_BIN; SLUICE_FIREHOSE_ENGINE=sockets (passed on to
# the gateway) measures the .NET-sockets firehose engine instead of the epoll one. Wrap in flock
# on shared machines (-o, so the servers started here do not hold the lock):
#   flock -o /tmp/sluice-bench.lock bench/firehose-vs-direct.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${SLUICE_BIN:-$ROOT/src/Sluice.Cli/bin/Release/net10.0/sluice}
CASES=${CASES:-"1000:64:8 8000:64:8 1000:4096:2 8000:4096:2"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-2s}
[ -x "$BIN" ] || { echo "build first: dotnet build src/Sluice.Cli -c Release" >&2; exit 1; }
ulimit -n 20000

W=$(mktemp -d /tmp/firehose-bench.XXXXXX)
PIDS=()
stop_servers() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_servers; rm -rf "$W"' EXIT

. bench/ports.sh   # port, wait_port (the script runs from the repository root)

# One run; prints "msg/s p50 p99 server-cores".
run() {
  local mode=$1 clients=$2 size=$3 window=$4 listen master
  listen=$(port)
  if [ "$mode" = gateway ]; then
    master=$(port)
    "$BIN" bench firehose-server --role master --listen "127.0.0.1:$master" >"$W/master.log" 2>&1 & PIDS+=($!)
    wait_port "$master"
    cat >"$W/sluice.toml" <<TOML
[server]
log_level = "warn"
access_log = false

[[firehose]]
name = "bench"
listen = "127.0.0.1:$listen"
master = "127.0.0.1:$master"
max_clients = $((clients + 100))
TOML
    "$BIN" run -c "$W/sluice.toml" >"$W/sluice.log" 2>&1 & PIDS+=($!)
  else
    "$BIN" bench firehose-server --role direct --listen "127.0.0.1:$listen" >"$W/direct.log" 2>&1 & PIDS+=($!)
  fi
  wait_port "$listen"
  sleep 0.5 # the gateway dials its master
  "$BIN" bench firehose --target "127.0.0.1:$listen" --mode "$mode" -n "$clients" -s "$size" -w "$window" \
    -d "$DURATION" --warmup "$WARMUP" --cpu-of "${PIDS[@]}" >"$W/out" 2>&1 || { cat "$W/out" >&2; stop_servers; exit 1; }
  stop_servers
  python3 - "$W/out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rate = re.search(r'([\d,]+) msg/s echoed', t).group(1).replace(',', '')
p50 = re.search(r'p50 ([\d,]+)', t).group(1).replace(',', '')
p99 = re.search(r' p99 ([\d,]+)', t).group(1).replace(',', '')
cores = re.search(r'server CPU ([\d.]+) cores', t).group(1)
print(rate, p50, p99, cores)
PY
}

echo "load: $(uptime | sed 's/.*load average/load average/')"
echo "| clients × size | window | gateway msg/s | direct msg/s | gateway / direct | gateway p50 / p99 µs | direct p50 / p99 µs | server cores gateway / direct | msg/s per server core gateway / direct |"
echo "|---|---|---|---|---|---|---|---|---|"
for c in $CASES; do
  IFS=: read -r clients size window <<<"$c"
  : >"$W/gateway"; : >"$W/direct"
  for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="gateway direct"; else order="direct gateway"; fi
    for m in $order; do
      res=$(run "$m" "$clients" "$size" "$window")
      echo "$res" >>"$W/$m"
      echo "  round $r $m: $res (msg/s p50 p99 cores)" >&2
    done
  done
  python3 - "$W/gateway" "$W/direct" "$clients" "$size" "$window" <<'PY'
import statistics as st, sys
g = [list(map(float, l.split())) for l in open(sys.argv[1])]
d = [list(map(float, l.split())) for l in open(sys.argv[2])]
med = lambda rows, i: st.median(r[i] for r in rows)
ratios = [a[0] / b[0] for a, b in zip(g, d)]
print(f"| {int(sys.argv[3]):,} × {sys.argv[4]} B | {sys.argv[5]} | {med(g,0):,.0f} | {med(d,0):,.0f} | {med(g,0)/med(d,0):.2f} (rounds {min(ratios):.2f}–{max(ratios):.2f}) | {med(g,1):,.0f} / {med(g,2):,.0f} | {med(d,1):,.0f} / {med(d,2):,.0f} | {med(g,3):.2f} / {med(d,3):.2f} | {st.median(r[0]/r[3] for r in g):,.0f} / {st.median(r[0]/r[3] for r in d):,.0f} |")
PY
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
