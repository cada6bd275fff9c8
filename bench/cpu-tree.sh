# Sourced by the bench scripts that count CPU per request of whole process trees.
#
# CPU seconds (user+sys, children included) of a process and all its descendants.
cpu_tree() {
  python3 - "$1" <<'PY'
import os, sys
root = int(sys.argv[1]); tick = os.sysconf('SC_CLK_TCK'); kids = {}; stat = {}
for p in os.listdir('/proc'):
    if not p.isdigit(): continue
    try: f = open(f'/proc/{p}/stat').read()
    except OSError: continue
    rest = f[f.rindex(')') + 2:].split()
    ppid = int(rest[1]); stat[int(p)] = sum(int(x) for x in rest[11:15]); kids.setdefault(ppid, []).append(int(p))
total, todo = 0, [root]
while todo:
    p = todo.pop(); total += stat.get(p, 0); todo += kids.get(p, [])
print(total / tick)
PY
}
