"""What the end-to-end scripts share: a python3-dbus connection to kvmd's Connect object on the bus given on the
command line, libvirt's DomainEvent signals collected as they come, and waits for a signal or a console line."""
import sys
import time
import dbus
import dbus.mainloop.glib
from gi.repository import GLib


class Kvmd:
    """argv: BUS_ADDRESS CONNECT_PATH DOMAIN_XML_FILE CONSOLE_FILE."""

    def __init__(self, argv):
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        address, connect_path, self.xml_file, self.console_file = argv[1:5]
        self.bus = dbus.bus.BusConnection(address)
        self.connect = dbus.Interface(self.bus.get_object('org.libvirt', connect_path), 'org.libvirt.Connect')
        self.events = []
        self.connect.connect_to_signal(
            'DomainEvent', lambda path, event, detail: self.events.append((str(path), int(event), int(detail))))
        self.started = time.monotonic()

    def xml(self):
        with open(self.xml_file) as f:
            return f.read()

    def domain(self, path, interface='org.libvirt.Domain'):
        return dbus.Interface(self.bus.get_object('org.libvirt', path), interface)

    def log(self, text):
        print('%8.1f s  %s' % (time.monotonic() - self.started, text), flush=True)

    @staticmethod
    def pump(seconds):
        """Runs the main loop for a while, so that signals are delivered."""
        loop = GLib.MainLoop()
        GLib.timeout_add(int(seconds * 1000), loop.quit)
        loop.run()

    def wait_for_event(self, path, event, detail, timeout, seen_before):
        """Waits for (event, detail) on path among the signals after index seen_before; returns the new index."""
        deadline = time.monotonic() + timeout
        while True:
            for i in range(seen_before, len(self.events)):
                if self.events[i] == (path, event, detail):
                    self.log('DomainEvent %d/%d' % (event, detail))
                    return i + 1
            assert time.monotonic() < deadline, 'no DomainEvent %d/%d for %s within %d s; seen: %r' % (
                event, detail, path, timeout, self.events[seen_before:])
            self.pump(0.1)

    def console(self):
        try:
            with open(self.console_file, errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def wait_for_console(self, text, timeout):
        deadline = time.monotonic() + timeout
        while text not in self.console():
            assert time.monotonic() < deadline, '%r never appeared on the serial console %s' % (text, self.console_file)
            self.pump(0.5)
        self.log('console: %r' % text)

    def signals(self, path):
        return ' '.join('%d/%d' % (e, d) for p, e, d in self.events if p == path)


if __name__ == '__main__':
    sys.exit('a module for the end-to-end scripts')
