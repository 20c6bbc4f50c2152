#!/usr/bin/python3
# Drives cockpit-machines' Storage pools and Networks pages in headless Chromium against kvmd on a private bus, as a
# user does, and checks each step by what the page shows and by what kvmd (python3-dbus), the files (qemu-img) and the
# network namespace kvmd runs in (ip) then hold:
#   cockpit_storage_networks.py CHROMIUM MACHINES_URL BUS_ADDRESS CONNECT_PATH SCREENSHOT_DIR EXISTING_DIR NEW_DIR NETNS
#       KVMD_RUNTIME_DIR
# kvmd holds nothing yet; this script defines the pool "existing" (a dir pool on EXISTING_DIR, with one volume), the
# pool "missing" (on a directory that does not exist) and the network "default" through kvmd's API first, then creates
# the pool "created" on NEW_DIR and the network "cockpitnet" through the pages, and last gives the shut-off domain "vm1"
# (defined through the API) a new disk in "existing" from its page's Add disk, then removes it with its file. Prints one line per step and "ok" last; a traceback and exit 1 when a check fails.
import json
import os
import re
import subprocess
import sys

import dbus

from cockpit_page import pass_virtualization_notice, with_page

chromium, machines_url, bus_address, connect_path, shots, existing_dir, new_dir, netns, runtime_dir = sys.argv[1:10]
CONNECTION = 'system'  # cockpit-machines uses only the system connection for root, and the bridge's system bus is ours
GIB = 1024 ** 3
bus = dbus.bus.BusConnection(bus_address)
connect = dbus.Interface(bus.get_object('org.libvirt', connect_path), 'org.libvirt.Connect')

EXISTING_POOL = "<pool type='dir'><name>existing</name><target><path>%s</path></target></pool>" % existing_dir
EXISTING_VOLUME = ("<volume><name>present.qcow2</name><capacity unit='MiB'>64</capacity>"
                   "<target><format type='qcow2'/></target></volume>")
MISSING_POOL = "<pool type='dir'><name>missing</name><target><path>%s</path></target></pool>" % (
    os.path.join(new_dir, 'not-there'))
VM_XML = '''<domain type='kvm'>
  <name>vm1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>'''
DEFAULT_NETWORK = '''<network>
  <name>default</name>
  <forward mode='nat'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.150.2' end='192.168.150.254'/></dhcp>
  </ip>
</network>'''


def obj(path, interface):
    return dbus.Interface(bus.get_object('org.libvirt', path), interface)


def prop(path, interface, name):
    return bus.get_object('org.libvirt', path).Get(interface, name, dbus_interface=dbus.PROPERTIES_IFACE)


def kvmd_pools():
    return {str(prop(p, 'org.libvirt.StoragePool', 'Name')): p for p in connect.ListStoragePools(0)}


def kvmd_networks():
    return {str(prop(p, 'org.libvirt.Network', 'Name')): p for p in connect.ListNetworks(0)}


def in_netns(*args):
    return subprocess.run(['ip', 'netns', 'exec', netns] + list(args), capture_output=True, text=True)


def pool_id(name, part):
    return '#pool-%s-%s-%s' % (name, CONNECTION, part)


def network_id(name, part):
    return '#network-%s-%s-%s' % (name, CONNECTION, part)


def wait_text(page, selector, text, what):
    page.wait('(() => { const e = document.querySelector(%s); return !!e && e.innerText.trim() === %s; })()'
              % (json.dumps(selector), json.dumps(text)), what)


def open_kebab_item(page, kebab, item):
    page.click(kebab + ' button')
    page.wait('!!document.querySelector(%s)' % json.dumps(item + ' a, ' + item + ' button'), 'the menu item ' + item)
    page.click(item + ' a, ' + item + ' button')


def confirm_dialog(page, button, what, shot):
    page.wait('!!document.querySelector(".pf-c-modal-box")', what)
    page.screenshot(shot)
    page.click_text('.pf-c-modal-box__footer button', button, "the dialog's %s button" % button)
    page.wait('!document.querySelector(".pf-c-modal-box")', what + ' to close')


def prepare_kvmd():
    pool = connect.StoragePoolDefineXML(EXISTING_POOL, 0)
    obj(pool, 'org.libvirt.StoragePool').Create(0)
    obj(pool, 'org.libvirt.StoragePool').StorageVolCreateXML(EXISTING_VOLUME, 0)
    connect.StoragePoolDefineXML(MISSING_POOL, 0)
    connect.DomainDefineXML(VM_XML)
    network = connect.NetworkDefineXML(DEFAULT_NETWORK)
    obj(network, 'org.libvirt.Network').Create()


def storage_pools(page):
    page.open(machines_url + '#/storages')
    pass_virtualization_notice(page, '!!document.querySelector(%s)' % json.dumps(pool_id('existing', 'state')))

    # 1. The list shows kvmd's pool, active, and its volume in the Storage volumes tab.
    wait_text(page, pool_id('existing', 'state'), 'active', 'the pool "existing" to show active')
    expand_volumes(page, 'existing')
    page.wait('!!document.getElementById("pool-existing-system-volume-present.qcow2-name")',
              'the volume present.qcow2 in the list')
    page.screenshot('01-pools')
    page.no_danger('on the Storage pools page')
    print('pools: existing active, volume present.qcow2 listed')

    # 2. Create storage pool: a directory pool on NEW_DIR, started at boot; Cockpit defines it and leaves it inactive.
    # Cockpit enables the button once `virsh -c qemu:///session pool-capabilities` has answered or failed (for root it
    # tries /run/libvirt's socket): quick here, slower when some libvirtd is listening there.
    page.wait('!!document.querySelector("#create-storage-pool") && !document.querySelector("#create-storage-pool").disabled',
              'the Create storage pool button to be enabled', timeout=90)
    page.click('#create-storage-pool')
    page.wait('!!document.querySelector("#storage-pool-dialog-name")', 'the Create storage pool dialog')
    page.type('#storage-pool-dialog-name', 'created')
    page.check(page.eval('document.querySelector("#storage-pool-dialog-type").value') == 'dir', 'the type is not dir')
    page.type('.pf-c-modal-box .pf-c-select__toggle-typeahead', new_dir)
    # The target path is a file chooser with completion: pick the directory it offers, as a user does.
    page.click_text('.pf-c-select__menu-item', new_dir.rstrip('/') + '/', 'the directory in the path completion')
    page.check(page.eval('document.querySelector("#storage-pool-dialog-autostart").checked'), 'autostart unchecked')
    page.screenshot('02-create-pool-dialog')
    page.click_text('.pf-c-modal-box__footer button', 'Create', "the dialog's Create button")
    wait_text(page, pool_id('created', 'state'), 'inactive', 'the pool "created" to show inactive')
    pools = kvmd_pools()
    page.check('created' in pools, 'kvmd holds the pools %s' % sorted(pools))
    created = pools['created']
    xml = str(obj(created, 'org.libvirt.StoragePool').GetXMLDesc(0))
    page.check(re.search(r"<path>%s/?</path>" % re.escape(new_dir.rstrip('/')), xml) and "type='dir'" in xml,
               "kvmd's XML of the pool is:\n" + xml)
    page.check(prop(created, 'org.libvirt.StoragePool', 'Autostart') and
               not prop(created, 'org.libvirt.StoragePool', 'Active'), 'kvmd: the pool is not inactive with autostart')
    print('create pool: "created" defined in kvmd on %s, inactive, autostart' % new_dir)

    # 3. Activate it.
    page.click('#activate-pool-created-system')
    wait_text(page, pool_id('created', 'state'), 'active', 'the pool "created" to show active')
    page.check(prop(created, 'org.libvirt.StoragePool', 'Active'), 'kvmd: the pool is not active')
    print('activate pool: active in kvmd')

    # 4. Create volume: 2 GiB qcow2; the file is a real qcow2 image of that size.
    expand_volumes(page, 'created')
    page.click('#created-system-create-volume-button')
    page.wait('!!document.querySelector("#create-volume-dialog-name")', 'the Create storage volume dialog')
    page.type('#create-volume-dialog-name', 'disk1')
    page.type('#create-volume-dialog-size', '2')
    page.check(page.eval('document.querySelector("#create-volume-dialog-unit").value') == 'GiB', 'the unit is not GiB')
    page.check(page.eval('document.querySelector("#create-volume-dialog-format").value') == 'qcow2',
               'the format is not qcow2')
    page.screenshot('03-create-volume-dialog')
    page.click_text('.pf-c-modal-box__footer button', 'Create', "the dialog's Create button")
    page.wait('!!document.getElementById("pool-created-system-volume-disk1-name")', 'the volume disk1 in the list')
    page.wait('!document.querySelector(".pf-c-modal-box")', 'the dialog to close')
    page.screenshot('04-volume')
    image = os.path.join(new_dir, 'disk1')
    info = subprocess.run(['qemu-img', 'info', '--output=json', image], capture_output=True, text=True)
    page.check(info.returncode == 0, 'qemu-img info %s: %s' % (image, info.stderr))
    info = json.loads(info.stdout)
    page.check((info['format'], info['virtual-size']) == ('qcow2', 2 * GIB), 'qemu-img says %s' % info)
    volume = obj(created, 'org.libvirt.StoragePool').StorageVolLookupByName('disk1')
    page.check(str(prop(volume, 'org.libvirt.StorageVol', 'Path')) == image, 'kvmd: the volume is not at ' + image)
    print('create volume: disk1 is a 2 GiB qcow2 (qemu-img info) in kvmd and on disk')

    # 5. Delete the volume: select its row, then "Delete 1 volume".
    page.eval('document.getElementById("pool-created-system-volume-disk1-name").closest("tr")'
              '.querySelector("input[type=checkbox]").click()')
    page.wait('!!document.querySelector("#storage-volumes-delete")', 'the Delete volume button')
    page.click('#storage-volumes-delete')
    page.wait('!document.getElementById("pool-created-system-volume-disk1-name")', 'disk1 to leave the list')
    page.check(not os.path.exists(image), image + ' still exists')
    page.check(list(obj(created, 'org.libvirt.StoragePool').ListStorageVolumes(0)) == [], 'kvmd still lists a volume')
    print('delete volume: gone from the page, kvmd and the disk')

    # 6. Deactivate, then Delete from the row's menu; the directory stays, as Cockpit's dialog says.
    page.click('#deactivate-pool-created-system')
    wait_text(page, pool_id('created', 'state'), 'inactive', 'the pool "created" to show inactive again')
    page.check(not prop(created, 'org.libvirt.StoragePool', 'Active'), 'kvmd: the pool is still active')
    open_kebab_item(page, pool_id('created', 'action-kebab'), '#delete-pool-created-system')
    confirm_dialog(page, 'Delete', 'the Delete storage pool dialog', '05-delete-pool-dialog')
    page.wait('!document.querySelector(%s)' % json.dumps(pool_id('created', 'name')), '"created" to leave the list')
    page.check(sorted(kvmd_pools()) == ['existing', 'missing'], 'kvmd holds the pools %s' % sorted(kvmd_pools()))
    page.check(os.path.isdir(new_dir), new_dir + ' was removed')
    page.screenshot('06-pool-deleted')
    page.no_danger('after the storage pool steps')
    print('delete pool: deactivated, then undefined in kvmd; its directory kept')

    # 7. A pool whose directory is gone: Activate fails, and the row says why in kvmd's (libvirt's) words.
    page.click('#activate-pool-missing-system')
    page.click_text('#pool-missing-system-name, tr button', 'view more...', 'the failure\'s "view more..." link')
    page.wait('[...document.querySelectorAll(".pf-c-popover")].some(p => p.innerText.includes("cannot open directory"))',
              'the popover with the reason')
    popover = page.eval('[...document.querySelectorAll(".pf-c-popover")].map(p => p.innerText).join("\\n")')
    page.screenshot('07-pool-activation-failed')
    page.check('failed to get activated' in popover and 'No such file or directory' in popover, 'popover: ' + popover)
    missing = kvmd_pools()['missing']
    page.check(not prop(missing, 'org.libvirt.StoragePool', 'Active'), 'kvmd: the missing pool is active')
    page.eval('document.querySelector(".pf-c-popover button[aria-label=Close]")?.click()')
    open_kebab_item(page, pool_id('missing', 'action-kebab'), '#delete-pool-missing-system')
    confirm_dialog(page, 'Delete', 'the Delete storage pool dialog', '08-delete-missing-pool-dialog')
    page.wait('!document.querySelector(%s)' % json.dumps(pool_id('missing', 'name')), '"missing" to leave the list')
    page.check(sorted(kvmd_pools()) == ['existing'], 'kvmd holds the pools %s' % sorted(kvmd_pools()))
    print('failed activation: the row shows kvmd\'s reason (%s); the pool deleted' % popover.split('\n')[-1])


def expand_volumes(page, pool):
    """Opens the pool's row and its Storage volumes tab."""
    body = 'document.querySelector(%s).closest("tbody")' % json.dumps(pool_id(pool, 'name'))
    page.eval('(() => { const b = %s.querySelector("button[id^=expand-toggle]");'
              ' if (b && b.getAttribute("aria-expanded") !== "true") b.click(); })()' % body)
    page.wait('(() => { const t = [...%s.querySelectorAll(".pf-c-tabs__link")]'
              '.find(e => e.innerText.trim() === "Storage volumes"); if (t) t.click(); return !!t; })()' % body,
              'the Storage volumes tab of ' + pool)


def networks(page):
    page.eval('window.location.hash = "#/networks"')

    # 8. The list shows kvmd's network, active on its bridge.
    wait_text(page, network_id('default', 'state'), 'active', 'the network "default" to show active')
    page.check(page.inner_text(network_id('default', 'device')) == 'virbr0', 'default is not on virbr0')
    page.screenshot('09-networks')
    page.no_danger('on the Networks page')
    print('networks: default active on virbr0')

    # 9. Create virtual network: NAT, 192.168.100.1/24 (Cockpit's default), a DHCP range.
    page.click('#create-network')
    page.wait('!!document.querySelector("#create-network-name")', 'the Create virtual network dialog')
    page.type('#create-network-name', 'cockpitnet')
    page.check(page.eval('document.querySelector("#create-network-forward-mode").value') == 'nat', 'not NAT')
    page.check(page.eval('document.querySelector("#network-ipv4-address").value') == '192.168.100.1', 'not 192.168.100.1')
    page.click('#network-ipv4-dhcp')
    page.wait('!!document.querySelector("#network-ipv4-dhcp-range-start")', 'the DHCP range fields')
    page.type('#network-ipv4-dhcp-range-start', '192.168.100.10')
    page.type('#network-ipv4-dhcp-range-end', '192.168.100.100')
    page.screenshot('10-create-network-dialog')
    page.click_text('.pf-c-modal-box__footer button', 'Create', "the dialog's Create button")
    wait_text(page, network_id('cockpitnet', 'state'), 'inactive', 'the network "cockpitnet" to show inactive')
    page.wait('!document.querySelector(".pf-c-modal-box")', 'the dialog to close')
    nets = kvmd_networks()
    page.check('cockpitnet' in nets, 'kvmd holds the networks %s' % sorted(nets))
    net = nets['cockpitnet']
    xml = str(obj(net, 'org.libvirt.Network').GetXMLDesc(0))
    bridge = re.search(r"<bridge name='([^']+)'", xml)
    page.check(bridge and "<forward mode='nat'" in xml and "address='192.168.100.1'" in xml
               and "<range start='192.168.100.10' end='192.168.100.100'" in xml, "kvmd's XML of the network:\n" + xml)
    bridge = bridge.group(1)
    page.check(page.inner_text(network_id('cockpitnet', 'device')) == bridge, 'the page shows another device')
    print('create network: cockpitnet defined in kvmd, NAT on %s, 192.168.100.1/24, DHCP .10-.100' % bridge)

    # 10. Activate it: kvmd makes the bridge with its address (inside kvmd's network namespace) and runs dnsmasq.
    page.click('#activate-network-cockpitnet-system')
    wait_text(page, network_id('cockpitnet', 'state'), 'active', 'the network "cockpitnet" to show active')
    page.check(prop(net, 'org.libvirt.Network', 'Active'), 'kvmd: the network is not active')
    addr = in_netns('ip', '-4', '-br', 'addr', 'show', 'dev', bridge).stdout
    page.check('192.168.100.1/24' in addr, 'the bridge %s in kvmd\'s namespace: %r' % (bridge, addr))
    dnsmasq = subprocess.run(['pgrep', '-f', 'dnsmasq --conf-file=.*/cockpitnet.conf'], capture_output=True, text=True)
    page.check(dnsmasq.returncode == 0, 'no dnsmasq for cockpitnet is running')
    page.screenshot('11-network-active')
    print('activate network: %s has 192.168.100.1/24 and dnsmasq runs' % bridge)

    # 11. Autostart on, then a static DHCP host added and removed on the running network (Network.Update): kvmd's
    # XML and the hosts file dnsmasq reads follow each change.
    expand = ('(() => { const b = document.querySelector(%s).closest("tbody").querySelector("button[id^=expand-toggle]");'
              ' if (b.getAttribute("aria-expanded") !== "true") b.click(); })()' % json.dumps(network_id('cockpitnet', 'name')))
    page.eval(expand)
    page.wait('!!document.querySelector(%s)' % json.dumps(network_id('cockpitnet', 'autostart')), 'the autostart switch')
    page.click(network_id('cockpitnet', 'autostart'))
    page.wait_for(lambda: prop(net, 'org.libvirt.Network', 'Autostart'), 'kvmd: autostart on')
    page.click(network_id('cockpitnet', 'static-host-entries-add'))
    page.wait('!!document.querySelector("#add-new-static-entry-mac-address")', 'the Add static host dialog')
    page.type('#add-new-static-entry-mac-address', '52:54:00:aa:bb:cc')
    page.type('#add-new-static-entry-ip-address', '192.168.100.20')
    page.screenshot('12-static-host-dialog')
    page.click('#add-new-static-entry-save')
    page.wait('document.body.innerText.includes("MAC: 52:54:00:aa:bb:cc, IP: 192.168.100.20")', 'the static host entry')
    hosts_file = os.path.join(runtime_dir, 'network', 'cockpitnet.hostsfile')
    xml = str(obj(net, 'org.libvirt.Network').GetXMLDesc(0))
    page.check("<host mac='52:54:00:aa:bb:cc' ip='192.168.100.20'/>" in xml, "kvmd's XML of the network:\n" + xml)
    page.check(open(hosts_file).read() == '52:54:00:aa:bb:cc,192.168.100.20\n', 'dnsmasq\'s hosts: %r'
               % open(hosts_file).read())
    page.screenshot('13-static-host')
    page.click('#delete-network-cockpitnet-system-ipv4-dhcp-host-0-button')
    confirm_dialog(page, 'Remove', 'the Remove static host dialog', '13-remove-static-host-dialog')
    page.wait('!document.body.innerText.includes("MAC: 52:54:00:aa:bb:cc")', 'the static host entry to go')
    page.check('52:54:00:aa:bb:cc' not in str(obj(net, 'org.libvirt.Network').GetXMLDesc(0)), 'kvmd still has the host')
    page.check(open(hosts_file).read() == '', 'dnsmasq\'s hosts: %r' % open(hosts_file).read())
    print('network settings: autostart on; static host 52:54:00:aa:bb:cc added and removed (kvmd and dnsmasq)')

    # 12. Delete it from the row's menu while it runs: Cockpit stops and undefines it; nothing of it remains.
    open_kebab_item(page, network_id('cockpitnet', 'action-kebab'), '#delete-network-cockpitnet-system')
    confirm_dialog(page, 'Delete', 'the Delete network dialog', '14-delete-network-dialog')
    page.wait('!document.querySelector(%s)' % json.dumps(network_id('cockpitnet', 'name')), 'cockpitnet to leave the list')
    page.check(sorted(kvmd_networks()) == ['default'], 'kvmd holds the networks %s' % sorted(kvmd_networks()))
    page.check(in_netns('ip', 'link', 'show', 'dev', bridge).returncode != 0, bridge + ' still exists')
    page.check(subprocess.run(['pgrep', '-f', 'dnsmasq --conf-file=.*/cockpitnet.conf']).returncode != 0,
               'dnsmasq for cockpitnet still runs')
    page.screenshot('15-network-deleted')
    page.no_danger('after the network steps')
    print('delete network: stopped and undefined in kvmd, %s and its dnsmasq gone' % bridge)


def vm_disk(page):
    page.eval('window.location.hash = "#vm?name=vm1&connection=system"')

    # 13. Add disk, "Create new" in the pool "existing": kvmd makes the volume and adds the disk to vm1's definition.
    page.wait('!!document.querySelector("#vm-vm1-disks-adddisk")', 'the Add disk button of vm1')
    page.click('#vm-vm1-disks-adddisk')
    page.wait('!!document.querySelector("#vm-vm1-disks-adddisk-new-name")', 'the Add disk dialog')
    page.check(page.eval('document.querySelector("#vm-vm1-disks-adddisk-new-select-pool").value') == 'existing',
               'the pool offered is not "existing"')
    page.type('#vm-vm1-disks-adddisk-new-name', 'vm1-data')
    page.screenshot('16-add-disk-dialog')
    page.click_text('.pf-c-modal-box__footer button', 'Add', "the dialog's Add button")
    page.wait('!!document.querySelector("#vm-vm1-disks-vda-source-volume")', 'the disk vda on the page')
    page.wait('!document.querySelector(".pf-c-modal-box")', 'the dialog to close')
    page.check(page.inner_text('#vm-vm1-disks-vda-source-volume') == 'vm1-data', 'the disk shows another volume')
    page.screenshot('17-disk-added')
    vm = connect.DomainLookupByName('vm1')
    xml = str(obj(vm, 'org.libvirt.Domain').GetXMLDesc(2))  # VIR_DOMAIN_XML_INACTIVE
    page.check("<source pool='existing' volume='vm1-data'/>" in xml and "<target dev='vda' bus='virtio'/>" in xml,
               "kvmd's XML of vm1:\n" + xml)
    image = os.path.join(existing_dir, 'vm1-data')
    info = json.loads(subprocess.run(['qemu-img', 'info', '--output=json', image], capture_output=True, text=True,
                                     check=True).stdout)
    page.check((info['format'], info['virtual-size']) == ('qcow2', GIB), 'qemu-img says %s' % info)
    print('add disk: vm1 has vda on the volume existing/vm1-data, a 1 GiB qcow2')

    # 14. Remove it from the disk's menu with "Remove and delete file".
    open_kebab_item(page, '#vm-vm1-disks-vda-action-kebab', '#delete-vm-vm1-disks-vda')
    confirm_dialog(page, 'Remove and delete file', 'the Remove disk dialog', '18-remove-disk-dialog')
    page.wait('!document.querySelector("#vm-vm1-disks-vda-source-volume")', 'the disk vda to leave the page')
    page.wait_for(lambda: not os.path.exists(image), image + ' to be deleted')
    xml = str(obj(vm, 'org.libvirt.Domain').GetXMLDesc(2))
    page.check('<disk' not in xml, "kvmd's XML of vm1 still has a disk:\n" + xml)
    page.no_danger('after the disk steps')
    print('remove disk: gone from vm1 in kvmd, its volume file deleted')


def run(page):
    prepare_kvmd()
    storage_pools(page)
    networks(page)
    vm_disk(page)
    print('ok')


with_page(chromium, shots, run)
