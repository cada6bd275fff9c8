#!/usr/bin/env python3
"""Splits perf samples by component, for profiles of `sluice run` / `sluice agent`.

Input: `perf script -F ip,sym,dso` of a `perf record -g` taken with DOTNET_PerfMapEnabled=1
(and DOTNET_EnableWriteXorExecute=0, or JIT frames do not resolve). A sample in user space
belongs to the leaf-most frame whose symbol names a known component (so runtime helpers,
allocation and stubs called by Kestrel count as Kestrel). Kernel samples are split by the
system call they are in: glibc's send/recv wrappers have no frame pointer, so the managed
caller of a system call is not on the stack. On loopback, `sendto` includes the receiving
side's TCP processing (softirq runs in the sender's context).
"""
import collections
import re
import sys

COMPONENTS = [(name, re.compile(pattern)) for name, pattern in (
    ('Kestrel (HTTP/1.1 parsing, pipes, transport)', r'Microsoft\.AspNetCore\.Server\.Kestrel|System\.IO\.Pipelines'),
    ('ASP.NET Core (hosting, HttpContext, headers)', r'Microsoft\.AspNetCore\.(Hosting|Http|Builder)|Microsoft\.Extensions\.Primitives'),
    ('YARP forwarder', r'Yarp\.'),
    ('SocketsHttpHandler', r'System\.Net\.Http'),
    ('Sluice HTTP edge', r'Sluice\.Tunnels\.Http'),
    ('Sluice multiplexer', r'Sluice\.Multiplexing'),
    ('Sluice relay (agent pumps, tunnels)', r'Sluice\.(Forwarding|Tunnels)'),
    ('TLS (SslStream, OpenSSL)', r'System\.Net\.Security|libssl|libcrypto|SystemNative_Ssl|CryptoNative'),
    ('Sockets (managed)', r'System\.Net\.Sockets'),
    ('thread pool, async machinery', r'System\.Threading|System\.Runtime\.CompilerServices'),
)]
SYSCALLS = (('sendto', r'sys_sendto|sys_sendmsg'), ('recvfrom', r'sys_recvfrom|sys_recvmsg'),
            ('epoll_wait', r'epoll_wait'), ('futex', r'futex'), ('read/write', r'ksys_read|ksys_write'),
            ('irq/softirq', r'irq'))


def owner(stack):
    if '[kernel' in stack[0]:
        kernel = ' '.join(f for f in stack if '[kernel' in f)
        name = next((n for n, p in SYSCALLS if re.search(p, kernel)), 'other')
        return f'kernel: {name}'
    for frame in stack:
        for name, pattern in COMPONENTS:
            if pattern.search(frame):
                return name
    return 'runtime (GC, allocation, stubs, unresolved)'


def main():
    counts = collections.Counter()
    stack = []
    for line in list(sys.stdin) + ['\n']:
        if line.strip():
            if line[0] in ' \t':
                stack.append(line.strip())
            continue
        if stack:
            counts[owner(stack)] += 1
        stack = []
    total = sum(counts.values()) or 1
    kernel = sum(c for n, c in counts.items() if n.startswith('kernel'))
    print(f'samples {total}, in the kernel {kernel * 100 / total:.1f}%')
    for name, count in counts.most_common():
        print(f'{count * 100 / total:5.1f}%  {name}')


if __name__ == '__main__':
    main()
