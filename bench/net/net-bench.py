#!/usr/bin/python3
"""Network throughput and latency of kvm-vmm against QEMU: the same kernel, guest and iperf3 under both, each VMM with
the kernel's datapath (vhost-net) and with its own userspace one.

Two halves, one file:

  net-bench.py [options]             on the host: builds the guest initramfs (busybox, Debian's virtio and virtio_net
                                     modules, iperf3 and its shared libraries), then runs itself with --inside in ONE
                                     nested-KVM harness run, or directly where a usable /dev/kvm exists (there it
                                     makes a bridge and a tap on this machine: only with --i-own-this-host)
  net-bench.py --inside --work DIR   where /dev/kvm works: makes the bridge and the taps, boots each configuration,
                                     measures, prints the table

Setup: a bridge (BRIDGE, 10.78.0.1/24, forward delay 0) in the outer guest, and per boot one tap made beforehand with
`ip tuntap add ... mode tap vnet_hdr` and enslaved to it, which both VMMs open by name (kvm-vmm through
<interface type='ethernet'><target dev managed='no'/>, QEMU through -netdev tap,ifname=...,script=no). The guest
(10.78.0.2, 1 vCPU) loads virtio_net, brings eth0 up, starts `iperf3 -s` and says BENCH-READY. From the outer guest:

  latency        busybox ping -A (the next request as soon as the reply is in: a request/response loop), COUNT pings
                 after a warm-up of 20; the average round-trip time (ping's min/avg/max line)
  host -> guest  iperf3 -c GUEST -t RUNTIME -O 1 (one TCP stream; the first second left out), what the guest received
  guest -> host  the same with -R (the guest sends)

The iperf3 server runs in the guest so that the outer guest's script drives every run and reads iperf3's JSON
directly; which end runs the server does not change the direction of the data, which -R sets. The VMM's processor
time (utime + stime from /proc/PID/stat) over each iperf3 run is shown as a percentage of one processor.

Configurations: kvm-vmm with <driver name='vhost'/> and with <driver name='qemu'/> (its userspace datapath); QEMU
`-M pc -netdev tap,vhost=on` and `vhost=off` with virtio-net-pci. Each boots ROUNDS times, the order rotating, and the
table shows each one's best round (highest throughput, lowest average RTT). Everything in the harness is emulated:
only the ratios within one run mean anything.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "common"))
from initramfs import Cpio, shared_libraries  # noqa: E402
from vmmbench import loadavg  # noqa: E402
AOT = os.path.join(ROOT, "artifacts/publish/Kvm.Vmm/release_linux-x64/kvm-vmm")
HARNESS = os.path.join(ROOT, "tools/nested-kvm/nested-kvm.sh")
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check"
BRIDGE = "nbbr0"
TAP = "nbtap0"
HOST_IP = "10.78.0.1"
GUEST_IP = "10.78.0.2"
MAC = "52:54:00:6e:62:01"
CONFIGS = (("kvm-vmm", "vhost"), ("qemu", "vhost"), ("kvm-vmm", "userspace"), ("qemu", "userspace"))

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin LD_LIBRARY_PATH=@LIBPATH@
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp
mount -t tmpfs tmp /tmp
for m in $(cat /modules/order); do insmod /modules/$m.ko 2>/dev/null || echo "insmod $m failed"; done
for i in $(seq 1 300); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
[ -e /sys/class/net/eth0 ] || { echo "BENCH-FAIL no eth0"; poweroff -f; }
ip link set lo up
ip link set eth0 up
ip addr add @GUEST@/24 dev eth0
for i in $(seq 1 300); do [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
iperf3 -s >/tmp/iperf3.log 2>&1 &
sleep 1
echo "BENCH-READY carrier=$(cat /sys/class/net/eth0/carrier) features=$(cat /sys/bus/virtio/devices/*/features 2>/dev/null | tr '\n' ' ')"
while true; do sleep 3600; done
"""


# --- the initramfs ---------------------------------------------------------------------------------------------

def build_initramfs(path, module_dirs):
    iperf3 = shutil.which("iperf3")
    if not iperf3:
        sys.exit("net-bench: iperf3 is not installed (apt-get install -y iperf3, as root)")
    cpio = Cpio(path)
    for d in ("bin", "dev", "proc", "sys", "tmp", "modules"):
        cpio.directory(d)
    cpio.char("dev/console", 5, 1)
    with open("/bin/busybox", "rb") as f:
        cpio.file("bin/busybox", f.read())
    with open(iperf3, "rb") as f:
        cpio.file("usr/bin/iperf3", f.read())
    libdirs = []
    for name, real in shared_libraries(iperf3):
        with open(real, "rb") as f:
            cpio.file(name, f.read())
        if os.path.dirname(name) not in libdirs:
            libdirs.append(os.path.dirname(name))
    order = []
    for directory in module_dirs:
        with open(os.path.join(directory, "order")) as f:
            for name in f.read().split():
                order.append(name)
                with open(os.path.join(directory, name + ".ko"), "rb") as m:
                    cpio.file(f"modules/{name}.ko", m.read(), 0o644)
    cpio.file("modules/order", ("\n".join(order) + "\n").encode(), 0o644)
    init = INIT.replace("@LIBPATH@", ":".join(libdirs) or "/lib").replace("@GUEST@", GUEST_IP)
    cpio.file("init", init.encode())
    cpio.close()


# --- inside: bridge, taps, VMMs, measurements ------------------------------------------------------------------

def ip(*argv, check=True):
    return subprocess.run(["ip", *argv], check=check, capture_output=True, text=True)


def make_bridge():
    ip("link", "del", BRIDGE, check=False)
    ip("link", "add", BRIDGE, "type", "bridge", "forward_delay", "0")
    ip("addr", "add", f"{HOST_IP}/24", "dev", BRIDGE)
    ip("link", "set", BRIDGE, "up")


def make_tap():
    ip("link", "del", TAP, check=False)
    ip("tuntap", "add", "dev", TAP, "mode", "tap", "vnet_hdr")
    ip("link", "set", TAP, "master", BRIDGE)
    ip("link", "set", TAP, "up")


def domain_xml(path, args, kernel, initrd, console, datapath):
    driver = "vhost" if datapath == "vhost" else "qemu"
    with open(path, "w") as f:
        f.write(f"""<domain type='kvm'>
  <name>net-bench</name>
  <memory unit='MiB'>{args.memory}</memory>
  <vcpu>{args.vcpus}</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{CMDLINE}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <interface type='ethernet'>
      <mac address='{MAC}'/>
      <target dev='{TAP}' managed='no'/>
      <model type='virtio'/>
      <driver name='{driver}'/>
    </interface>
    <serial type='file'>
      <source path='{console}'/>
    </serial>
  </devices>
</domain>
""")


def qemu_argv(args, kernel, initrd, console, datapath):
    vhost = "on" if datapath == "vhost" else "off"
    return [args.qemu, "-accel", "kvm", "-M", "pc", "-cpu", "host", "-m", str(args.memory), "-smp", str(args.vcpus),
            "-nodefaults", "-no-user-config", "-nographic", "-serial", f"file:{console}",
            "-kernel", kernel, "-initrd", initrd, "-append", CMDLINE,
            "-netdev", f"tap,id=n0,ifname={TAP},script=no,downscript=no,vhost={vhost}",
            "-device", f"virtio-net-pci,netdev=n0,mac={MAC}"]


def cpu_seconds(pid):
    """utime + stime of the process (all its threads), seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ping(args):
    """Average and best round-trip time in microseconds over args.pings request/response pings, or None."""
    subprocess.run(["busybox", "ping", "-q", "-c", "20", "-A", "-W", "5", GUEST_IP], capture_output=True)  # warm-up
    out = subprocess.run(["busybox", "ping", "-q", "-c", str(args.pings), "-A", "-W", "5", GUEST_IP],
                         capture_output=True, text=True).stdout
    m = re.search(r"min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms", out)
    lost = re.search(r"(\d+)% packet loss", out)
    if not m:
        print(f"    ping failed: {out.strip()[-300:]}", flush=True)
        return None
    return {"avg": float(m.group(2)) * 1000, "min": float(m.group(1)) * 1000, "max": float(m.group(3)) * 1000,
            "loss": int(lost.group(1)) if lost else -1}


def iperf(args, pid, reverse):
    """Mbit/s the receiving end counted, and the VMM's processor use (% of one) over the run; None on failure."""
    argv = ["iperf3", "-c", GUEST_IP, "-t", str(args.runtime), "-O", "1", "-J", "--connect-timeout", "10000"]
    argv += ["-R"] if reverse else []
    before, t0 = cpu_seconds(pid), time.monotonic()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=args.runtime * 20 + 120)
    cpu = (cpu_seconds(pid) - before) / (time.monotonic() - t0) * 100
    try:
        result = json.loads(out.stdout)
        return result["end"]["sum_received"]["bits_per_second"] / 1e6, cpu
    except (ValueError, KeyError):
        print(f"    iperf3 {'-R ' if reverse else ''}failed: {(out.stdout + out.stderr).strip()[-400:]}", flush=True)
        return None


def boot_and_measure(vmm, datapath, argv, console, args, work):
    make_tap()
    if os.path.exists(console):
        os.unlink(console)
    log = os.path.join(work, f"{vmm}-{datapath}.log")
    start = time.monotonic()
    with open(log, "wb") as logf:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
    result = {}
    try:
        text = ""
        while True:
            if os.path.exists(console):
                with open(console, "rb") as f:
                    text = f.read().decode("ascii", "replace")
            if re.search(r"BENCH-READY[^\n]*\n", text) or "BENCH-FAIL" in text or proc.poll() is not None:
                break
            if time.monotonic() - start > args.boot_timeout:
                break
            time.sleep(0.5)
        if "BENCH-READY" not in text:
            with open(log, "rb") as f:
                vmm_log = f.read().decode("utf-8", "replace")[-1500:]
            print(f"  {vmm} {datapath}: never came up; console tail:\n{text[-1500:]}\n  VMM output:\n{vmm_log}", flush=True)
            return result
        ready = re.search(r"BENCH-READY[^\n]*", text).group(0).strip()  # without what the firmware wrote before it
        print(f"  {vmm} {datapath}: up after {time.monotonic() - start:.1f} s ({ready})", flush=True)
        result["ping"] = ping(args)
        result["host->guest"] = iperf(args, proc.pid, reverse=False)
        result["guest->host"] = iperf(args, proc.pid, reverse=True)
        p = result["ping"]
        print(f"    rtt avg {p['avg']:.0f} us (min {p['min']:.0f}, max {p['max']:.0f}, loss {p['loss']}%)" if p else "    rtt -",
              flush=True)
        for key in ("host->guest", "guest->host"):
            v = result[key]
            print(f"    {key}: {v[0]:.1f} Mbit/s, VMM cpu {v[1]:.0f}%" if v else f"    {key}: -", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with open(log, "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines():
                if "datapath" in line and "net0" in line:
                    print(f"    {line.strip()[-120:]}", flush=True)
        ip("link", "del", TAP, check=False)
    return result


def inside(args):
    if not os.path.exists("/dev/kvm"):
        sys.exit("net-bench: --inside needs /dev/kvm")
    for device in ("/dev/net/tun", "/dev/vhost-net"):
        if not os.path.exists(device):
            sys.exit(f"net-bench: {device} is missing (the harness's outer guest loads tun and vhost_net)")
    kernel = args.kernel or os.environ.get("KVM_NESTED_KERNEL")
    work = args.work
    initrd = os.path.join(work, "net-initramfs.cpio")
    console = os.path.join(work, "console.log")
    print(f"load average before: {loadavg()} (inside the outer guest)")
    print(f"kernel {kernel}; guest {args.memory} MiB, {args.vcpus} vCPU; bridge {BRIDGE} {HOST_IP}, guest {GUEST_IP}", flush=True)
    make_bridge()
    figures = {}
    try:
        configs = [c for c in CONFIGS if c[1] in args.datapaths]
        for r in range(args.rounds):
            order = configs[r % len(configs):] + configs[:r % len(configs)]
            for vmm, datapath in order:
                if vmm == "kvm-vmm":
                    xml = os.path.join(work, f"domain-{datapath}.xml")
                    domain_xml(xml, args, kernel, initrd, console, datapath)
                    argv = [args.vmm, "--domain-xml", xml]
                else:
                    argv = qemu_argv(args, kernel, initrd, console, datapath)
                print(f"round {r + 1}:", flush=True)
                result = boot_and_measure(vmm, datapath, argv, console, args, work)
                best = figures.setdefault((vmm, datapath), {})
                for key in ("host->guest", "guest->host"):
                    if result.get(key) and (key not in best or result[key][0] > best[key][0]):
                        best[key] = result[key]
                if result.get("ping") and ("ping" not in best or result["ping"]["avg"] < best["ping"]["avg"]):
                    best["ping"] = result["ping"]
    finally:
        ip("link", "del", BRIDGE, check=False)
    print(f"load average after: {loadavg()} (inside the outer guest)")
    print_table(args, figures)


def print_table(args, figures):
    print()
    print(f"iperf3 {iperf3_version()}, one TCP stream, {args.runtime} s (first second left out); latency: busybox ping -A, "
          f"{args.pings} request/response pings; guest 1 vCPU, virtio-net-pci on a tap on a bridge; best of {args.rounds} "
          f"boots per configuration. Ratio = kvm-vmm / QEMU with the same datapath (throughput: higher is better; "
          f"RTT: lower is better).")
    print()
    print("| workload | kvm-vmm vhost | QEMU vhost=on | ratio | kvm-vmm userspace | QEMU vhost=off | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")

    def cell(config, key):
        v = figures.get(config, {}).get(key)
        if v is None:
            return None, "-"
        if key == "ping":
            return v["avg"], f"{v['avg']:,.0f} us"
        return v[0], f"{v[0]:,.1f} Mbit/s ({v[1]:.0f}% cpu)"

    for key, label in (("guest->host", "TCP guest -> host"), ("host->guest", "TCP host -> guest"), ("ping", "RTT avg (ping -A)")):
        row = [label]
        for datapath in ("vhost", "userspace"):
            ours, ours_text = cell(("kvm-vmm", datapath), key)
            theirs, theirs_text = cell(("qemu", datapath), key)
            ratio = f"{ours / theirs:.2f}" if ours and theirs else "-"
            row += [ours_text, theirs_text, ratio]
        print("| " + " | ".join(row) + " |")


def iperf3_version():
    try:
        return subprocess.run(["iperf3", "--version"], capture_output=True, text=True).stdout.split()[1]
    except (OSError, IndexError):
        return "?"


# --- host: build, then the harness -----------------------------------------------------------------------------

def outside(args, passthrough):
    harness_dir = subprocess.run(["bash", HARNESS, "prepare"], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    work = os.path.join(ROOT, "artifacts", "net-bench")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    build_initramfs(os.path.join(work, "net-initramfs.cpio"),
                    [os.path.join(harness_dir, "guest-modules"), os.path.join(harness_dir, "net-modules")])
    print(f"initramfs: {os.path.getsize(os.path.join(work, 'net-initramfs.cpio')) >> 20} MiB (uncompressed)")
    print(f"load average before (host): {loadavg()}", flush=True)
    inner = ["/usr/bin/python3", os.path.abspath(__file__), "--inside", "--work", work] + passthrough
    if subprocess.run(["bash", HARNESS, "has-kvm"]).returncode == 0:
        if not args.i_own_this_host:
            sys.exit(f"net-bench: this machine has KVM, and the bench would make {BRIDGE} ({HOST_IP}/24) and {TAP} on it: "
                     "pass --i-own-this-host if that is fine")
        status = subprocess.run(["bash", HARNESS, "host", "--"] + inner).returncode
    else:
        status = subprocess.run(["bash", HARNESS, "run", "--share", ROOT, "--timeout", str(args.timeout),
                                 "--stall-timeout", "600", "--"] + inner).returncode
    print(f"load average after (host): {loadavg()}")
    return status


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--runtime", type=int, default=10, help="seconds per iperf3 run (default 10)")
    p.add_argument("--pings", type=int, default=200, help="request/response pings per boot (default 200)")
    p.add_argument("--rounds", type=int, default=2, help="boots per configuration, the order rotating (default 2)")
    p.add_argument("--datapaths", default="vhost,userspace",
                   help="which datapaths to run, both VMMs each (default vhost,userspace)")
    p.add_argument("--memory", type=int, default=512, help="guest MiB (default 512)")
    p.add_argument("--vcpus", type=int, default=1)
    p.add_argument("--boot-timeout", type=float, default=600)
    p.add_argument("--timeout", type=int, default=5400, help="bound on the whole harness run (seconds)")
    p.add_argument("--i-own-this-host", action="store_true", help="on a machine with KVM: allow the bridge and tap there")
    p.add_argument("--vmm", default=AOT)
    p.add_argument("--qemu", default=shutil.which("qemu-system-x86_64") or "qemu-system-x86_64")
    p.add_argument("--kernel")
    args = p.parse_args()
    args.datapaths = [d for d in args.datapaths.split(",") if d]
    if not args.datapaths or any(d not in ("vhost", "userspace") for d in args.datapaths):
        p.error("--datapaths takes vhost, userspace or both, comma-separated")
    if args.inside:
        inside(args)
        return 0
    if not os.path.exists(args.vmm):
        sys.exit(f"net-bench: no kvm-vmm at {args.vmm} (dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj)")
    passthrough = []
    for name in ("runtime", "pings", "rounds", "memory", "vcpus", "boot_timeout", "vmm", "qemu"):
        passthrough += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    passthrough += ["--datapaths", ",".join(args.datapaths)]
    return outside(args, passthrough)


if __name__ == "__main__":
    sys.exit(main())
