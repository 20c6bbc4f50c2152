#!/usr/bin/python3
"""A small QMP client using only the Python standard library, behaving like qemu.qmp:
read the greeting, enable oob when offered, negotiate, send commands with ids, collect events.
Prints one JSON summary line; exits non-zero on protocol errors."""
import json
import socket
import sys


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.next_id = 0

    def recv(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        if any(b > 0x7F for b in line):
            raise ValueError("non-ASCII byte from server")
        return json.loads(line)

    def execute(self, name, arguments=None):
        self.next_id += 1
        msg_id = "py-%d" % self.next_id
        request = {"execute": name, "id": msg_id}
        if arguments is not None:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode())
        while True:
            reply = self.recv()
            if "event" in reply:
                self.events.append(reply["event"])
                continue
            if reply.get("id") != msg_id:
                raise ValueError("reply for another id: %r" % reply)
            if "error" in reply:
                return {"error": reply["error"]}
            return {"return": reply["return"]}


def main():
    client = Client(sys.argv[1])
    greeting = client.recv()
    caps = greeting["QMP"]["capabilities"]
    enable = ["oob"] if "oob" in caps else []
    negotiated = client.execute("qmp_capabilities", {"enable": enable} if enable else None)
    status = client.execute("query-status")
    stop = client.execute("stop")
    paused = client.execute("query-status")
    cont = client.execute("cont")
    missing = client.execute("no-such-command")
    schema = client.execute("query-qmp-schema")
    names = [e["name"] for e in schema["return"] if e.get("meta-type") == "command"]
    print(json.dumps({
        "version": greeting["QMP"]["version"],
        "oob": enable,
        "negotiated": negotiated,
        "status": status["return"]["status"],
        "paused": paused["return"]["status"],
        "stop": stop,
        "cont": cont,
        "events": client.events,
        "missing": missing["error"]["class"],
        "schema_commands": len(names),
    }))


if __name__ == "__main__":
    main()
