#!/usr/bin/python3
"""python3-libvirt (Debian's, unchanged) against kvmd's RPC socket: storage pool and volume calls, and the storage
pool lifecycle and refresh events, one line per step for RpcPythonStorageTests.

usage: rpc_storage.py URI TARGET_DIRECTORY
"""
import sys
import threading
import time

import libvirt

uri, target = sys.argv[1], sys.argv[2]
every, only, refreshed = [], [], []
libvirt.virEventRegisterDefaultImpl()


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()

conn = libvirt.open(uri)


def on_lifecycle(_conn, pool, event, detail, seen):
    seen.append(f"{pool.name()} {event}/{detail}")


def on_refresh(_conn, pool, seen):
    seen.append(pool.name())


all_cb = conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, on_lifecycle, every)
xml = f"<pool type='dir'><name>pypool</name><target><path>{target}</path></target></pool>"
pool = conn.storagePoolDefineXML(xml, 0)
one_cb = conn.storagePoolEventRegisterAny(pool, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, on_lifecycle, only)
refresh_cb = conn.storagePoolEventRegisterAny(pool, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, on_refresh, refreshed)
print("defined", pool.name(), pool.isActive(), pool.isPersistent(), pool.autostart())
print("list", [p.name() for p in conn.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE)],
      conn.listDefinedStoragePools(), conn.numOfDefinedStoragePools())
print("lookup-uuid", conn.storagePoolLookupByUUIDString(pool.UUIDString()).name())
pool.build(0)
pool.create(0)
pool.refresh(0)
print("active", pool.isActive(), conn.listStoragePools(), conn.numOfStoragePools(), pool.info()[0])
vol = pool.createXML("<volume><name>v.qcow2</name><capacity unit='M'>8</capacity>"
                     "<target><format type='qcow2'/></target></volume>", 0)
print("vol", vol.name(), vol.key() == vol.path(), vol.info()[:2], pool.numOfVolumes(), pool.listVolumes())
print("vol-pool", vol.storagePoolLookupByVolume().name(), conn.storageVolLookupByPath(vol.path()).name(),
      [v.name() for v in pool.listAllVolumes()])
vol.resize(16 * 1024 * 1024)
print("resized", vol.info()[1])
vol.delete(0)
try:
    pool.storageVolLookupByName("v.qcow2")
except libvirt.libvirtError as e:
    print("vol-gone", e.get_error_code(), e.get_error_domain(), e.get_error_message())
pool.destroy()
pool.delete(0)
pool.undefine()
try:
    conn.storagePoolLookupByName("pypool")
except libvirt.libvirtError as e:
    print("gone", e.get_error_code(), e.get_error_domain(), e.get_error_message())
deadline = time.time() + 10
while (len(every) < 6 or len(only) < 5 or len(refreshed) < 1) and time.time() < deadline:
    time.sleep(0.05)
# virStoragePoolEventLifecycleType: DEFINED 0, UNDEFINED 1, STARTED 2, STOPPED 3, CREATED 4, DELETED 5
print("events", ", ".join(every))
print("events-one", ", ".join(only))
print("refreshed", ", ".join(refreshed))
conn.storagePoolEventDeregisterAny(refresh_cb)
conn.storagePoolEventDeregisterAny(one_cb)
conn.storagePoolEventDeregisterAny(all_cb)
conn.close()
