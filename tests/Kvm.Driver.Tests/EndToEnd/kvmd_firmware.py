#!/usr/bin/python3
# A BIOS domain (no <kernel>: SeaBIOS boots syslinux from its virtio disk) through kvmd's org.libvirt API, as a
# python3-dbus client sees it, on real KVM:
#   kvmd_firmware.py BUS_ADDRESS CONNECT_PATH DOMAIN_XML_FILE CONSOLE_FILE
# DomainDefineXML -> Create -> the firmware's, the boot loader's and the guest's lines on the serial console ->
# Shutdown (the ACPI power button; the guest powers off when it sees it) -> Undefine with VIR_DOMAIN_UNDEFINE_NVRAM,
# checking the DomainEvent signals, GetState and the stored XML (still without a kernel). Prints "ok" or exits 1.
import sys
import time
import dbus
import dbus.mainloop.glib
from gi.repository import GLib

DEFINED, UNDEFINED, STARTED, STOPPED = 0, 1, 2, 5
ADDED, REMOVED, BOOTED, STOPPED_SHUTDOWN = 0, 0, 0, 0
RUNNING, SHUTOFF = 1, 5
RUNNING_BOOTED, SHUTOFF_SHUTDOWN = 1, 1
UNDEFINE_NVRAM = 4

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
address, connect_path, xml_file, console_file = sys.argv[1:5]
bus = dbus.bus.BusConnection(address)
connect = dbus.Interface(bus.get_object('org.libvirt', connect_path), 'org.libvirt.Connect')
events = []
connect.connect_to_signal('DomainEvent', lambda path, event, detail: events.append((str(path), int(event), int(detail))))
started = time.monotonic()


def log(text):
    print('%8.1f s  %s' % (time.monotonic() - started, text), flush=True)


def pump(seconds):
    loop = GLib.MainLoop()
    GLib.timeout_add(int(seconds * 1000), loop.quit)
    loop.run()


def wait_for_event(path, event, detail, timeout, seen_before):
    deadline = time.monotonic() + timeout
    while True:
        for i in range(seen_before, len(events)):
            if events[i] == (path, event, detail):
                log('DomainEvent %d/%d' % (event, detail))
                return i + 1
        assert time.monotonic() < deadline, 'no DomainEvent %d/%d for %s within %d s; seen: %r' % (
            event, detail, path, timeout, events[seen_before:])
        pump(0.1)


def console():
    try:
        with open(console_file, errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def wait_for_console(text, timeout):
    deadline = time.monotonic() + timeout
    while text not in console():
        assert time.monotonic() < deadline, '%r never appeared on the serial console %s' % (text, console_file)
        pump(0.5)
    log('console: %r' % text)


def state(domain):
    return tuple(int(v) for v in domain.GetState(0))


boot = 600  # seconds: everything is emulated in the nested-KVM guest
with open(xml_file) as f:
    xml = f.read()

path = str(connect.DomainDefineXML(xml))
seen = wait_for_event(path, DEFINED, ADDED, 30, 0)
domain = dbus.Interface(bus.get_object('org.libvirt', path), 'org.libvirt.Domain')
stored = str(domain.GetXMLDesc(0))
assert '<kernel>' not in stored and "<boot dev='hd'/>" in stored, 'the stored definition:\n' + stored
assert state(domain) == (SHUTOFF, 0), 'GetState after define: %r' % (state(domain),)

domain.Create(0, timeout=boot)
seen = wait_for_event(path, STARTED, BOOTED, 60, seen)
assert state(domain) == (RUNNING, RUNNING_BOOTED), 'GetState after Create: %r' % (state(domain),)
wait_for_console('SeaBIOS (version', boot)
wait_for_console('Booting from Hard Disk', boot)
wait_for_console('syslinux: loading the kernel', boot)
wait_for_console('power-button=/dev/input/event', boot)

domain.Shutdown(0, timeout=120)
seen = wait_for_event(path, STOPPED, STOPPED_SHUTDOWN, boot, seen)
assert state(domain) == (SHUTOFF, SHUTOFF_SHUTDOWN), 'GetState after Shutdown: %r' % (state(domain),)
wait_for_console('POWER-BUTTON-PRESSED', 10)

domain.Undefine(UNDEFINE_NVRAM)
seen = wait_for_event(path, UNDEFINED, REMOVED, 30, seen)
assert path not in [str(p) for p in connect.ListDomains(0)], 'the undefined domain is still listed'
print('signals: ' + ' '.join('%d/%d' % (e, d) for p, e, d in events if p == path))
print('ok')
