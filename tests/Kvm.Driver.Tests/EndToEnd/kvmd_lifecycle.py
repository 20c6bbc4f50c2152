#!/usr/bin/python3
# A domain's whole life through kvmd's org.libvirt API, as a python3-dbus client sees it, on real KVM:
#   kvmd_lifecycle.py BUS_ADDRESS CONNECT_PATH DOMAIN_XML_FILE CONSOLE_FILE
# define -> Create -> Suspend -> Resume -> Shutdown (the guest powers itself off when it sees the ACPI power button)
# -> Create -> Destroy -> Undefine, checking after each step the DomainEvent signal (libvirt's event and detail
# numbers), GetState and the Active and Id properties. Prints the signals seen and "ok"; exits 1 with a traceback
# when something differs.
import os
import sys
import dbus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmd_client import Kvmd  # noqa: E402

# virDomainEventType / details and virDomainState / reasons (libvirt-domain.h)
DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN_EVENT = 0, 1, 2, 3, 4, 5, 6
ADDED, REMOVED, BOOTED, PAUSED, UNPAUSED, STOPPED_SHUTDOWN, STOPPED_DESTROYED = 0, 0, 0, 0, 0, 0, 1
RUNNING, STATE_PAUSED, SHUTOFF = 1, 3, 5
RUNNING_BOOTED, PAUSED_USER, SHUTOFF_SHUTDOWN, SHUTOFF_DESTROYED = 1, 1, 1, 2

kvmd = Kvmd(sys.argv)
connect, log, wait_for_event, wait_for_console = kvmd.connect, kvmd.log, kvmd.wait_for_event, kvmd.wait_for_console


def check(domain, props, state, reason, active):
    got = tuple(int(v) for v in domain.GetState(0))
    assert got == (state, reason), 'GetState: %r, expected %r' % (got, (state, reason))
    assert bool(props.Get('org.libvirt.Domain', 'Active')) == active, 'Active should be %s' % active
    domain_id = int(props.Get('org.libvirt.Domain', 'Id'))
    assert (domain_id > 0) == active, 'Id %d while Active is %s' % (domain_id, active)


boot = 600  # seconds: everything is emulated in the nested-KVM guest
xml = kvmd.xml()
seen = 0

path = str(connect.DomainDefineXML(xml))
seen = wait_for_event(path, DEFINED, ADDED, 30, seen)
obj = kvmd.bus.get_object('org.libvirt', path)
domain = dbus.Interface(obj, 'org.libvirt.Domain')
props = dbus.Interface(obj, dbus.PROPERTIES_IFACE)
check(domain, props, SHUTOFF, 0, False)

domain.Create(0, timeout=boot)
seen = wait_for_event(path, STARTED, BOOTED, 60, seen)
check(domain, props, RUNNING, RUNNING_BOOTED, True)
assert path in [str(p) for p in connect.ListDomains(1)], 'ListDomains(ACTIVE) misses the running domain'

# Suspend once the guest runs its /init: a stop/cont in the first second of the kernel's boot sometimes makes the
# emulated-nested guest reset, and then reset on every boot after (the known gap DomainManagerKvmTests also avoids).
wait_for_console('KVM-VMM-INIT-OK', boot)
domain.Suspend(timeout=120)
seen = wait_for_event(path, SUSPENDED, PAUSED, 60, seen)
check(domain, props, STATE_PAUSED, PAUSED_USER, True)

domain.Resume(timeout=120)
seen = wait_for_event(path, RESUMED, UNPAUSED, 60, seen)
assert int(domain.GetState(0)[0]) == RUNNING

wait_for_console('power-button=/dev/input/event', boot)
domain.Shutdown(0, timeout=120)
seen = wait_for_event(path, STOPPED, STOPPED_SHUTDOWN, boot, seen)
check(domain, props, SHUTOFF, SHUTOFF_SHUTDOWN, False)
wait_for_console('POWER-BUTTON-PRESSED', 10)

domain.Create(0, timeout=boot)
seen = wait_for_event(path, STARTED, BOOTED, 60, seen)
check(domain, props, RUNNING, RUNNING_BOOTED, True)
domain.Destroy(0, timeout=120)
seen = wait_for_event(path, STOPPED, STOPPED_DESTROYED, 120, seen)
check(domain, props, SHUTOFF, SHUTOFF_DESTROYED, False)

domain.Undefine(0)
seen = wait_for_event(path, UNDEFINED, REMOVED, 30, seen)
assert path not in [str(p) for p in connect.ListDomains(0)], 'the undefined domain is still listed'

print('signals: ' + kvmd.signals(path))
print('ok')
