"""What the VMM benchmarks share: a VMM process's memory, split into guest RAM and the VMM's own."""

import os


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
