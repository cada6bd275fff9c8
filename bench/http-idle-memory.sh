#!/usr/bin/env bash
# Memory per idle HTTP keep-alive user of an HTTP tunnel: N users each open one connection to
# the edge of `sluice run`, make one GET through the tunnel to a private nginx (612-byte page)
# and then stay connected and silent; RSS of `sluice run` (the edge) and `sluice agent` before
# and 5 s after, per user. Two modes:
#   MODE=edge    (default) the GETs one after another: they all reuse one pooled tunnel
#                connection, so this is what an idle user's connection to the edge costs;
#   MODE=pooled  the N GETs in flight at once (N at most 1024, the edge's streams per host):
#                each leaves a pooled tunnel connection behind (a multiplexed stream, and at
#                the agent its connection to nginx) until its 30 s idle timeout.
# Release build required (dotnet build src/Sluice.Cli -c Release). Needs nginx and python3.
# Env: N (default 2000 for edge, 1000 for pooled), MODE.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SLUICE_BIN:-$(pwd)/src/Sluice.Cli/bin/Release/net10.0/sluice}
MODE=${MODE:-edge}
if [ "$MODE" = pooled ]; then N=${N:-1000}; else N=${N:-2000}; fi
W=$(mktemp -d /tmp/http-idle.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$W"' EXIT
ulimit -n 20000 2>/dev/null || true
. bench/ports.sh          # port, wait_port (the script runs from the repository root)
. bench/private-nginx.sh  # start_private_nginx
start_private_nginx
LISTEN=$(port); EDGE=$(port)
cat > "$W/sluice.toml" <<CFG
[server]
log_level = "warn"
access_log = false
[tunnel_server]
listen = "127.0.0.1:$LISTEN"
http_listen = "127.0.0.1:$EDGE"
domain = "tunnel.test"
[[tunnel_server.agent]]
name = "idle"
token = "idle-memory-token-0123"
CFG
"$BIN" run -c "$W/sluice.toml" >"$W/server.log" 2>&1 & SERVER=$!; PIDS+=($SERVER)
for _ in $(seq 100); do grep -q 'sha256:' "$W/server.log" 2>/dev/null && grep -q 'HTTP edge listening' "$W/server.log" && break; sleep 0.1; done
PIN=$(grep -o 'sha256:[0-9A-F:]*' "$W/server.log" | head -1)
cat > "$W/agent.toml" <<CFG
[agent]
server = "127.0.0.1:$LISTEN"
name = "idle"
token = "idle-memory-token-0123"
server_fingerprint = "$PIN"
log_level = "warn"
[[expose]]
http_host = "idle"
local = "127.0.0.1:$NGINX_PORT"
CFG
"$BIN" agent -c "$W/agent.toml" >"$W/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: idle.tunnel.test' "http://127.0.0.1:$EDGE/index.html" || true)" = 200 ] && break; sleep 0.1; done
python3 - "$EDGE" "$N" "$SERVER" "$AGENT" "$MODE" <<'PY'
import socket, sys, time
port, n, server, agent, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
request = b'GET /index.html HTTP/1.1\r\nHost: idle.tunnel.test\r\n\r\n'
def rss(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS'): return int(line.split()[1])
def get(s, send=True):
    if send:
        s.sendall(request)
    data = b''
    while b'\r\n\r\n' not in data or len(data) - data.index(b'\r\n\r\n') - 4 < 612:
        chunk = s.recv(65536)
        assert chunk, f'connection closed before the response ended: {data[:300]!r}'
        data += chunk
    assert data.startswith(b'HTTP/1.1 200'), data[:40]
# Warm up: JIT, pools and the tunnel's own stream before the baseline; pooled connections of
# the warm-up are gone after their 30 s idle timeout, so the baseline waits that out.
for _ in range(200):
    s = socket.create_connection(('127.0.0.1', port)); get(s); s.close()
time.sleep(35)
b_server, b_agent = rss(server), rss(agent)
held = []
for i in range(n):
    s = socket.create_connection(('127.0.0.1', port))
    if mode == 'pooled':
        s.sendall(request)  # all in flight before any is read: one tunnel stream each
    else:
        get(s)
    held.append(s)
if mode == 'pooled':
    for s in held:
        get(s, send=False)
time.sleep(5)
a_server, a_agent = rss(server), rss(agent)
get(held[0])  # the idle connections still work
def per(after, before): return (after - before) * 1024 // n
print(f'MODE={mode} N={n} idle HTTP keep-alive users through the edge (TLS link), 5 s after their GET')
print(f'| sluice run (edge) bytes per user | sluice agent bytes per user | baseline RSS run / agent |')
print(f'|---|---|---|')
print(f'| {per(a_server, b_server):,} | {per(a_agent, b_agent):,} | {b_server // 1024} / {b_agent // 1024} MiB |')
PY
