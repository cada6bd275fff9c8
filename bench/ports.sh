# Sourced by the bench scripts: loopback ports for the servers they start.
#
# port: a free port from below the kernel's ephemeral range (where other programs' own
# connections and port-0 binds land), picked at random and checked free; a range starting
# below 21000 still works.
# wait_port PORT: waits up to 10 s for something to listen on 127.0.0.1:PORT, else exits 1.
port() { python3 -c '
import random, socket
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
while True:
    p = random.randrange(20000, max(20001, lo - 1000))
    s = socket.socket()
    try: s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()'; }

wait_port() {
  for _ in $(seq 100); do
    python3 -c "import socket;socket.create_connection(('127.0.0.1',$1),0.2).close()" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "port $1 never opened" >&2
  exit 1
}
