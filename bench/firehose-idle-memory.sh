#!/usr/bin/env bash
# Memory per idle firehose client: `sluice run` with one [[firehose]] and the bench echo master,
# then N clients (`sluice bench hold --firehose`) that complete the new-session handshake, get one
# message echoed and stay silent; the gateway's RSS after a warm-up and after settling, per client.
# Once per engine (epoll, the Linux default, and the portable sockets engine). Release build.
# Env: N (default 6000), WARMUP (default 200), ENGINES (default "epoll sockets"), SLUICE_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SLUICE_BIN:-$(pwd)/src/Sluice.Cli/bin/Release/net10.0/sluice}
N=${N:-6000}
WARMUP=${WARMUP:-200}
ENGINES=${ENGINES:-"epoll sockets"}
[ -x "$BIN" ] || { echo "build first: dotnet build src/Sluice.Cli -c Release" >&2; exit 1; }
ulimit -n 20000
W=$(mktemp -d /tmp/firehose-idle.XXXXXX)
PIDS=()
stop() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap 'stop; rm -rf "$W"' EXIT
. bench/ports.sh   # port, wait_port

for engine in $ENGINES; do
  LISTEN=$(port); MASTER=$(port)
  "$BIN" bench firehose-server --role master --listen "127.0.0.1:$MASTER" >"$W/master.log" 2>&1 & PIDS+=($!)
  wait_port "$MASTER"
  cat >"$W/sluice.toml" <<TOML
[server]
log_level = "warn"
access_log = false

[[firehose]]
name = "idle"
listen = "127.0.0.1:$LISTEN"
master = "127.0.0.1:$MASTER"
max_clients = $((N + WARMUP + 100))
TOML
  SLUICE_FIREHOSE_ENGINE=$engine "$BIN" run -c "$W/sluice.toml" >"$W/sluice.log" 2>&1 & PIDS+=($!)
  GATEWAY=$!
  wait_port "$LISTEN"
  sleep 0.5 # the gateway dials its master
  "$BIN" bench hold "127.0.0.1:$LISTEN" --firehose -c "$N" --warmup "$WARMUP" --pid "$GATEWAY" --settle 3s --json "$W/hold.json" --quiet >"$W/hold.log" 2>&1 \
    || { cat "$W/hold.log" >&2; exit 1; }
  python3 - "$engine" "$N" "$W/hold.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[3]))
print(f"{sys.argv[1]:8} {r['held']} idle clients: RSS {r['rssBeforeBytes']/1e6:.1f} -> {r['rssAfterBytes']/1e6:.1f} MB, "
      f"{r['rssPerConnectionBytes']:,.0f} B per client, errors {r['errors']}")
PY
  stop
done
