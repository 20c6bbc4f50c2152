#!/usr/bin/python3
# Checks of org.libvirt.Secret, NodeDevice, Interface and NWFilter in the manner of libvirt-dbus's upstream tests
# (python3-dbus; described in shared/corpus/libvirt-dbus/BEHAVIOUR.md section 3.3), runnable against any
# org.libvirt service:
#   host_objects_suite.py BUS_ADDRESS CONNECT_PATH TEST_NAME
# Prints "ok" and exits 0 when the test passes; a traceback and exit 1 when not.
import sys
import dbus
import dbus.mainloop.glib
from gi.repository import GLib

SECRET_DEFINED, SECRET_UNDEFINED = 0, 1
USAGE_VOLUME = 1
SECRET_XML = "<secret ephemeral='no' private='no'><usage type='volume'><volume>/var/lib/images/a.img</volume></usage></secret>"

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
address, connect_path, test_name = sys.argv[1], sys.argv[2], sys.argv[3]
bus = dbus.bus.BusConnection(address)
connect = dbus.Interface(bus.get_object('org.libvirt', connect_path), 'org.libvirt.Connect')


def props(path):
    return dbus.Interface(bus.get_object('org.libvirt', path), dbus.PROPERTIES_IFACE)


def iface(path, name):
    return dbus.Interface(bus.get_object('org.libvirt', path), name)


def check_type(value, kind):
    assert isinstance(value, kind), (value, type(value), kind)


def wait_for_event(signal, expected_event, expected_detail, action):
    """Subscribe, act, then wait at most 2 s for the event (the upstream main_loop)."""
    loop = GLib.MainLoop()
    seen = {}

    def handler(path, event, detail):
        if event != expected_event:
            return
        assert detail == expected_detail, (event, detail)
        assert isinstance(path, dbus.ObjectPath)
        seen['path'] = path
        loop.quit()

    connect.connect_to_signal(signal, handler)
    result = action()
    GLib.timeout_add(2000, loop.quit)
    if 'path' not in seen:
        loop.run()
    assert 'path' in seen, 'timed out waiting for %s %d/%d' % (signal, expected_event, expected_detail)
    return result, seen['path']


def expect_error(call, message):
    try:
        call()
    except dbus.exceptions.DBusException as e:
        assert e.get_dbus_name() == 'org.libvirt.Error', e.get_dbus_name()
        assert e.get_dbus_message() == message, e.get_dbus_message()
        return
    raise AssertionError('no error, expected: ' + message)


# --- secrets ---

def define_secret():
    path, signalled = wait_for_event('SecretEvent', SECRET_DEFINED, 0, lambda: connect.SecretDefineXML(SECRET_XML, 0))
    check_type(path, dbus.ObjectPath)
    assert signalled == path, (signalled, path)
    return path


def test_connect_secret_define_xml():
    path = define_secret()
    secrets = connect.ListSecrets(0)
    assert list(secrets) == [path], secrets
    bus.get_object('org.libvirt', path).Introspect(dbus_interface=dbus.INTROSPECTABLE_IFACE)


def test_connect_secret_lookup_by_property():
    path = define_secret()
    uuid = props(path).Get('org.libvirt.Secret', 'UUID')
    assert connect.SecretLookupByUUID(uuid) == path
    assert connect.SecretLookupByUsage(USAGE_VOLUME, '/var/lib/images/a.img') == path


def test_secret_properties_type():
    path = define_secret()
    p = props(path).GetAll('org.libvirt.Secret')
    for name, kind in [('UUID', dbus.String), ('UsageID', dbus.String), ('UsageType', dbus.Int32)]:
        check_type(p[name], kind)
    assert p['UsageID'] == '/var/lib/images/a.img' and p['UsageType'] == USAGE_VOLUME, p


def test_secret_value():
    path = define_secret()
    secret = iface(path, 'org.libvirt.Secret')
    secret.SetValue(dbus.ByteArray(b'se\x00cret'), 0)
    value = secret.GetValue(0)
    check_type(value, dbus.Array)
    assert bytes(value) == b'se\x00cret', value
    check_type(secret.GetXMLDesc(0), dbus.String)


def test_secret_private_value():
    path = connect.SecretDefineXML(SECRET_XML.replace("private='no'", "private='yes'"), 0)
    secret = iface(path, 'org.libvirt.Secret')
    secret.SetValue(dbus.ByteArray(b'x'), 0)
    expect_error(lambda: secret.GetValue(0), 'Invalid secret: secret is private')


def test_secret_undefine():
    path = define_secret()
    secret = iface(path, 'org.libvirt.Secret')
    _, signalled = wait_for_event('SecretEvent', SECRET_UNDEFINED, 0, lambda: secret.Undefine())
    assert signalled == path
    assert len(connect.ListSecrets(0)) == 0


# --- node devices (upstream creates a vHBA scsi_host22 to test on; kvmd reports the host's devices and creates none,
#     so these use the loopback interface's device, which every host has) ---

CAP_NET = 1 << 4
NOT_SUPPORTED = 'this function is not supported by the connection driver: '


def loopback_device():
    paths = [p for p in connect.ListNodeDevices(CAP_NET) if p.endswith('/net_5flo_5f00_5f00_5f00_5f00_5f00_5f00')]
    assert len(paths) == 1, connect.ListNodeDevices(CAP_NET)
    return paths[0]


def test_connect_list_node_devices():
    devices = connect.ListNodeDevices(0)
    assert len(devices) > 1, devices
    for path in devices:
        check_type(path, dbus.ObjectPath)
    assert connect_path + '/nodedev/computer' in devices, devices
    bus.get_object('org.libvirt', devices[0]).Introspect(dbus_interface=dbus.INTROSPECTABLE_IFACE)


def test_connect_node_device_lookup_by_property():
    path = loopback_device()
    name = props(path).Get('org.libvirt.NodeDevice', 'Name')
    assert connect.NodeDeviceLookupByName(name) == path


def test_node_device_get_xml_description():
    xml = iface(loopback_device(), 'org.libvirt.NodeDevice').GetXMLDesc(0)
    check_type(xml, dbus.String)
    assert '<interface>lo</interface>' in xml, xml


def test_node_device_list_caps():
    caps = iface(loopback_device(), 'org.libvirt.NodeDevice').ListCaps()
    check_type(caps, dbus.Array)
    assert list(caps) == ['net'], caps


def test_node_device_properties_type():
    p = props(loopback_device()).GetAll('org.libvirt.NodeDevice')
    check_type(p['Name'], dbus.String)
    check_type(p['Parent'], dbus.String)
    assert p['Parent'] == 'computer', p


def test_node_device_destroy_refused():
    expect_error(lambda: iface(loopback_device(), 'org.libvirt.NodeDevice').Destroy(), 'unsupported configuration: Unsupported device type')


def test_connect_node_device_create_xml_refused():
    expect_error(lambda: connect.NodeDeviceCreateXML('<device/>', 0), NOT_SUPPORTED + 'virNodeDeviceCreateXML')


# --- host interfaces (libvirt's udev backend: read-only) ---

LO_PATH_NODE = '/interface/00_3a00_3a00_3a00_3a00_3a00'


def test_connect_list_interfaces():
    interfaces = connect.ListInterfaces(0)
    for path in interfaces:
        check_type(path, dbus.ObjectPath)
    assert connect_path + LO_PATH_NODE in interfaces, interfaces


def test_connect_interface_lookup_by_property():
    path = connect_path + LO_PATH_NODE
    assert connect.InterfaceLookupByName(props(path).Get('org.libvirt.Interface', 'Name')) == path
    assert connect.InterfaceLookupByMAC(props(path).Get('org.libvirt.Interface', 'MAC')) == path


def test_interface_properties_type():
    p = props(connect_path + LO_PATH_NODE).GetAll('org.libvirt.Interface')
    for name, kind in [('Name', dbus.String), ('MAC', dbus.String), ('Active', dbus.Boolean)]:
        check_type(p[name], kind)


def test_interface_get_xml_description():
    xml = iface(connect_path + LO_PATH_NODE, 'org.libvirt.Interface').GetXMLDesc(0)
    check_type(xml, dbus.String)
    assert xml.startswith("<interface type='ethernet' name='lo'>"), xml


def test_interface_changes_refused():
    lo = iface(connect_path + LO_PATH_NODE, 'org.libvirt.Interface')
    expect_error(lambda: lo.Destroy(0), NOT_SUPPORTED + 'virInterfaceDestroy')
    expect_error(lambda: lo.Create(0), NOT_SUPPORTED + 'virInterfaceCreate')
    expect_error(lambda: lo.Undefine(), NOT_SUPPORTED + 'virInterfaceUndefine')
    expect_error(lambda: connect.InterfaceDefineXML("<interface type='ethernet' name='x'/>", 0), NOT_SUPPORTED + 'virInterfaceDefineXML')


def test_nwfilters_none():
    filters = connect.ListNWFilters(0)
    check_type(filters, dbus.Array)
    assert len(filters) == 0, filters
    expect_error(lambda: connect.NWFilterLookupByName('clean-traffic'), "Network filter not found: no nwfilter with matching name 'clean-traffic'")
    expect_error(lambda: connect.NWFilterDefineXML("<filter name='x'/>"), NOT_SUPPORTED + 'virNWFilterDefineXML')


if __name__ == '__main__':
    globals()[test_name]()
    print('ok')
