#!/usr/bin/env python3
"""qemu-monitor.py SOCKET CMD...: send HMP commands to a QEMU monitor.

Each CMD is sent in turn and its reply printed, headed by the command.  A
CMD of the form "sleep:SECONDS" waits instead.  Used by scripts/qemu-boot.sh
to collect a hung guest's state (sysrq through the emulated keyboard, the
vCPU registers) before it stops QEMU.  Exits 1 when the monitor cannot be
reached.
"""
import socket
import sys
import time


def read_prompt(sock, deadline):
    buf = b""
    while not buf.endswith(b"(qemu) ") and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1)
    try:
        sock.connect(sys.argv[1])
    except OSError as e:
        print(f"qemu-monitor: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    read_prompt(sock, time.monotonic() + 5)
    for cmd in sys.argv[2:]:
        if cmd.startswith("sleep:"):
            time.sleep(float(cmd[6:]))
            continue
        sock.sendall(cmd.encode() + b"\n")
        reply = read_prompt(sock, time.monotonic() + 20)
        lines = reply.replace("\r", "").split("\n")
        # The monitor echoes the command and ends with its prompt.
        body = [l for l in lines if l.strip() not in (cmd, "(qemu)") and not l.startswith("(qemu) ")]
        print(f"## {cmd}")
        print("\n".join(body).strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
