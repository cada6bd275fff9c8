# Sourced by the bench scripts that compare against ssh tunnels (after bench/ports.sh).
#
# start_private_sshd: a private sshd on 127.0.0.1 (temp host key and client key in $W, the
# system sshd untouched), key login only, forwarding allowed. As root it runs unprivileged as
# "nobody" (no privilege separation; UsePAM yes, or sshd refuses nobody's "*" password field as
# a locked account). Needs W (the work directory) and SSHD (the binary). Sets SSH_PORT,
# SSH_USER (log in as this), SSH_KEY (the client key), SSHD_PID and CIPHER (the cipher ssh
# picks against it, for the report). The caller starts its own `ssh -N -L/-R` with them.
start_private_sshd() {
  SSH_PORT=$(port)
  ssh-keygen -q -t ed25519 -N '' -f "$W/host_key"; ssh-keygen -q -t ed25519 -N '' -f "$W/client_key"
  cp "$W/client_key.pub" "$W/authorized_keys"
  SSH_KEY="$W/client_key"
  local run_as=(); SSH_USER=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$W" "$W/host_key" "$W/authorized_keys"; run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups); SSH_USER=nobody
  fi
  cat > "$W/sshd_config" <<CFG
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $W/host_key
AuthorizedKeysFile $W/authorized_keys
PidFile $W/sshd.pid
StrictModes no
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
LogLevel ERROR
CFG
  [ "$(id -u)" = 0 ] && chown nobody "$W/sshd_config"
  "${run_as[@]}" "$SSHD" -D -e -f "$W/sshd_config" >"$W/sshd.log" 2>&1 &
  wait_port "$SSH_PORT"
  for _ in $(seq 50); do [ -s "$W/sshd.pid" ] && break; sleep 0.1; done
  SSHD_PID=$(cat "$W/sshd.pid")
  CIPHER=$(ssh -G -p "$SSH_PORT" 127.0.0.1 | awk '/^ciphers /{print $2}' | cut -d, -f1)
}
