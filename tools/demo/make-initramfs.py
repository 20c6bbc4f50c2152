#!/usr/bin/python3
"""Packs a directory into a newc cpio initramfs, adding /dev/console (c 5 1) so that no root is needed for mknod.

Usage: make-initramfs.py DIR OUT
"""
import os
import stat
import sys


def entry(name, mode, data=b"", major=0, minor=0, ino=1):
    encoded = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, major, minor, len(encoded), 0]
    out = bytearray(b"070701" + b"".join(b"%08x" % f for f in fields) + encoded)
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    parts, ino = [], 1
    for directory, dirs, files in os.walk(source):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, source)
            st = os.lstat(path)
            ino += 1
            if stat.S_ISDIR(st.st_mode):
                parts.append(entry(rel, 0o40755, ino=ino))
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    parts.append(entry(rel, 0o100000 | (st.st_mode & 0o777), f.read(), ino=ino))
    parts.append(entry("dev/console", 0o20600, major=5, minor=1, ino=ino + 1))
    parts.append(entry("TRAILER!!!", 0, ino=ino + 2))
    with open(target, "wb") as f:
        f.write(b"".join(parts))


if __name__ == "__main__":
    main()
