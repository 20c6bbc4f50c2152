"""What the VMM benchmarks share: a VMM process's memory, split into guest RAM and the VMM's own."""

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def idle_initramfs(path, work, marker):
    """busybox and an /init that prints marker and idles, packed by tools/demo/make-initramfs.py (adds /dev/console)."""
    root = os.path.join(work, "initrd")
    for d in ("bin", "dev", "proc"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    init = os.path.join(root, "init")
    with open(init, "w") as f:
        f.write(f"#!/bin/busybox sh\necho {marker}\nexec /bin/busybox sleep 3600\n")
    os.chmod(init, 0o755)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "demo", "make-initramfs.py"), root, path], check=True)


def memory(pid, guest_kib):
    """rss, pss, own (rss minus the resident guest RAM: every mapping at least as large as guest RAM) in KiB."""
    rss = pss = guest = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pss = 0
    size = 0
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("Rss:") and size >= guest_kib:
                guest += int(line.split()[1])
    return rss, pss, rss - guest


def breakdown(pid, guest_kib, top=8):
    """The resident KiB of the VMM's own mappings (guest RAM left out), summed by file or kind, largest first."""
    sums = {}
    name, size = "", 0
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if fields and "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                name = os.path.basename(fields[5]) if len(fields) > 5 else "[anon]"
            elif line.startswith("Size:"):
                size = int(fields[1])
            elif line.startswith("Rss:") and size < guest_kib:
                sums[name] = sums.get(name, 0) + int(fields[1])
    return sorted(sums.items(), key=lambda kv: -kv[1])[:top]


def loadavg():
    return " ".join("%.2f" % x for x in os.getloadavg())
