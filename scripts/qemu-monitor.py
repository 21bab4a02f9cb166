#!/usr/bin/env python3
"""qemu-monitor.py SOCKET CMD...: run human monitor commands through QMP.

SOCKET is QEMU's QMP socket (-qmp unix:SOCKET,server=on,wait=off).  Each CMD
is an HMP command line ("sendkey alt-sysrq-t", "info registers -a"), run
with QMP's human-monitor-command so that its reply comes back as plain
text, printed under a "## CMD" heading.  Used by scripts/qemu-boot.sh to
collect a hung guest's state before it stops QEMU.  Exits 1 when QMP cannot
be reached or refuses a command.
"""
import json
import socket
import sys


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.buf = b""
        self.read()                      # the greeting
        self.call("qmp_capabilities")

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("QMP closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, **args):
        self.sock.sendall(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
        while True:
            msg = self.read()
            if "event" in msg:
                continue
            if "error" in msg:
                raise OSError(f"{cmd}: {msg['error'].get('desc')}")
            return msg.get("return")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    try:
        qmp = Qmp(sys.argv[1])
        for cmd in sys.argv[2:]:
            if cmd == "quit":
                qmp.call("quit")
                continue
            out = qmp.call("human-monitor-command", **{"command-line": cmd})
            print(f"## {cmd}")
            print((out or "").rstrip())
    except (OSError, ValueError) as e:
        print(f"qemu-monitor: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
