#!/usr/bin/python3
"""python3-libvirt (Debian's, unchanged) against kvmd's RPC socket: prints one line per step for RpcPythonTests.

usage: rpc_libvirt.py URI DOMAIN_XML_FILE
"""
import sys
import threading
import time

import libvirt

uri, xml_file = sys.argv[1], sys.argv[2]
events = []
libvirt.virEventRegisterDefaultImpl()


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()

conn = libvirt.open(uri)
print("type", conn.getType())
print("lib", conn.getLibVersion())


def on_lifecycle(_conn, dom, event, detail, _opaque):
    events.append(f"{dom.name()} {event}/{detail}")


callback = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)
dom = conn.defineXML(open(xml_file).read())
print("defined", dom.name(), dom.UUIDString(), dom.ID(), dom.isPersistent())
print("list", " ".join(sorted(d.name() for d in conn.listAllDomains(0))))
found = conn.lookupByName(dom.name())
print("lookup", found.UUIDString() == dom.UUIDString())
print("lookup-uuid", conn.lookupByUUIDString(dom.UUIDString()).name())
print("xml-has-name", f"<name>{dom.name()}</name>" in found.XMLDesc(0))
print("info", found.info())
found.create()
print("state", found.state())
print("lookup-id", conn.lookupByID(found.ID()).name())
found.destroy()
found.undefine()
try:
    conn.lookupByName(dom.name())
except libvirt.libvirtError as e:
    print("gone", e.get_error_code(), e.get_error_message())
deadline = time.time() + 10
while len(events) < 4 and time.time() < deadline:
    time.sleep(0.05)
print("events", ", ".join(events))
conn.domainEventDeregisterAny(callback)
conn.close()
