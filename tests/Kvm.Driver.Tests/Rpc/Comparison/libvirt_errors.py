#!/usr/bin/python3
"""Failing calls through python3-libvirt: prints each one's libvirt error code, domain and message, one per line.

Run against kvmd and against libvirt's own daemon; the lines must be the same. Usage: libvirt_errors.py URI DOMAIN_XML
"""
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
uri, xml = sys.argv[1], sys.argv[2]
conn = libvirt.open(uri)
dom = conn.defineXML(xml)
other = conn.defineXML(xml.replace("<name>a</name>", "<name>b</name>").replace(dom.UUIDString(), "7ebd1d5e-5d54-4f6f-8b6b-000000000000"))

calls = [
    ("lookupByName", lambda: conn.lookupByName("nosuch")),
    ("lookupByUUIDString", lambda: conn.lookupByUUIDString("00000000-0000-0000-0000-000000000001")),
    ("lookupByID", lambda: conn.lookupByID(4242)),
    ("defineXML malformed", lambda: conn.defineXML("<domain")),
    ("defineXML same name other uuid", lambda: conn.defineXML(xml.replace(dom.UUIDString(), "7ebd1d5e-5d54-4f6f-8b6b-111111111111"))),
    ("defineXML no name", lambda: conn.defineXML(xml.replace("<name>a</name>", ""))),
    ("destroy shut off", lambda: dom.destroy()),
    ("suspend shut off", lambda: dom.suspend()),
    ("resume shut off", lambda: dom.resume()),
    ("shutdown shut off", lambda: dom.shutdown()),
    ("reboot shut off", lambda: dom.reboot(0)),
    ("reset shut off", lambda: dom.reset(0)),
    ("metadata element missing", lambda: dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "http://example.org/none")),
    ("metadata description missing", lambda: dom.metadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, None)),
    ("setMetadata title newline", lambda: dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "a\nb", None, None)),
    ("setMetadata bad element", lambda: dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<x", "k", "http://example.org/k")),
    ("rename to existing", lambda: dom.rename("b", 0)),
    ("undefineFlags bad flags", lambda: dom.undefineFlags(1 << 30)),
    ("XMLDesc bad flags", lambda: dom.XMLDesc(1 << 30)),
    ("listAllDomains bad flags", lambda: conn.listAllDomains(1 << 30)),
    ("undefine gone", lambda: (other.undefine(), other.undefine())),
    ("undefine", lambda: dom.undefine()),
]
for name, call in calls:
    try:
        call()
        print(f"{name}: ok")
    except libvirt.libvirtError as e:
        print(f"{name}: code {e.get_error_code()} domain {e.get_error_domain()}: {e.get_error_message()!r}")
