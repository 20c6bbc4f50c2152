#!/usr/bin/python3
"""Boot time and VMM memory overhead: kvm-vmm against QEMU (microvm and q35), same kernel, same initramfs.

Runs where /dev/kvm exists (bench/vmm-boot.sh runs it inside the nested-KVM harness otherwise). "kvm-vmm" is the
NativeAOT build (what an installation ships), "kvm-vmm jit" the `dotnet build` one. Each round starts every VMM
once, in rotating order, and measures:

  boot ms    process start -> the initramfs's /init marker on the serial console (stdout)
  qmp ms     process start -> the QMP greeting read from the monitor socket (Firecracker's "API ready")
  rss MiB    the VMM's resident memory once /init runs
  guest MiB  of which guest RAM the guest touched (the mappings at least as large as the guest's memory)
  vmm MiB    rss - guest: the VMM's own overhead

Only the ratios to QEMU in the same run mean anything inside the harness (everything there is emulated).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
from vmmbench import idle_initramfs  # noqa: E402

MARKER = b"KVM-BENCH-INIT-OK"
CMDLINE = "console=ttyS0 quiet panic=-1 reboot=k no_timer_check pci=off"


def commands(args, kernel, initrd, qmp):
    mem = str(args.memory)
    smp = str(args.vcpus)
    qemu = [args.qemu, "-accel", "kvm", "-cpu", "host", "-m", mem, "-smp", smp, "-nographic", "-nodefaults",
            "-no-user-config", "-serial", "stdio", "-kernel", kernel, "-initrd", initrd, "-append", CMDLINE,
            "-qmp", f"unix:{qmp},server=on,wait=off"]
    ours = ["--kernel", kernel, "--initrd", initrd, "--append", CMDLINE, "-m", mem, "--smp", smp,
            "--serial", "stdio", "--qmp", f"unix:{qmp},server"]
    vmms = {}
    if args.aot and os.path.exists(args.aot):
        vmms["kvm-vmm"] = [args.aot] + ours
    vmms["kvm-vmm jit"] = [args.vmm] + ours
    vmms["qemu microvm"] = qemu[:1] + ["-M", "microvm"] + qemu[1:]
    vmms["qemu q35"] = qemu[:1] + ["-M", "q35"] + qemu[1:]
    return vmms


def wait_for_qmp(path, start, deadline, result):
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                s.settimeout(max(0.1, deadline - time.monotonic()))
                if s.recv(4096).startswith(b'{"QMP"'):
                    result.append((time.monotonic() - start) * 1000)
                    return
        except OSError:
            time.sleep(0.005)


def memory_kib(pid, guest_kib):
    """(rss, guest) in KiB from /proc/PID/smaps: guest = Rss of the mappings at least as large as guest RAM."""
    rss = guest = 0
    size = 0
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("Rss:"):
                value = int(line.split()[1])
                rss += value
                if size >= guest_kib:
                    guest += value
    return rss, guest


def boot_once(name, argv, qmp, args):
    if os.path.exists(qmp):
        os.unlink(qmp)
    start = time.monotonic()
    deadline = start + args.timeout
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    qmp_ms = []
    watcher = threading.Thread(target=wait_for_qmp, args=(qmp, start, deadline, qmp_ms), daemon=True)
    watcher.start()
    seen = b""
    boot_ms = None
    try:
        os.set_blocking(proc.stdout.fileno(), True)
        while time.monotonic() < deadline:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            seen = (seen + chunk)[-4096:]
            if MARKER in seen:
                boot_ms = (time.monotonic() - start) * 1000
                break
        if boot_ms is None:
            raise RuntimeError(f"{name}: no /init marker within {args.timeout}s; last output: {seen[-400:]!r}")
        time.sleep(args.settle)
        rss, guest = memory_kib(proc.pid, args.memory * 1024)
        watcher.join(max(0.0, deadline - time.monotonic()))
        return boot_ms, (qmp_ms[0] if qmp_ms else float("nan")), rss / 1024, guest / 1024
    finally:
        proc.kill()
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--vmm", default=os.path.join(root, "artifacts/bin/Kvm.Vmm/release/kvm-vmm"),
                        help="the JIT build (dotnet build)")
    parser.add_argument("--aot", default=os.path.join(root, "artifacts/publish/Kvm.Vmm/release_linux-x64/kvm-vmm"),
                        help="the NativeAOT build (dotnet publish -c Release -r linux-x64 src/Vmm), if it exists")
    parser.add_argument("--qemu", default=shutil.which("qemu-system-x86_64") or "qemu-system-x86_64")
    parser.add_argument("--kernel", default=os.environ.get("KVM_NESTED_KERNEL"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory", type=int, default=256, help="guest MiB")
    parser.add_argument("--vcpus", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per boot")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after the marker before reading memory")
    parser.add_argument("--only", action="append", help="run only this VMM (repeatable)")
    args = parser.parse_args()
    if not os.path.exists("/dev/kvm"):
        sys.exit("vmm-boot: no /dev/kvm here; run bench/vmm-boot.sh, which uses the nested-KVM harness")
    if not args.kernel or not os.path.exists(args.kernel):
        sys.exit("vmm-boot: no kernel: pass --kernel or set KVM_NESTED_KERNEL (Debian's vmlinuz)")

    work = tempfile.mkdtemp(prefix="vmm-boot-")
    try:
        initrd = os.path.join(work, "initramfs.cpio")
        idle_initramfs(initrd, work, MARKER.decode())
        qmp = os.path.join(work, "qmp.sock")
        vmms = commands(args, args.kernel, initrd, qmp)
        if args.only:
            vmms = {k: v for k, v in vmms.items() if k in args.only}
        names = list(vmms)
        results = {name: [] for name in names}
        print(f"kernel {args.kernel}, {args.memory} MiB, {args.vcpus} vCPU(s), {args.rounds} round(s), cmdline: {CMDLINE}")
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        for r in range(args.rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                results[name].append(boot_once(name, vmms[name], qmp, args))
                b, q, rss, guest = results[name][-1]
                print(f"  round {r + 1}: {name:14} boot {b:8.0f} ms  qmp {q:7.0f} ms  rss {rss:6.1f}  guest {guest:6.1f}  vmm {rss - guest:6.1f} MiB", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print()
        print(f"{'median of ' + str(args.rounds):18} {'boot ms':>9} {'qmp ms':>8} {'rss MiB':>8} {'guest MiB':>10} {'vmm MiB':>8}")
        medians = {}
        for name in names:
            rows = results[name]
            m = [statistics.median(col) for col in zip(*rows)]
            medians[name] = m
            print(f"{name:18} {m[0]:9.0f} {m[1]:8.0f} {m[2]:8.1f} {m[3]:10.1f} {m[2] - m[3]:8.1f}")
        if "qemu microvm" in medians:
            micro = medians["qemu microvm"]
            print()
            for name in ("kvm-vmm", "kvm-vmm jit"):
                if name in medians:
                    ours = medians[name]
                    print(f"{name} / microvm: boot {ours[0] / micro[0]:.2f}x (target <= 0.5), "
                          f"VMM overhead {(ours[2] - ours[3]) / (micro[2] - micro[3]):.2f}x (target <= 1), "
                          f"QMP ready {ours[1] / micro[1]:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
