#!/usr/bin/python3
"""python3-libvirt (Debian's, unchanged) on the snapshot procedures of a daemon: prints one line per step.

usage: rpc_snapshots.py URI DOMAIN_NAME
"""
import sys

import libvirt

uri, name = sys.argv[1], sys.argv[2]
conn = libvirt.open(uri)
dom = conn.lookupByName(name)


def error(action):
    try:
        action()
        return "no error"
    except libvirt.libvirtError as e:
        return f"{e.get_error_code()} {e.get_error_message()}"


print("has-current", dom.hasCurrentSnapshot(0))
s1 = dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>", 0)
print("created", s1.getName(), s1.getDomain().name())
s2 = dom.snapshotCreateXML("<domainsnapshot><name>s2</name></domainsnapshot>", 0)
print("num", dom.snapshotNum(0), "roots", dom.snapshotNum(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_ROOTS))
print("names", sorted(dom.snapshotListNames(0)))
print("all", sorted(s.getName() for s in dom.listAllSnapshots(0)))
print("current", dom.snapshotCurrent(0).getName(), dom.hasCurrentSnapshot(0))
print("parent", s2.getParent(0).getName())
print("parent-of-root", error(lambda: s1.getParent(0)))
print("children", s1.numChildren(0), s1.listChildrenNames(0), [s.getName() for s in s1.listAllChildren(0)])
print("is-current", s1.isCurrent(0), s2.isCurrent(0), "metadata", s2.hasMetadata(0))
print("xml", "<name>s2</name>" in s2.getXMLDesc(0), "<parent>" in s2.getXMLDesc(0))
print("lookup", dom.snapshotLookupByName("s1", 0).getName())
print("lookup-missing", error(lambda: dom.snapshotLookupByName("nosuch", 0)))
dom.revertToSnapshot(s1, 0)
print("reverted", dom.snapshotCurrent(0).getName())
s2.delete(0)
print("deleted", sorted(dom.snapshotListNames(0)))
print("undefine", error(lambda: dom.undefine()))
s1.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)
print("left", dom.snapshotNum(0), dom.hasCurrentSnapshot(0))
