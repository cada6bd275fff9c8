#!/usr/bin/env bash
# Side-by-side comparison on loopback: Sluice against HAProxy and nginx `stream` (1 worker and
# auto), each in front of the same backends, for the workloads of the performance issue. Runs
# every workload against every target interleaved (round-major: all targets once, then again),
# records each tool's raw output, and hands them to the report tool, which takes medians and
# writes the results section of docs/benchmarks.md and the charts in docs/img/.
#
#   bench/compare.sh [--quick|--smoke] [--rounds N] [--only w1,w2] [--targets t1,t2] [--label NAME]
#                    [--no-docs] [--no-build] [--sluice PATH] [--port-base N] [--keep] [--syscalls]
#
#   --quick       short runs, 2 rounds (under 3 minutes); default is the full run (about 10)
#   --smoke       tiny runs, 1 round (under a minute): checks that everything starts and parses
#   --only        workloads to run: redis,wrk,ab,iperf1,iperf8,hold,rr (default: all)
#   --targets     targets to run: direct,haproxy,nginx1,nginxauto,sluice (default: all; e.g.
#                 haproxy,sluice for a quicker check of an engine change)
#   --label       a name for this run (e.g. the lever being tried), shown in the report
#   --no-docs     write the report into the results directory only, not into docs/
#   --no-build    use the existing Release build
#   --sluice      the sluice binary to measure (default: this tree's Release build)
#   --keep        keep the temporary directory (configs, logs, raw outputs)
#   --syscalls    also count system calls per request (strace -c) of HAProxy, nginx and Sluice
#                 on one extra, untimed redis, wrk and ab run each
#
# Environment: SLUICE_ENV="VAR=value ..." is applied to the measured Sluice proxy process only
# (e.g. SLUICE_ENV="DOTNET_gcServer=1" or "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0"),
# so an engine lever can be re-measured without touching the load generators or the peers.
#
# It installs nothing: missing tools are named with their Debian packages, and it exits 2.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
quick=0
rounds=""
only="redis,wrk,ab,iperf1,iperf8,hold,rr"
wanted_targets="direct,haproxy,nginx1,nginxauto,sluice"
label=""
docs=1
build=1
sluice=""
port_base=24000
keep=0
syscalls=0

usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --smoke) quick=2 ;;
    --rounds) rounds=$2; shift ;;
    --only) only=$2; shift ;;
    --targets) wanted_targets=$2; shift ;;
    --label) label=$2; shift ;;
    --no-docs) docs=0 ;;
    --no-build) build=0 ;;
    --sluice) sluice=$2; shift ;;
    --port-base) port_base=$2; shift ;;
    --keep) keep=1 ;;
    --syscalls) syscalls=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# --- what is needed, and which Debian package has it -------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need haproxy haproxy
need nginx nginx-light
need redis-server redis-server
need redis-benchmark redis-tools
need iperf3 iperf3
need wrk wrk
need ab apache2-utils
need dotnet "the .NET 10 SDK (https://dotnet.microsoft.com/download)"
stream_module=""
for m in /usr/lib/nginx/modules/ngx_stream_module.so /usr/lib64/nginx/modules/ngx_stream_module.so; do
  [ -f "$m" ] && stream_module=$m && break
done
[ -n "$stream_module" ] || missing+=(libnginx-mod-stream)
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: missing: ${missing[*]}" >&2
  echo "  on Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi

# --- sizes: quick fits in under 3 minutes, full in about 10 -------------------------------
if [ "$quick" = 2 ]; then
  : "${rounds:=1}"; redis_n=5000; wrk_d=1; ab_n=2000; iperf_t=1; hold_n=500; hold_rounds=1; rr_d=1s; rr_warm=0s
elif [ "$quick" = 1 ]; then
  : "${rounds:=2}"; redis_n=60000; wrk_d=2; ab_n=15000; iperf_t=1; hold_n=6000; hold_rounds=1; rr_d=3s; rr_warm=1s
else
  : "${rounds:=3}"; redis_n=200000; wrk_d=5; ab_n=40000; iperf_t=5; hold_n=6000; hold_rounds=3; rr_d=10s; rr_warm=2s
fi

work=$(mktemp -d /tmp/sluice-compare.XXXXXX)
raw=$work/raw
mkdir -p "$raw"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then echo "compare.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- build --------------------------------------------------------------------------------
report_dll=$repo/bench/Sluice.Benchmarks/bin/Release/net10.0/Sluice.Benchmarks.dll
if [ "$build" = 1 ]; then
  log "building Sluice and the report tool (Release)"
  [ -n "$sluice" ] || dotnet build "$repo/src/Sluice.Cli" -c Release -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  dotnet build "$repo/bench/Sluice.Benchmarks" -c Release -v q -nologo >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
fi
: "${sluice:=$repo/src/Sluice.Cli/bin/Release/net10.0/sluice}"
[ -x "$sluice" ] || { echo "compare.sh: no sluice binary at $sluice (build it, or pass --sluice)" >&2; exit 1; }
[ -f "$report_dll" ] || { echo "compare.sh: no report tool at $report_dll (run without --no-build)" >&2; exit 1; }

ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- ports: one per backend, and per proxy one port per backend ---------------------------
# backend index: 0 redis, 1 nginx http, 2 iperf3, 3 sluice echo
backend_port() { echo $((port_base + $1)); }
proxy_port() { # proxy index (1 haproxy, 2 nginx1, 3 nginxauto, 4 sluice), backend index
  echo $((port_base + 100 * $1 + $2))
}
declare -A proxy_index=([haproxy]=1 [nginx1]=2 [nginxauto]=3 [sluice]=4)

wait_port() { # port [seconds]
  local deadline=$((SECONDS + ${2:-15}))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "compare.sh: nothing listens on 127.0.0.1:$1 (see $work/*.log)" >&2; return 1; }
    sleep 0.1
  done
}

start() { # name, command...: runs in the background, output to $work/name.log
  local name=$1; shift
  "$@" </dev/null >"$work/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
}

# Another run (or anything else) on these ports would answer in our peers' place.
for b in 0 1 2 3; do
  for port in "$(backend_port $b)" "$(proxy_port 1 $b)" "$(proxy_port 2 $b)" "$(proxy_port 3 $b)" "$(proxy_port 4 $b)"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "compare.sh: 127.0.0.1:$port is already in use (another comparison running?); pass --port-base" >&2
      exit 1
    fi
  done
done

# --- backends -----------------------------------------------------------------------------
log "starting backends"
start redis redis-server --port "$(backend_port 0)" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no --maxclients 10000 --dir "$work"

mkdir -p "$work/nginx-http"
cat >"$work/nginx-http/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx-http/nginx.pid;
error_log $work/nginx-http/error.log warn;
worker_rlimit_nofile 19000;
events { worker_connections 16000; }
http {
  access_log off;
  client_body_temp_path $work/nginx-http/tmp;
  proxy_temp_path $work/nginx-http/tmp;
  fastcgi_temp_path $work/nginx-http/tmp;
  uwsgi_temp_path $work/nginx-http/tmp;
  scgi_temp_path $work/nginx-http/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$(backend_port 1) backlog=4096;
    location / { default_type text/plain; return 200 "hello from the nginx backend\n"; }
  }
}
EOF
start nginx_http nginx -p "$work/nginx-http" -e "$work/nginx-http/error.log" -c "$work/nginx-http/nginx.conf"

start iperf3 iperf3 -s -B 127.0.0.1 -p "$(backend_port 2)"

cat >"$work/echo.toml" <<EOF
[server]
log_level = "warn"
access_log = false
shutdown_timeout = "1s"
[[echo]]
name = "echo"
listen = "127.0.0.1:$(backend_port 3)"
EOF
start echo "$sluice" run -c "$work/echo.toml"

# --- proxies ------------------------------------------------------------------------------
log "starting proxies"
{
  echo "global"
  echo "  maxconn 9000"
  echo "  pidfile $work/haproxy.pid"
  echo "defaults"
  echo "  mode tcp"
  echo "  maxconn 9000"
  echo "  timeout connect 5s"
  echo "  timeout client 10m"
  echo "  timeout server 10m"
  for b in 0 1 2 3; do
    echo "listen b$b"
    echo "  bind 127.0.0.1:$(proxy_port 1 $b)"
    echo "  server s 127.0.0.1:$(backend_port $b)"
  done
} >"$work/haproxy.cfg"
start haproxy haproxy -db -f "$work/haproxy.cfg"

nginx_stream() { # name, workers
  local dir=$work/$1
  mkdir -p "$dir"
  {
    echo "load_module $stream_module;"
    echo "worker_processes $2;"
    echo "daemon off;"
    echo "pid $dir/nginx.pid;"
    echo "error_log $dir/error.log warn;"
    echo "worker_rlimit_nofile 19000;"
    echo "events { worker_connections 18000; }"
    echo "stream {"
    for b in 0 1 2 3; do
      echo "  server { listen 127.0.0.1:$(proxy_port "${proxy_index[$1]}" $b) backlog=4096; proxy_pass 127.0.0.1:$(backend_port $b); }"
    done
    echo "}"
  } >"$dir/nginx.conf"
  start "$1" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
}
nginx_stream nginx1 1
nginx_stream nginxauto auto

{
  echo "[server]"
  echo "log_level = \"warn\""
  echo "access_log = false"
  echo "shutdown_timeout = \"1s\""
  for b in 0 1 2 3; do
    echo "[[proxy]]"
    echo "name = \"b$b\""
    echo "listen = \"127.0.0.1:$(proxy_port 4 $b)\""
    echo "cluster = \"b$b\""
    echo "[[cluster]]"
    echo "name = \"b$b\""
    echo "upstreams = [\"127.0.0.1:$(backend_port $b)\"]"
  done
} >"$work/sluice.toml"
# shellcheck disable=SC2086 # SLUICE_ENV is a list of VAR=value words
start sluice env ${SLUICE_ENV:-} "$sluice" run -c "$work/sluice.toml"

for b in 0 1 2 3; do
  wait_port "$(backend_port $b)"
  for p in 1 2 3 4; do wait_port "$(proxy_port $p $b)"; done
done
sleep 1

# The processes whose RSS `hold` measures: the proxy itself, or nginx's workers.
proxy_pids() {
  case "$1" in
    haproxy) echo "$pid_haproxy" ;;
    sluice) echo "$pid_sluice" ;;
    nginx1|nginxauto) local m; eval "m=\$pid_$1"; pgrep -P "$m" | paste -sd, ;;
  esac
}

# hold measures memory per connection as RSS after minus before. A process keeps the memory of
# connections it held before (allocators and the GC do not give it back at once): measured on
# Sluice, a second 6,000 right after a first cost 0.5 KB each instead of 6. So each hold gets a
# freshly started proxy, warmed with 200 connections (opened, checked, closed) before the baseline.
restart_proxy() { # target
  local pid
  eval "pid=\$pid_$1"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  case "$1" in
    haproxy) start haproxy haproxy -db -f "$work/haproxy.cfg" ;;
    nginx1) nginx_stream nginx1 1 ;;
    nginxauto) nginx_stream nginxauto auto ;;
    # shellcheck disable=SC2086
    sluice) start sluice env ${SLUICE_ENV:-} "$sluice" run -c "$work/sluice.toml" ;;
  esac
  for b in 0 1 2 3; do wait_port "$(proxy_port "${proxy_index[$1]}" "$b")"; done
  sleep 1
}

port_for() { # target, backend index
  if [ "$1" = direct ]; then backend_port "$2"; else proxy_port "${proxy_index[$1]}" "$2"; fi
}

# --- machine and versions -----------------------------------------------------------------
{
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "mode=$(case $quick in 1) echo quick ;; 2) echo smoke ;; *) echo full ;; esac)"
  echo "rounds=$rounds"
  echo "label=$label"
  echo "sluice_env=${SLUICE_ENV:-}"
  echo "nproc=$(nproc)"
  echo "kernel=$(uname -r)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "sluice=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo +changes)"
  echo "dotnet=$(dotnet --version 2>/dev/null)"
  echo "haproxy=$(haproxy -v | head -1 | cut -d' ' -f3)"
  echo "nginx=$(nginx -v 2>&1 | sed 's/.*nginx\///')"
  echo "redis=$(redis-server --version | sed -E 's/.* v=([^ ]+).*/\1/')"
  echo "iperf3=$(iperf3 --version | head -1 | cut -d' ' -f2)"
  echo "wrk=$(wrk --version 2>&1 | head -1 | cut -d' ' -f2)"
  echo "ab=$(ab -V | head -1 | sed -E 's/.*Version ([^ ]+).*/\1/')"
  echo "sizes=redis -n $redis_n; wrk -d ${wrk_d}s; ab -n $ab_n; iperf3 -t $iperf_t; hold $hold_n x $hold_rounds rounds; rr $rr_d after $rr_warm warm-up"
} >"$raw/meta.txt"

# --- workloads ----------------------------------------------------------------------------
all_targets=(direct haproxy nginx1 nginxauto sluice)
rotate() { # round, targets...: a different starting target each round
  local r=$1; shift; local a=("$@") n=$#
  for ((i = 0; i < n; i++)); do echo "${a[$(((i + r) % n))]}"; done
}

# CPU time (user + system, in clock ticks) used so far by the target's proxy processes (nginx:
# its workers); 0 for the direct target. Read around a run, it tells how much CPU the proxy
# spent on that run's requests: a number that the machine's load moves much less than req/s.
cpu_ticks() { # target
  [ "$1" = direct ] && { echo 0; return; }
  local ticks=0 p
  for p in $(proxy_pids "$1" | tr ',' ' '); do
    [ -r "/proc/$p/stat" ] && ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$ticks"
}

run_one() { # workload, target, round
  local w=$1 t=$2 r=$3 out=$raw/$1.$2.$3 cpu_before
  cpu_before=$(cpu_ticks "$t")
  case "$w" in
    redis) redis-benchmark -h 127.0.0.1 -p "$(port_for "$t" 0)" -c 50 -n "$redis_n" -t get --csv >"$out.csv" 2>"$out.err" ;;
    wrk) wrk -t 2 -c 50 -d "${wrk_d}s" --latency "http://127.0.0.1:$(port_for "$t" 1)/" >"$out.txt" 2>&1 ;;
    ab) ab -q -c 50 -n "$ab_n" "http://127.0.0.1:$(port_for "$t" 1)/" >"$out.txt" 2>&1 ;;
    iperf1) iperf3 -c 127.0.0.1 -p "$(port_for "$t" 2)" -t "$iperf_t" -J >"$out.json" 2>"$out.err" ;;
    iperf8) iperf3 -c 127.0.0.1 -p "$(port_for "$t" 2)" -t "$iperf_t" -P 8 -J >"$out.json" 2>"$out.err" ;;
    hold) restart_proxy "$t"
      "$sluice" bench hold "127.0.0.1:$(port_for "$t" 3)" -c "$hold_n" --warmup 200 --pid "$(proxy_pids "$t")" --settle 2s -q --json "$out.json" 2>"$out.err" ;;
    rr) "$sluice" bench rr "127.0.0.1:$(port_for "$t" 3)" -c 100 -s 64 --rate 10000 -d "$rr_d" --warmup "$rr_warm" -q --json "$out.json" 2>"$out.err" ;;
  esac || log "  $w against $t (round $r) failed; see $out.*"
  # Proxy CPU per request for the request/response and new-connection workloads.
  if [ "$t" != direct ]; then
    local requests=""
    case "$w" in
      redis) requests=$redis_n ;;
      ab) requests=$ab_n ;;
      wrk) requests=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$out.txt") ;;
    esac
    if [ -n "$requests" ]; then
      printf 'cpu_ticks=%s\nclk_tck=%s\nrequests=%s\n' \
        "$(($(cpu_ticks "$t") - cpu_before))" "$(getconf CLK_TCK)" "$requests" >"$out.cpu"
    fi
  fi
}

IFS=, read -ra workloads <<<"$only"
started=$SECONDS
for ((round = 0; round < rounds; round++)); do
  for w in "${workloads[@]}"; do
    case "$w" in
      hold) [ "$round" -lt "$hold_rounds" ] || continue; targets=(haproxy nginx1 nginxauto sluice) ;;
      rr) targets=(direct haproxy sluice) ;;
      *) targets=("${all_targets[@]}") ;;
    esac
    # Keep only the targets asked for, in their order.
    chosen=()
    for t in "${targets[@]}"; do [[ ",$wanted_targets," == *",$t,"* ]] && chosen+=("$t"); done
    [ ${#chosen[@]} -gt 0 ] || continue
    targets=("${chosen[@]}")
    log "round $((round + 1))/$rounds: $w"
    while read -r t; do
      run_one "$w" "$t" "$round" </dev/null
      # Let TIME_WAIT sockets and the proxies' buffers settle between targets.
      sleep 0.2
    done < <(rotate "$round" "${targets[@]}")
  done
done
log "workloads done in $((SECONDS - started)) s"

# --- optional: system calls per request (strace -c), one extra run per target ---------------
# strace slows the traced process several times over, so these runs are not timed; only the
# counts matter (e.g. how many reads, writes and epoll calls a proxy makes per request).
if [ "$syscalls" = 1 ]; then
  if ! command -v strace >/dev/null 2>&1; then
    log "strace not found (Debian package strace); skipping the system-call counts"
  else
    for w in redis wrk ab; do
      for t in haproxy nginx1 sluice; do
        [[ ",$wanted_targets," == *",$t,"* ]] || continue
        log "system calls: $w through $t"
        trace=()
        for p in $(proxy_pids "$t" | tr ',' ' '); do trace+=(-p "$p"); done
        strace -c -f -q -o "$raw/syscalls.$w.$t.txt" "${trace[@]}" </dev/null &
        tracer=$!
        sleep 1
        case "$w" in
          redis) redis-benchmark -h 127.0.0.1 -p "$(port_for "$t" 0)" -c 50 -n 20000 -t get --csv >"$raw/syscalls.$w.$t.out" 2>&1 </dev/null ;;
          wrk) wrk -t 2 -c 50 -d 2s "http://127.0.0.1:$(port_for "$t" 1)/" >"$raw/syscalls.$w.$t.out" 2>&1 </dev/null ;;
          ab) ab -q -c 50 -n 5000 "http://127.0.0.1:$(port_for "$t" 1)/" >"$raw/syscalls.$w.$t.out" 2>&1 </dev/null ;;
        esac
        kill -INT "$tracer" 2>/dev/null || true
        wait "$tracer" 2>/dev/null || true
        case "$w" in
          redis) echo 20000 ;;
          ab) echo 5000 ;;
          wrk) sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$raw/syscalls.$w.$t.out" ;;
        esac >"$raw/syscalls.$w.$t.requests"
      done
    done
  fi
fi

# --- report -------------------------------------------------------------------------------
results=$repo/bench/results
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%S)
cp -r "$raw" "$results/$stamp${label:+-$label}"
args=(report --raw "$raw" --summary "$results/$stamp${label:+-$label}/summary.md")
if [ "$docs" = 1 ]; then
  args+=(--markdown "$repo/docs/benchmarks.md" --img "$repo/docs/img")
fi
dotnet "$report_dll" "${args[@]}"
log "raw outputs and summary: $results/$stamp${label:+-$label}"
