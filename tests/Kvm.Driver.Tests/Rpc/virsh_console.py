#!/usr/bin/env python3
"""Debian's virsh console, driven through a pseudo-terminal as a person would use it.

usage: virsh_console.py URI DOMAIN COMMAND ANSWER TIMEOUT

1. console A: waits for virsh's banner, types COMMAND (then CR) until ANSWER shows in the output;
2. console C without --force while A holds it: must fail with libvirt's "Active console session" error;
3. console B with --force: A must end with an error (printed as "A ended: ..."), B types COMMAND and sees ANSWER;
4. B leaves with Ctrl-] and virsh exits 0. Prints "ok" last on success.
"""
import os
import pty
import select
import sys
import time

uri, domain, command, answer, timeout = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])


class Console:
    def __init__(self, name, *extra):
        self.name = name
        self.output = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp("virsh", ["virsh", "-c", uri, "console", *extra, domain])

    def read_until(self, text, seconds):
        """Reads until TEXT is in the output (True), the console ends or SECONDS pass (False)."""
        end = time.time() + seconds
        while text.encode() not in self.output:
            left = end - time.time()
            if left <= 0 or not self._read(min(left, 1.0)):
                return text.encode() in self.output
        return True

    def _read(self, seconds):
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            self.output += data
        return True

    def type(self, text):
        os.write(self.fd, text.encode())

    def ask(self, seconds):
        """Types COMMAND until ANSWER comes back (a guest still booting may miss the first)."""
        end = time.time() + seconds
        while time.time() < end:
            mark = len(self.output)
            self.type(command + "\r")
            deadline = min(end, time.time() + 15)
            while time.time() < deadline:
                if answer.encode() in self.output[mark:]:
                    return True
                if not self._read(1.0):
                    return answer.encode() in self.output[mark:]
        return False

    def wait(self, seconds):
        """Reads to the end and returns virsh's exit status (None if it is still running after SECONDS)."""
        end = time.time() + seconds
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self._read(0.2):
                    pass
                return os.waitstatus_to_exitcode(status)
            self._read(0.5)
        return None

    def kill(self):
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def fail(message, *consoles):
    print("FAIL: " + message)
    for c in consoles:
        print(f"--- console {c.name}:\n{c.output.decode(errors='replace')}")
        c.kill()
    sys.exit(1)


a = Console("A")
if not a.read_until("Escape character is ^] (Ctrl + ])", timeout):
    fail("no banner from A", a)
if not a.ask(timeout):
    fail(f"no answer {answer!r} on A", a)
print("A got the answer")

c = Console("C")
status = c.wait(60)
if status != 1 or b"error: operation failed: Active console session exists for this domain" not in c.output:
    fail(f"C without --force: exit {status}", a, c)
print("C refused: Active console session exists for this domain")

b = Console("B", "--force")
if not b.read_until("Escape character is ^] (Ctrl + ])", timeout):
    fail("no banner from B", a, b)
status = a.wait(60)
if status != 1:
    fail(f"A did not end with an error after the takeover (exit {status})", a, b)
# virsh's error may follow the guest's last output on the same line (a shell prompt has no newline): from "error:" on.
errors = [line[line.index("error:"):].strip() for line in a.output.decode(errors="replace").splitlines() if "error:" in line]
print("A ended: " + " | ".join(errors))
if not b.ask(timeout):
    fail(f"no answer {answer!r} on B", a, b)
print("B got the answer")
b.type("\x1d")
status = b.wait(timeout)
if status != 0:
    fail(f"B did not leave cleanly with Ctrl-] (exit {status})", b)
print("ok")
