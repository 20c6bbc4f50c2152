#!/usr/bin/python3
"""Defines the same domains in each target daemon, then measures virsh list --all and python3-libvirt calls.

Each --target is NAME=URI@PID (the first is the one the ratios are of). Prints a table; see bench/rpc/run.sh.
"""
import argparse
import statistics
import subprocess
import time
import uuid

import libvirt

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>/boot/vmlinuz</kernel>
    <cmdline>console=ttyS0</cmdline>
  </os>
  <devices>
    <serial type='null'/>
  </devices>
</domain>
"""


def parse_target(text):
    name, rest = text.split("=", 1)
    uri, pid = rest.rsplit("@", 1)
    return name, uri, int(pid)


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(call, rounds):
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - start)
    return samples


def measure(name, uri, pid, domains, rounds):
    conn = libvirt.open(uri)
    names = [f"bench-{i:04d}" for i in range(domains)]
    for n in names:
        conn.defineXML(DOMAIN_XML.format(name=n, uuid=uuid.uuid5(uuid.NAMESPACE_DNS, n)))
    assert len(conn.listAllDomains(0)) == domains, f"{name} lists {len(conn.listAllDomains(0))} domains"

    virsh = []
    for _ in range(max(3, rounds // 100)):
        start = time.perf_counter()
        subprocess.run(["virsh", "-c", uri, "list", "--all"], check=True, stdout=subprocess.DEVNULL)
        virsh.append(time.perf_counter() - start)

    results = {"virsh list --all": virsh}
    results["listAllDomains"] = timed(lambda i: conn.listAllDomains(0), max(20, rounds // 10))
    results["lookupByName"] = timed(lambda i: conn.lookupByName(names[(i * 7919) % domains]), rounds)
    handles = [conn.lookupByName(n) for n in names]
    results["XMLDesc"] = timed(lambda i: handles[(i * 7919) % domains].XMLDesc(0), rounds)
    rss = resident_kib(pid)
    conn.close()
    return results, rss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", action="append", required=True, help="NAME=URI@PID")
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1000, help="calls per latency figure (listAllDomains: a tenth)")
    args = parser.parse_args()

    measured = []
    for target in args.target:
        name, uri, pid = parse_target(target)
        results, rss = measure(name, uri, pid, args.domains, args.rounds)
        measured.append((name, results, rss))

    base_name, base, base_rss = measured[0]
    print(f"\n{args.domains} defined domains; {args.rounds} calls per latency (listAllDomains {max(20, args.rounds // 10)}, "
          f"virsh {max(3, args.rounds // 100)} runs, median)")
    header = f"{'figure':<28}" + "".join(f"{n:>14}" for n, _, _ in measured) + "".join(
        f"{base_name + '/' + n:>18}" for n, _, _ in measured[1:])
    print(header)
    rows = [("virsh list --all (median)", "virsh list --all", 0.5)]
    for call in ("listAllDomains", "lookupByName", "XMLDesc"):
        rows += [(f"{call} p50", call, 0.5), (f"{call} p99", call, 0.99)]
    for label, key, fraction in rows:
        values = [percentile(r[key], fraction) for _, r, _ in measured]
        line = f"{label:<28}" + "".join(f"{v * 1000:>11.3f} ms" for v in values)
        line += "".join(f"{values[0] / v:>17.2f}x" for v in values[1:])
        print(line)
    line = f"{'resident memory':<28}" + "".join(f"{rss / 1024:>10.1f} MiB" for _, _, rss in measured)
    line += "".join(f"{base_rss / rss:>17.2f}x" for _, _, rss in measured[1:])
    print(line)


if __name__ == "__main__":
    main()
