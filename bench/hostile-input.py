#!/usr/bin/env python3
"""Hostile-input figures of issue 18 (not a test; prints figures).

  bench/hostile-input.py --kvmctl PATH --kvmd PATH [--mib 120]

1. `kvmctl xml format` on one element with 5,000 / 50,000 / 500,000 attributes and on a sparse 200 MiB file:
   wall time and peak RSS of the process (getrusage of the child).
2. kvmd on a private dbus-daemon (max_message_size raised as in Debian's session.conf): its peak RSS (VmHWM)
   before and after one DomainDefineXML of --mib MiB, sent by a minimal D-Bus client in this file.
"""
import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time


def kvmctl_figures(kvmctl, workdir):
    print('kvmctl xml format')
    for n in (5000, 50000, 500000):
        path = os.path.join(workdir, f'attrs{n}.xml')
        with open(path, 'w') as f:
            attrs = ' '.join(f'a{i}="x"' for i in range(n))
            f.write(f"<domain type='kvm'><name>x</name><memory>1024</memory><os {attrs}><type>hvm</type></os></domain>")
        measure(kvmctl, ['xml', 'format', path], f'{n:>7} attributes on <os>')
    big = os.path.join(workdir, 'big.xml')
    with open(big, 'wb') as f:
        f.truncate(200 << 20)
    measure(kvmctl, ['xml', 'format', big], '200 MiB sparse file')


def measure(kvmctl, args, label):
    # One python child per measurement, so ru_maxrss is that kvmctl's alone.
    code = ('import resource,subprocess,sys,time;t=time.monotonic();'
            'p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE);'
            'w=time.monotonic()-t;r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;'
            'print(p.returncode,"%.2f"%w,r,(p.stderr.decode(errors="replace").strip().splitlines() or [""])[0][:110])')
    out = subprocess.run([sys.executable, '-c', code, kvmctl, *args], capture_output=True, text=True).stdout.split(' ', 3)
    print(f'  {label:<28} exit {out[0]}  {out[1]:>6} s  peak RSS {int(out[2]) / 1024:7.1f} MiB  {out[3].strip()}')


# --- a minimal D-Bus client: EXTERNAL auth, Hello, one method call with one string argument -----------------------

def pad(buf, n):
    return buf + b'\0' * (-len(buf) % n)


def dstring(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack('<I', len(b)) + b + b'\0'


def message(serial, path, interface, member, destination, body_string=None):
    fields = b''
    for code, sig, value in ((1, b'o', path), (2, b's', interface), (3, b's', member), (6, b's', destination)) + \
            (((8, b'g', None),) if body_string is not None else ()):
        fields = pad(fields, 8)
        fields += bytes([code]) + bytes([1]) + sig + b'\0'
        if code == 8:
            fields += b'\x01s\0'
        else:
            fields += dstring(value)
    body = dstring(body_string) if body_string is not None else b''
    header = b'l' + bytes([1, 0, 1]) + struct.pack('<III', len(body), serial, len(fields)) + fields
    return pad(header, 8) + body


def read_reply(sock):
    head = recv_exact(sock, 16)
    body_len, _, fields_len = struct.unpack('<III', head[4:16])
    rest = recv_exact(sock, (fields_len + 7) // 8 * 8 + body_len)
    return head[1], rest[-body_len:] if body_len else b''


def recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(min(n - len(data), 1 << 20))
        if not chunk:
            raise EOFError('bus closed')
        data += chunk
    return bytes(data)


def dbus_call(address, member, argument):
    path = address.split('path=')[1].split(',')[0]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(b'\0AUTH EXTERNAL ' + str(os.getuid()).encode().hex().encode() + b'\r\n')
    assert sock.recv(4096).startswith(b'OK'), 'auth'
    sock.sendall(b'BEGIN\r\n')
    sock.sendall(message(1, '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'Hello', 'org.freedesktop.DBus'))
    read_reply(sock)
    sock.sendall(message(2, '/org/libvirt/QEMU', 'org.libvirt.Connect', member, 'org.libvirt', argument))
    while True:
        kind, body = read_reply(sock)
        if kind in (2, 3):  # method return, error
            sock.close()
            text = body[4:4 + struct.unpack('<I', body[:4])[0]].decode(errors='replace') if kind == 3 and body else ''
            return ('error: ' + text[:100]) if kind == 3 else 'returned'


def vm_hwm(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return 0.0


def kvmd_figures(kvmd, workdir, mib):
    conf = os.path.join(workdir, 'bus.conf')
    with open(conf, 'w') as f:
        f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path={workdir}/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
<limit name="max_message_size">1000000000</limit><limit name="max_incoming_bytes">1000000000</limit>
<limit name="max_outgoing_bytes">1000000000</limit></busconfig>""")
    bus = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork', '--nopidfile', '--print-address=1'],
                           stdout=subprocess.PIPE, text=True)
    address = bus.stdout.readline().strip()
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
    daemon = subprocess.Popen([kvmd, '--session', '--no-rpc', '--state-dir', workdir + '/state', '--runtime-dir', workdir + '/run'],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if 'Domain not found' in dbus_call(address, 'DomainLookupByName', 'warm-up'):
                    break
                time.sleep(0.1)
            except (EOFError, OSError, IndexError):
                time.sleep(0.1)
        idle = vm_hwm(daemon.pid)
        xml = "<domain type='kvm'><name>big</name><description>" + 'x' * (mib << 20) + '</description></domain>'
        start = time.monotonic()
        result = dbus_call(address, 'DomainDefineXML', xml)
        wall = time.monotonic() - start
        time.sleep(1)
        print(f'kvmd {kvmd}')
        print(f'  peak RSS idle {idle:7.1f} MiB; after one {mib} MiB DomainDefineXML {vm_hwm(daemon.pid):7.1f} MiB '
              f'({wall:.2f} s, {result})')
    finally:
        daemon.terminate()
        daemon.wait()
        bus.terminate()
        bus.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--kvmctl')
    parser.add_argument('--kvmd')
    parser.add_argument('--mib', type=int, default=120)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix='hostile-input-')
    try:
        if args.kvmctl:
            kvmctl_figures(args.kvmctl, workdir)
        if args.kvmd:
            kvmd_figures(args.kvmd, workdir, args.mib)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
