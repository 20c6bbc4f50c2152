#!/usr/bin/python3
"""libvirt's reference figure for the domain XML engine benchmark (bench/Kvm.DomainXml.Bench).

For each qemu-in input libvirt accepts (qemu-manifest.tsv: expected = ok or start-error in any variant), over one
test:///default connection, one thread:  dom = conn.defineXML(xml); dom.XMLDesc(VIR_DOMAIN_XML_SECURE);
dom.undefine().  Round-robin over the corpus for N seconds; prints the figures in the C# program's shape.

Needs the system Python and Debian's python3-libvirt (the test driver is built into libvirt0):
    apt-get install -y --no-install-recommends python3-libvirt
    /usr/bin/python3 bench/libvirt-reference.py [--corpus DIR] [--seconds N]
"""

import argparse
import csv
import os
import platform
import sys
import time

try:
    import libvirt
except ImportError:
    sys.exit("libvirt-reference.py: the libvirt module is missing; run it with /usr/bin/python3 after "
             "'apt-get install -y --no-install-recommends python3-libvirt'")

HEADER = ("workload                documents   seconds  cpu %      docs/s    us/doc   MB/s in   KiB alloc/doc"
          "   gen0  gen1  gen2   jit")
WARMUP_SECONDS = 1.0


def repository_root():
    directory = os.path.dirname(os.path.abspath(__file__))
    while True:
        if os.path.isfile(os.path.join(directory, "Kvm.sln")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_average():
    try:
        return " ".join("%.2f" % x for x in os.getloadavg())
    except OSError:
        return "unknown"


def accepted_inputs(corpus):
    """Input names with expected = ok or start-error in any variant, sorted (as the C# program)."""
    names = set()
    with open(os.path.join(corpus, "qemu-manifest.tsv"), newline="", encoding="utf-8") as manifest:
        rows = csv.reader(manifest, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows, None)
        for row in rows:
            if len(row) > 2 and row[2] in ("ok", "start-error"):
                names.add(row[0])
    return sorted(names)


def remove_default_domain(conn):
    """test:///default starts with a running domain 'test'; some inputs use that name. Remove it (the test
    driver's state is private to this connection, nothing persists)."""
    try:
        dom = conn.lookupByName("test")
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    dom.undefine()


def round_trip(conn, xml):
    dom = conn.defineXML(xml)
    try:
        return len(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE))
    finally:
        dom.undefine()


def loop(conn, documents, seconds):
    """Round-robin until the time is up; returns (documents, input bytes, seconds, processor seconds)."""
    count = size = i = 0
    cpu = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        _, xml, length = documents[i]
        round_trip(conn, xml)
        count += 1
        size += length
        i += 1
        if i == len(documents):
            i = 0
        now = time.perf_counter()
        if now >= deadline:
            return count, size, now - start, time.process_time() - cpu


def main():
    root = repository_root()
    default_corpus = (os.path.normpath(os.path.join(root, "..", "shared", "corpus", "libvirt-domain-xml"))
                      if root else None)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=default_corpus,
                        help="libvirt's domain XML corpus (qemu-manifest.tsv, qemu-in/); default %(default)s")
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement time, default %(default)s")
    parser.add_argument("--uri", default="test:///default", help="connection URI, default %(default)s")
    args = parser.parse_args()
    if not args.seconds > 0:
        parser.error("--seconds wants a positive number")
    corpus = args.corpus
    if (corpus is None or not os.path.isfile(os.path.join(corpus, "qemu-manifest.tsv"))
            or not os.path.isdir(os.path.join(corpus, "qemu-in"))):
        sys.exit(f"libvirt-reference.py: corpus not found at {corpus}: it needs qemu-manifest.tsv and qemu-in/ "
                 "(libvirt's domain XML corpus; pass --corpus DIR)")
    corpus = os.path.abspath(corpus)

    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)  # keep rejected inputs off stderr
    conn = libvirt.open(args.uri)
    remove_default_domain(conn)
    names = accepted_inputs(corpus)
    documents, skipped = [], []
    for name in names:
        with open(os.path.join(corpus, "qemu-in", name + ".xml"), "rb") as f:
            data = f.read()
        xml = data.decode("utf-8")
        try:
            round_trip(conn, xml)
            documents.append((name, xml, len(data)))
        except libvirt.libvirtError as e:
            skipped.append(f"{name}: {e.get_error_message()}")
    if not documents:
        sys.exit(f"libvirt-reference.py: no usable input in {corpus}")

    corpus_bytes = sum(d[2] for d in documents)
    major, rest = divmod(libvirt.getVersion(), 1000000)
    print(f"runtime:   libvirt {major}.{rest // 1000}.{rest % 1000} ({args.uri}), Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}, {os.cpu_count()} processors")
    print(f"load avg:  {load_average()} (1, 5, 15 min; other processes skew the figures)")
    print(f"corpus:    {corpus}")
    print(f"inputs:    {len(names)} qemu-in inputs libvirt accepts; {len(documents)} used "
          f"({corpus_bytes / 1024:.1f} KiB, mean {corpus_bytes // len(documents)} bytes), "
          f"{len(skipped)} skipped because the test driver rejects them")
    for line in skipped:
        print("  skipped " + line)
    print(f"flags:     defineXML(xml), XMLDesc(VIR_DOMAIN_XML_SECURE), undefine(); one thread, "
          f"{args.seconds:g} s")

    loop(conn, documents, WARMUP_SECONDS)
    count, size, elapsed, cpu = loop(conn, documents, args.seconds)
    conn.close()

    print()
    print(HEADER)
    print(f"{'define+XMLDesc+undef':<22} {count:>10} {elapsed:>9.3f} {cpu * 100 / elapsed:>6.0f} "
          f"{count / elapsed:>11.1f} "
          f"{elapsed * 1e6 / count:>9.1f} {size / elapsed / 1e6:>9.2f} {'-':>15} {'-':>6} {'-':>5} {'-':>5} {'-':>5}")
    print()
    print(f"load avg:  {load_average()} after the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
