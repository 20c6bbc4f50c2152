#!/usr/bin/env python3
"""Derives libvirt's canonical element and attribute order from XML that libvirt itself formatted.

Input: libvirt-formatted domain XML files (the expected outputs of libvirt's test suite).
Usage: derive-canonical-order.py OUT FILE...   (tools/canonical-order-seed.txt is read first)
Output: the order table that Kvm.DomainXml's canonical writer uses (src/DomainXml/Canonical/canonical-order.txt).

For every element path (domain/devices/disk/source) it records which child names and attribute names
follow which, merges those observations into one order per path (a topological sort, first-seen order
breaking ties) and reports the paths whose observations contradict each other.
"""
import collections
import sys
import xml.etree.ElementTree as ET

NAMESPACES = {
    "http://libvirt.org/schemas/domain/qemu/1.0": "qemu",
    "http://libvirt.org/schemas/domain/lxc/1.0": "lxc",
    "http://libvirt.org/schemas/domain/bhyve/1.0": "bhyve",
    "http://libvirt.org/schemas/domain/xen/1.0": "xen",
    "http://libvirt.org/schemas/domain/vmware/1.0": "vmware",
}
VERBATIM = {"domain/metadata"}


def qname(tag):
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        return NAMESPACES.get(uri, "?") + ":" + local
    return tag


class PathOrder:
    def __init__(self):
        self.children = collections.OrderedDict()
        self.child_edges = set()
        self.attrs = collections.OrderedDict()
        self.attr_edges = set()


def observe(table, element, path):
    if path in VERBATIM:
        return
    entry = table.setdefault(path, PathOrder())
    names = []
    for child in element:
        name = qname(child.tag)
        if not names or names[-1] != name:
            names.append(name)
        entry.children.setdefault(name, None)
    seen = []
    for name in names:
        if name not in seen:
            seen.append(name)
    for a, b in zip(seen, seen[1:]):
        entry.child_edges.add((a, b))
    attrs = [qname(a) for a in element.attrib]
    for a in attrs:
        entry.attrs.setdefault(a, None)
    for a, b in zip(attrs, attrs[1:]):
        entry.attr_edges.add((a, b))
    for child in element:
        observe(table, child, path + "/" + qname(child.tag))


def toposort(nodes, edges, path, kind, problems):
    nodes = list(nodes)
    succ = collections.defaultdict(set)
    indeg = {n: 0 for n in nodes}
    for a, b in edges:
        if b not in succ[a]:
            succ[a].add(b)
            indeg[b] += 1
    order = []
    ready = [n for n in nodes if indeg[n] == 0]
    while len(order) < len(nodes):
        if not ready:
            rest = [n for n in nodes if n not in order]
            problems.append(f"{path}: {kind} order contradicts itself among {rest}")
            order.extend(rest)
            break
        n = min(ready, key=nodes.index)
        ready.remove(n)
        order.append(n)
        for m in sorted(succ[n], key=nodes.index):
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    return order


def read_seed(path, table):
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        path_, children, attrs = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        e = table.setdefault(path_, PathOrder())
        for kind, names in (("c", children), ("a", attrs)):
            names = [n for n in names.split(",") if n]
            store, edges = (e.children, e.child_edges) if kind == "c" else (e.attrs, e.attr_edges)
            for n in names:
                store.setdefault(n, None)
            edges.update(zip(names, names[1:]))


def main(argv):
    out, inputs = argv[1], argv[2:]
    table = {}
    read_seed(__file__.rsplit("/", 1)[0] + "/canonical-order-seed.txt", table)
    count = 0
    for f in inputs:
        try:
            root = ET.parse(f).getroot()
        except ET.ParseError as e:
            print(f"skip {f}: {e}", file=sys.stderr)
            continue
        if root.tag != "domain":
            continue
        count += 1
        observe(table, root, "domain")
    problems = []
    with open(out, "w") as w:
        w.write("# Canonical order of libvirt's domain XML formatter, derived by tools/derive-canonical-order.py\n")
        w.write(f"# from {count} documents that libvirt formatted. Line: path <TAB> child names <TAB> attribute names\n")
        for path in sorted(table):
            e = table[path]
            children = toposort(e.children, e.child_edges, path, "child", problems)
            attrs = toposort(e.attrs, e.attr_edges, path, "attribute", problems)
            w.write(f"{path}\t{','.join(children)}\t{','.join(attrs)}\n")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{count} documents, {len(table)} paths, {len(problems)} contradictions", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
