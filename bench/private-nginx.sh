# Sourced by the bench scripts that need a web server behind a tunnel (after bench/ports.sh).
#
# start_private_nginx: a private nginx (temp config, `daemon off`, pid file and logs in $W/nginx,
# the system one untouched) on 127.0.0.1:<free port>, serving index.html (612 bytes, like nginx's
# default page) and 1g.bin (a sparse 1 GiB file: truncate writes nothing). keepalive_requests is
# raised from 1000 so that no client pays for reconnects mid-run. Needs W, PIDS; sets
# NGINX_PORT and NGINX_PID.
start_private_nginx() {
  local NGINX; NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  NGINX_PORT=$(port)
  chmod o+x "$W"   # nginx workers run as nobody when we are root
  mkdir -p "$W/nginx/html" "$W/nginx/logs" "$W/nginx/tmp"
  head -c 612 /dev/zero | tr '\0' 'x' > "$W/nginx/html/index.html"
  truncate -s 1G "$W/nginx/html/1g.bin"
  NGINX_USER=""
  [ "$(id -u)" = 0 ] && NGINX_USER="user nobody nogroup;"
  # keepalive_requests is raised from 1000 so that no path pays for reconnects mid-run (a
  # connection does ~2,000 requests in a 5 s run); every path sees the same nginx.
  cat > "$W/nginx/nginx.conf" <<CFG
$NGINX_USER
daemon off;
worker_processes auto;
pid $W/nginx/nginx.pid;
error_log $W/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  default_type application/octet-stream;
  client_body_temp_path $W/nginx/tmp/body;
  proxy_temp_path $W/nginx/tmp/proxy;
  fastcgi_temp_path $W/nginx/tmp/fastcgi;
  uwsgi_temp_path $W/nginx/tmp/uwsgi;
  scgi_temp_path $W/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $W/nginx/html;
  }
}
CFG
  "$NGINX" -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/logs/error.log" >"$W/nginx/logs/stderr.log" 2>&1 &
  NGINX_PID=$!; PIDS+=($NGINX_PID)
  wait_port "$NGINX_PORT"
}
