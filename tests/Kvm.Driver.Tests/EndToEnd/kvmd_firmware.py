#!/usr/bin/python3
# A firmware domain (no <kernel>: SeaBIOS boots syslinux, or OVMF boots GRUB, from its virtio disk) through kvmd's
# org.libvirt API, as a python3-dbus client sees it, on real KVM:
#   kvmd_firmware.py BUS_ADDRESS CONNECT_PATH DOMAIN_XML_FILE CONSOLE_FILE [CONSOLE_LINE ...]
# DomainDefineXML -> Create -> the firmware's, the boot loader's and the guest's lines on the serial console (the
# CONSOLE_LINEs, SeaBIOS's and syslinux's by default) -> Shutdown (the ACPI power button; the guest powers off when it
# sees it) -> Undefine with VIR_DOMAIN_UNDEFINE_NVRAM, checking the DomainEvent signals, GetState and the stored XML
# (still without a kernel). A domain with an <nvram> in its live XML (UEFI) must have that file while it runs and lose
# it with the undefine. Prints "ok" or exits 1.
import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmd_client import Kvmd  # noqa: E402

DEFINED, UNDEFINED, STARTED, STOPPED = 0, 1, 2, 5
ADDED, REMOVED, BOOTED, STOPPED_SHUTDOWN = 0, 0, 0, 0
RUNNING, SHUTOFF = 1, 5
RUNNING_BOOTED, SHUTOFF_SHUTDOWN = 1, 1
UNDEFINE_NVRAM = 4

kvmd = Kvmd(sys.argv)
connect, wait_for_event, wait_for_console = kvmd.connect, kvmd.wait_for_event, kvmd.wait_for_console


def state(domain):
    return tuple(int(v) for v in domain.GetState(0))


boot = 600  # seconds: everything is emulated in the nested-KVM guest
path = str(connect.DomainDefineXML(kvmd.xml()))
seen = wait_for_event(path, DEFINED, ADDED, 30, 0)
domain = kvmd.domain(path)
stored = str(domain.GetXMLDesc(0))
assert '<kernel>' not in stored and "<boot dev='hd'/>" in stored, 'the stored definition:\n' + stored
assert state(domain) == (SHUTOFF, 0), 'GetState after define: %r' % (state(domain),)

domain.Create(0, timeout=boot)
seen = wait_for_event(path, STARTED, BOOTED, 60, seen)
assert state(domain) == (RUNNING, RUNNING_BOOTED), 'GetState after Create: %r' % (state(domain),)
for line in sys.argv[5:] or ['SeaBIOS (version', 'Booting from Hard Disk', 'SYSLINUX 6.']:
    wait_for_console(line, boot)
wait_for_console('power-button=/dev/input/event', boot)
nvram = re.search(r'<nvram[^>]*>([^<]+)</nvram>', str(domain.GetXMLDesc(0)))
if nvram:
    assert os.path.isfile(nvram.group(1)), 'the NVRAM file %s of the running domain' % nvram.group(1)

domain.Shutdown(0, timeout=120)
seen = wait_for_event(path, STOPPED, STOPPED_SHUTDOWN, boot, seen)
assert state(domain) == (SHUTOFF, SHUTOFF_SHUTDOWN), 'GetState after Shutdown: %r' % (state(domain),)
wait_for_console('POWER-BUTTON-PRESSED', 10)

domain.Undefine(UNDEFINE_NVRAM)
seen = wait_for_event(path, UNDEFINED, REMOVED, 30, seen)
if nvram:
    assert not os.path.exists(nvram.group(1)), 'the NVRAM file %s after Undefine(NVRAM)' % nvram.group(1)
    print('nvram: ' + nvram.group(1))
assert path not in [str(p) for p in connect.ListDomains(0)], 'the undefined domain is still listed'
print('signals: ' + kvmd.signals(path))
print('ok')
