"""A newc cpio writer (no root needed) and the shared libraries a binary needs: how the VMM benchmarks pack their
guests' initramfs."""

import os
import subprocess


class Cpio:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.ino = 1
        self.dirs = set()

    def _entry(self, name, mode, data=b"", major=0, minor=0):
        self.ino += 1
        encoded = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, major, minor, len(encoded), 0]
        out = bytearray(b"070701" + b"".join(b"%08x" % f for f in fields) + encoded)
        out += b"\0" * (-len(out) % 4)
        self.f.write(out)
        self.f.write(data)
        self.f.write(b"\0" * (-len(data) % 4))

    def directory(self, name):
        name = name.strip("/")
        if not name or name in self.dirs:
            return
        self.directory(os.path.dirname(name))
        self.dirs.add(name)
        self._entry(name, 0o40755)

    def file(self, name, data, mode=0o755):
        name = name.strip("/")
        self.directory(os.path.dirname(name))
        self._entry(name, 0o100000 | mode, data)

    def char(self, name, major, minor):
        self._entry(name.strip("/"), 0o20600, major=major, minor=minor)

    def close(self):
        self._entry("TRAILER!!!", 0)
        self.f.close()


def shared_libraries(binary):
    """(path as the loader looks it up, real file) for every library ldd lists, and the loader itself."""
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            libs.append(parts[2])
        elif parts and parts[0].startswith("/"):
            libs.append(parts[0])
    return [(lib, os.path.realpath(lib)) for lib in libs]
