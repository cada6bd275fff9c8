#!/usr/bin/env bash
# Memory per idle tunnelled connection: N user connections held open through one agent's
# reverse tunnel (to a built-in echo server), no bytes moving; RSS of `sluice run` (the tunnel
# server) and `sluice agent` before and after, after a short settle. Release build required.
# Env: N (default 2000; each costs the server 2 fds... the user socket, and the agent 1).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SLUICE_BIN:-$(pwd)/src/Sluice.Cli/bin/Release/net10.0/sluice}
N=${N:-2000}
W=$(mktemp -d /tmp/tunnel-idle.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$W"' EXIT
. bench/ports.sh   # port, wait_port (the script runs from the repository root)
LISTEN=$(port); ECHO=$(port); PUB=$(port)
cat > "$W/sluice.toml" <<CFG
[server]
log_level = "warn"
access_log = false
[tunnel_server]
listen = "127.0.0.1:$LISTEN"
tls = true
[[tunnel_server.agent]]
name = "idle"
token = "idle-memory-token-0123"
allow_ports = ["$PUB"]
CFG
cat > "$W/echo.toml" <<CFG
[server]
log_level = "warn"
access_log = false
[[echo]]
listen = "127.0.0.1:$ECHO"
CFG
"$BIN" run -c "$W/echo.toml" >"$W/echo.log" 2>&1 & PIDS+=($!)
"$BIN" run -c "$W/sluice.toml" >"$W/server.log" 2>&1 & SERVER=$!; PIDS+=($SERVER)
for _ in $(seq 100); do grep -q 'sha256:' "$W/server.log" 2>/dev/null && grep -q 'listening for agents' "$W/server.log" && break; sleep 0.1; done
PIN=$(grep -o 'sha256:[0-9A-F:]*' "$W/server.log" | head -1)
cat > "$W/agent.toml" <<CFG
[agent]
server = "127.0.0.1:$LISTEN"
name = "idle"
token = "idle-memory-token-0123"
server_fingerprint = "$PIN"
log_level = "warn"
[[expose]]
name = "echo"
remote_port = $PUB
local = "127.0.0.1:$ECHO"
CFG
"$BIN" agent -c "$W/agent.toml" >"$W/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
sleep 3
rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
python3 - "$PUB" "$N" "$SERVER" "$AGENT" <<'PY'
import socket, sys, time, gc
port, n, server, agent = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def rss(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS'): return int(line.split()[1])
# Warm up: a few round trips so JIT and pools are in place before the baseline.
for _ in range(20):
    s = socket.create_connection(('127.0.0.1', port)); s.sendall(b'x'); s.recv(1); s.close()
time.sleep(2)
b_server, b_agent = rss(server), rss(agent)
held = []
for i in range(n):
    s = socket.create_connection(('127.0.0.1', port)); s.sendall(b'p'); held.append(s)
for s in held:
    assert s.recv(1) == b'p'
time.sleep(5)
a_server, a_agent = rss(server), rss(agent)
print(f"N={n} idle connections through one agent's reverse tunnel (TLS), echo backend")
print(f"| process | RSS before KiB | RSS with N idle KiB | per connection |")
print(f"|---|---|---|---|")
print(f"| tunnel server (sluice run) | {b_server} | {a_server} | {(a_server-b_server)*1024/n/1024:.1f} KB |")
print(f"| agent (sluice agent) | {b_agent} | {a_agent} | {(a_agent-b_agent)*1024/n/1024:.1f} KB |")
for s in held: s.close()
PY
