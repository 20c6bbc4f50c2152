#!/usr/bin/python3
# Drives Cockpit's Machines page (cockpit-machines, served by cockpit-ws) in headless Chromium through the DevTools
# protocol (python3-websocket), against kvmd on a private bus, and checks by what the page shows and what kvmd holds:
#   cockpit_machines.py CHROMIUM PAGE_URL BUS_ADDRESS CONNECT_PATH SCREENSHOT_DIR DISK
# The bus already holds the domains "with-machine" (its disk DISK) and "without-machine", defined by the test, shut off.
# Prints one line per step and "ok" last; a traceback and exit 1 when a check fails.
import json
import sys
import time

import dbus

from cockpit_page import DANGER, click_text, pass_virtualization_notice, with_page

chromium, page_url, bus_address, connect_path, shots, disk = sys.argv[1:7]
CONNECTION = 'system'  # cockpit-machines uses only the system connection for root, and the bridge's system bus is ours
bus = dbus.bus.BusConnection(bus_address)
connect = dbus.Interface(bus.get_object('org.libvirt', connect_path), 'org.libvirt.Connect')

LIVE_XML = '''<domain type='kvm'>
  <name>defined-live</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>'''


def kvmd_domains():
    names = []
    for path in connect.ListDomains(0):
        domain = bus.get_object('org.libvirt', path)
        names.append(str(domain.Get('org.libvirt.Domain', 'Name', dbus_interface=dbus.PROPERTIES_IFACE)))
    return sorted(names)


def row(name, part):
    return json.dumps('#vm-%s-%s-%s' % (name, CONNECTION, part))


def state_of(page, name):
    return page.eval('(() => { const e = document.querySelector(%s); return e ? e.innerText.trim() : null; })()'
                     % row(name, 'state'))


def run(page):
    page.open(page_url)
    pass_virtualization_notice(page, '!!document.querySelector(%s)' % row('with-machine', 'state'))

    # 1. The list: both domains, shut off, no error alert.
    for name in ('with-machine', 'without-machine'):
        page.wait('!!document.querySelector(%s)' % row(name, 'state'), 'the row of ' + name, timeout=90)
    page.wait('(() => { const s = document.querySelectorAll("[id$=\\"-state\\"]"); return s.length >= 2; })()', 'states')
    time.sleep(1)  # let every list call answer before looking for an alert
    page.screenshot('01-list')
    for name in ('with-machine', 'without-machine'):
        assert state_of(page, name) == 'Shut off', '%s shows state %r' % (name, state_of(page, name))
    assert not page.eval(DANGER), 'the list shows an error alert:\n' + page.text()
    print('list: with-machine, without-machine shut off, no alert')

    # 2. A domain's details: memory, vCPUs, its disk and its interface from its XML.
    page.click('#vm-with-machine-%s-name' % CONNECTION)
    page.wait('document.body.innerText.includes("52:54:00:12:34:56")', 'the details of with-machine')
    time.sleep(1)
    page.screenshot('02-details')
    text = page.text()
    # The overview's fields, each as a label line and its value line; the disk row by its target in the row's id.
    for expected in ('\nMemory\n512.0 MiB\n', '\nvCPUs\n2\n', '\nEmulated machine\nq35\n', disk, '52:54:00:12:34:56'):
        assert expected in text, '%r is not on the details page:\n%s' % (expected, text)
    assert page.eval('!!document.querySelector("[id^=\\"vm-with-machine-disks-vda-\\"]")'), 'no row for disk vda:\n' + text
    nic = page.eval('(() => { const e = document.querySelector("[id^=\\"vm-with-machine-network-1-\\"]");'
                    ' return e ? e.closest("tr").innerText : null; })()')
    assert nic is not None and 'virtio' in nic and '52:54:00:12:34:56' in nic, 'the interface row shows %r (ids: %s)' % (
        nic, page.eval('[...document.querySelectorAll("[id*=network]")].map(e => e.id).join(" ")'))
    page.eval('document.querySelector("[id^=\\"vm-with-machine-disks-vda-\\"]").scrollIntoView()')
    time.sleep(0.5)
    page.screenshot('02-details-devices')
    assert not page.eval(DANGER), 'the details page shows an error alert:\n' + text
    print('details: 512 MiB, 2 vCPUs, disk vda, interface 52:54:00:12:34:56')

    # 3. Back to the list; a domain defined through kvmd's API appears without a reload (DomainEvent).
    page.eval('window.location.hash = ""')
    page.wait('!!document.querySelector(%s)' % row('without-machine', 'state'), 'the list again')
    page.eval('window.__notReloaded = true')
    connect.DomainDefineXML(LIVE_XML)
    page.wait('!!document.querySelector(%s)' % row('defined-live', 'state'), 'defined-live to appear')
    assert page.eval('window.__notReloaded === true'), 'the page was reloaded'
    page.screenshot('03-defined-live')
    print('live: defined-live appeared without a reload')

    # 4. Delete a shut-off domain through its kebab menu and the Delete dialog; kvmd no longer holds it.
    kebab = ('(() => { const r = document.querySelector(%s).closest("tr");'
             ' const b = r && r.querySelector(".pf-c-dropdown__toggle, button[aria-label=Actions]");'
             ' if (b) b.click(); return !!b; })()' % row('without-machine', 'state'))
    assert page.eval(kebab), 'no kebab menu in the row of without-machine'
    page.wait(click_text('.pf-c-dropdown__menu-item, [role=menuitem]', 'Delete'), 'the Delete menu item')
    page.wait('!!document.querySelector(".pf-c-modal-box")', 'the Delete dialog')
    time.sleep(0.5)
    page.screenshot('04-delete-dialog')
    page.wait(click_text('.pf-c-modal-box__footer button', 'Delete'), "the dialog's Delete button")
    page.wait('!document.querySelector(%s)' % row('without-machine', 'state'), 'without-machine to leave the list')
    page.screenshot('05-deleted')
    assert kvmd_domains() == ['defined-live', 'with-machine'], 'kvmd holds %s' % kvmd_domains()
    assert not page.eval(DANGER), 'an error alert after Delete:\n' + page.text()
    print('delete: without-machine gone from the page and from kvmd')
    print('ok')


with_page(chromium, shots, run)
