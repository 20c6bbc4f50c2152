#!/usr/bin/python3
"""python3-libvirt (Debian's, unchanged) against kvmd's RPC socket: network calls and lifecycle events, one line per
step for RpcPythonNetworkTests.

usage: rpc_networks.py URI NETWORK_XML_FILE
"""
import sys
import threading
import time

import libvirt

uri, xml_file = sys.argv[1], sys.argv[2]
every, only = [], []
libvirt.virEventRegisterDefaultImpl()


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()

conn = libvirt.open(uri)


def on_lifecycle(_conn, net, event, detail, seen):
    seen.append(f"{net.name()} {event}/{detail}")


all_cb = conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, on_lifecycle, every)
net = conn.networkDefineXML(open(xml_file).read())
one_cb = conn.networkEventRegisterAny(net, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, on_lifecycle, only)
print("defined", net.name(), net.UUIDString(), net.isActive(), net.isPersistent())
print("list", [n.name() for n in conn.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE)])
print("lookup-uuid", conn.networkLookupByUUIDString(net.UUIDString()).name())
net.create()
print("active", net.isActive(), conn.listNetworks(), conn.numOfNetworks(), conn.numOfDefinedNetworks())
print("bridge", net.bridgeName())
print("leases", net.DHCPLeases())
net.destroy()
net.undefine()
try:
    conn.networkLookupByName(net.name())
except libvirt.libvirtError as e:
    print("gone", e.get_error_code(), e.get_error_domain(), e.get_error_message())
try:
    net.isActive()
except libvirt.libvirtError as e:
    print("stale", e.get_error_code(), e.get_error_message())
deadline = time.time() + 10
while (len(every) < 4 or len(only) < 3) and time.time() < deadline:
    time.sleep(0.05)
# virNetworkEventLifecycleType: DEFINED 0, UNDEFINED 1, STARTED 2, STOPPED 3 (no details in libvirt 9.0)
print("events", ", ".join(every))
print("events-one", ", ".join(only))
conn.networkEventDeregisterAny(one_cb)
conn.networkEventDeregisterAny(all_cb)
conn.close()
