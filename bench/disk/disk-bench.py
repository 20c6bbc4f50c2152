#!/usr/bin/python3
"""Disk I/O of kvm-vmm against QEMU: the same kernel, image and fio workload under both, raw and qcow2.

Two halves, one file:

  disk-bench.py [options]            on the host: builds the guest initramfs (busybox, Debian's modules, fio and its
                                     shared libraries), then runs itself with --inside in ONE nested-KVM harness run
                                     (tools/nested-kvm/nested-kvm.sh run --scratch-disk ...), or directly where a
                                     usable /dev/kvm exists, and prints what the inside printed
  disk-bench.py --inside --work DIR  where /dev/kvm works: makes the images on a real filesystem (O_DIRECT),
                                     boots each VMM once per image format, parses fio's results, prints the table

The guest runs fio against /dev/vda itself (no filesystem), all four jobs in one boot, with libaio and O_DIRECT:
  seq-read / seq-write   1 MiB blocks over the first SIZE MiB of the disk, pass after pass, for RUNTIME seconds
                         (one pass of 256 MiB lasts under a second in the harness: far too short to measure)
  rand-read / rand-write 4 KiB blocks, uniformly over the same SIZE MiB, for RUNTIME seconds (fixed seed: the
                         same offsets under both VMMs)
Each VMM boots ROUNDS times per format, the order alternating, and the table shows each one's best boot.
The images are SIZE MiB, filled with a pattern by qemu-io before the runs, so every read returns real data from the
file and a qcow2 write lands in an allocated cluster (steady state, not first allocation).

Memory: separate idle boots (a small initramfs: busybox and the modules, one read of /dev/vda, then idle) of
kvm-vmm and QEMU pc with the raw disk attached, and of QEMU microvm (-M microvm,pcie=on, virtio-blk-pci). Read from
/proc/PID/status (VmRSS) and /proc/PID/smaps_rollup (Pss) a few seconds after the guest says it is up; "own" is
RSS minus the resident part of the guest-RAM mapping (every mapping at least as large as guest RAM, from smaps).
"""

import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "common"))
from vmmbench import breakdown, memory  # noqa: E402
from initramfs import Cpio, shared_libraries  # noqa: E402
AOT = os.path.join(ROOT, "artifacts/publish/Kvm.Vmm/release_linux-x64/kvm-vmm")
HARNESS = os.path.join(ROOT, "tools/nested-kvm/nested-kvm.sh")
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check"
JOBS = ("seq-read", "seq-write", "rand-read", "rand-write")

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=@LIBPATH@
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /tmp
mount -t tmpfs tmp /dev/shm
mount -t tmpfs tmp /tmp
for m in $(cat /modules/order); do insmod /modules/$m.ko 2>/dev/null || echo "insmod $m failed"; done
for i in $(seq 1 600); do [ -b /dev/vda ] && break; sleep 0.1; done
[ -b /dev/vda ] || { echo "BENCH-FAIL no /dev/vda"; ls /dev; poweroff -f; }
arg() { sed -n "s/.*bench\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
dd if=/dev/vda of=/dev/null bs=1M count=1 iflag=direct 2>/dev/null
echo "BENCH-READY $(cat /sys/block/vda/size) sectors"
if [ "$(arg mode)" != fio ]; then
  while true; do sleep 3600; done
fi
sleep "$(arg settle)"
size=$(arg size); runtime=$(arg runtime); qd=$(arg iodepth)
common="--filename=/dev/vda --direct=1 --ioengine=libaio --iodepth=$qd --numjobs=1 --thread --size=${size}M --output-format=terse --terse-version=3"
job() {
  name=$1; shift
  out=$(fio --name=$name $common "$@" 2>/tmp/err) || { echo "BENCH-FAIL $name $(head -c 300 /tmp/err)"; return; }
  echo "FIO-RESULT $(echo "$out" | grep '^3;' | cut -d';' -f3,6-9,47-50)"
}
job seq-read --rw=read --bs=1M --time_based --runtime=$runtime
job seq-write --rw=write --bs=1M --time_based --runtime=$runtime
job rand-read --rw=randread --bs=4k --time_based --runtime=$runtime --randrepeat=1
job rand-write --rw=randwrite --bs=4k --time_based --runtime=$runtime --randrepeat=1
echo BENCH-DONE
poweroff -f
"""


# --- the initramfs ---------------------------------------------------------------------------------------------

def build_initramfs(path, modules, with_fio):
    cpio = Cpio(path)
    for d in ("bin", "dev", "proc", "sys", "tmp", "modules"):
        cpio.directory(d)
    cpio.char("dev/console", 5, 1)
    with open("/bin/busybox", "rb") as f:
        cpio.file("bin/busybox", f.read())
    libdirs = []
    if with_fio:
        fio = shutil.which("fio")
        if not fio:
            sys.exit("disk-bench: fio is not installed (apt-get install -y fio, as root)")
        with open(fio, "rb") as f:
            cpio.file("usr/bin/fio", f.read())
        for name, real in shared_libraries(fio):
            with open(real, "rb") as f:
                cpio.file(name, f.read())
            if os.path.dirname(name) not in libdirs:
                libdirs.append(os.path.dirname(name))
    init = INIT.replace("@LIBPATH@", ":".join(libdirs) or "/lib")
    if with_fio:
        init = init.replace("export PATH=/bin", "export PATH=/bin:/usr/bin")
    cpio.file("init", init.encode())
    with open(os.path.join(modules, "order"), "rb") as f:
        cpio.file("modules/order", f.read(), 0o644)
    for name in sorted(os.listdir(modules)):
        if name.endswith(".ko"):
            with open(os.path.join(modules, name), "rb") as f:
                cpio.file("modules/" + name, f.read(), 0o644)
    cpio.close()


# --- inside: images, VMMs, measurements --------------------------------------------------------------------------

def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)


def make_images(scratch, size):
    images = {}
    for fmt in ("raw", "qcow2"):
        image = os.path.join(scratch, f"bench.{fmt}")
        if os.path.exists(image):
            os.unlink(image)
        run(["qemu-img", "create", "-q", "-f", fmt, image, f"{size}M"])
        # Real data everywhere (and for qcow2, every cluster allocated): a pattern, written with O_DIRECT.
        run(["qemu-io", "-f", fmt, "-t", "none", "-c", f"write -q -P 0x5a 0 {size}M", image])
        images[fmt] = image
    return images


def domain_xml(path, args, kernel, initrd, image, fmt, console, cmdline):
    with open(path, "w") as f:
        f.write(f"""<domain type='kvm'>
  <name>disk-bench</name>
  <memory unit='MiB'>{args.memory}</memory>
  <vcpu>{args.vcpus}</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{cmdline}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='{fmt}' cache='none' io='{args.aio}'/>
      <source file='{image}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'>
      <source path='{console}'/>
    </serial>
  </devices>
</domain>
""")


def qemu_argv(args, machine, kernel, initrd, image, fmt, console, cmdline):
    # What libvirt generates for <driver cache='none' io='native|threads'/>: a file node with O_DIRECT and the aio
    # mode, a format node over it, virtio-blk-pci on top (write cache on, as libvirt's cache='none' means).
    file_node = ('{"driver":"file","filename":"%s","node-name":"f0","aio":"%s",'
                 '"cache":{"direct":true,"no-flush":false},"auto-read-only":true,"discard":"unmap"}' % (image, args.aio))
    fmt_node = '{"node-name":"d0","read-only":false,"cache":{"direct":true,"no-flush":false},"driver":"%s","file":"f0"}' % fmt
    return [args.qemu, "-accel", "kvm", "-M", machine, "-cpu", "host", "-m", str(args.memory), "-smp", str(args.vcpus),
            "-nodefaults", "-no-user-config", "-nographic", "-serial", f"file:{console}",
            "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
            "-blockdev", file_node, "-blockdev", fmt_node, "-device", "virtio-blk-pci,drive=d0,write-cache=on"]


def boot(name, argv, console, args, mode, work):
    """Starts a VMM, waits for BENCH-READY, measures memory; for fio waits for the results and the power-off."""
    if os.path.exists(console):
        os.unlink(console)
    log = os.path.join(work, name.replace(" ", "-").replace("/", "-") + "." + mode + ".log")
    start = time.monotonic()
    with open(log, "wb") as logf:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
    text = ""
    mem = None
    deadline = start + args.boot_timeout
    try:
        while True:
            if os.path.exists(console):
                with open(console, "rb") as f:
                    text = f.read().decode("ascii", "replace")
            if mem is None and "BENCH-READY" in text:
                ready = time.monotonic() - start
                time.sleep(args.settle)
                mem = memory(proc.pid, args.memory * 1024)
                print(f"  {name:14} {mode:4}: up after {ready:5.1f} s; rss {mem[0] / 1024:6.1f} MiB, pss {mem[1] / 1024:6.1f} MiB, "
                      f"own {mem[2] / 1024:6.1f} MiB", flush=True)
                if mode != "fio":
                    print("    own memory by mapping (KiB): " + ", ".join(f"{n} {k}" for n, k in breakdown(proc.pid, args.memory * 1024)), flush=True)
                    return mem, {}
                deadline = time.monotonic() + args.fio_timeout
            if "BENCH-DONE" in text or "BENCH-FAIL" in text or proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                print(f"  {name} {mode}: timed out", flush=True)
                break
            time.sleep(0.5)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    results = {}
    for line in text.splitlines():
        if line.startswith("FIO-RESULT "):
            f = line[len("FIO-RESULT "):].strip().split(";")
            # name; read: io KiB, bw KiB/s, iops, runtime ms; write: io KiB, bw KiB/s, iops, runtime ms
            job = f[0]
            read = job.endswith("read")
            bw, iops = (float(f[2]), float(f[3])) if read else (float(f[6]), float(f[7]))
            results[job] = (bw / 1024, iops)
    if mode == "fio":
        with open(log, "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines():
                if "requests served through Linux AIO" in line:
                    print(f"    {name}: {line.split(': ', 1)[-1].strip()}", flush=True)
    if "BENCH-FAIL" in text or len(results) < len(JOBS) and mode == "fio":
        tail = "\n".join(text.splitlines()[-15:])
        with open(log, "rb") as f:
            vmm_log = f.read().decode("utf-8", "replace")[-1500:]
        print(f"  {name} {mode}: incomplete ({len(results)} of {len(JOBS)} jobs); console tail:\n{tail}\n  VMM output:\n{vmm_log}",
              flush=True)
    if mem is None and mode != "fio":
        with open(log, "rb") as f:
            vmm_log = f.read().decode("utf-8", "replace")[-1500:]
        print(f"  {name} {mode}: never came up; console tail:\n{text[-1500:]}\n  VMM output:\n{vmm_log}", flush=True)
    return mem, results


def inside(args):
    if not os.path.exists("/dev/kvm"):
        sys.exit("disk-bench: --inside needs /dev/kvm")
    kernel = args.kernel or os.environ.get("KVM_NESTED_KERNEL")
    work = args.work
    scratch = args.scratch or os.environ.get("KVM_NESTED_SCRATCH") or work
    fio_initrd = os.path.join(work, "fio-initramfs.cpio")
    idle_initrd = os.path.join(work, "idle-initramfs.cpio")
    print(f"load average before: {' '.join('%.2f' % x for x in os.getloadavg())} (inside the outer guest)")
    print(f"kernel {kernel}; guest {args.memory} MiB, {args.vcpus} vCPU; images on {scratch}: {args.size_mib} MiB each")
    t = time.monotonic()
    images = make_images(scratch, args.size_mib)
    print(f"images made and filled in {time.monotonic() - t:.0f} s", flush=True)
    if args.baseline:
        outer_baseline(images, args)
        # fio wrote its own data over the files (a qcow2 header included): make them again for the VMMs.
        images = make_images(scratch, args.size_mib)
    console = os.path.join(work, "console.log")
    fio_cmdline = (f"{CMDLINE} bench.mode=fio bench.size={args.size_mib} bench.runtime={args.runtime} "
                   f"bench.iodepth={args.iodepth} bench.settle={args.guest_settle}")
    idle_cmdline = f"{CMDLINE} bench.mode=idle"

    def vmm_argv(vmm, fmt, initrd, cmdline, machine="pc"):
        if vmm == "kvm-vmm":
            xml = os.path.join(work, f"domain-{fmt}.xml")
            domain_xml(xml, args, kernel, initrd, images[fmt], fmt, console, cmdline)
            return [args.vmm, "--domain-xml", xml]
        return qemu_argv(args, machine, kernel, initrd, images[fmt], fmt, console, cmdline)

    figures = {}
    fio_mem = {}
    if not args.skip_fio:
        for i, fmt in enumerate(args.formats):
            for r in range(args.rounds):
                # The order alternates between rounds and formats: whichever VMM runs second in the emulated guest
                # finds the outer layers warm (seen as up to 2x on the sequential jobs), so each gets both places.
                order = ["kvm-vmm", "qemu"] if (i + r) % 2 == 0 else ["qemu", "kvm-vmm"]
                for vmm in order:
                    mem, results = boot(vmm, vmm_argv(vmm, fmt, fio_initrd, fio_cmdline), console, args, "fio", work)
                    for job, value in results.items():
                        best = figures.setdefault((vmm, fmt), {}).get(job)
                        if best is None or value[1] > best[1]:
                            figures[(vmm, fmt)][job] = value
                    fio_mem[(vmm, fmt)] = mem
                    for job in JOBS:
                        if job in results:
                            mib, iops = results[job]
                            print(f"    {vmm} {fmt} {job} (round {r + 1}): {mib:9.1f} MiB/s {iops:10.0f} IOPS", flush=True)
            if fmt == "qcow2":
                check = subprocess.run(["qemu-img", "check", images[fmt]], capture_output=True, text=True)
                print(f"  qemu-img check {os.path.basename(images[fmt])}: exit {check.returncode}: "
                      f"{check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr.strip()}")

    mems = {}
    if not args.skip_memory:
        fmt = "raw" if "raw" in images else args.formats[0]
        for vmm, machine in (("kvm-vmm", "pc"), ("qemu", "pc"), ("qemu microvm", "microvm,pcie=on")):
            argv = vmm_argv("kvm-vmm" if vmm == "kvm-vmm" else "qemu", fmt, idle_initrd, idle_cmdline, machine)
            mem, _ = boot(vmm, argv, console, args, "idle", work)
            mems[vmm] = mem
    print(f"load average after: {' '.join('%.2f' % x for x in os.getloadavg())} (inside the outer guest)")

    # The table.
    print()
    print(f"fio {fio_version()}: libaio, iodepth {args.iodepth}, O_DIRECT on /dev/vda; sequential 1 MiB over "
          f"{args.size_mib} MiB; random 4 KiB for {args.runtime} s over {args.size_mib} MiB; "
          f"cache=none, aio={args.aio}; the best of {args.rounds} boots per VMM and format")
    print()
    print(f"| image | workload | kvm-vmm | QEMU pc virtio-blk-pci | kvm-vmm / QEMU |")
    print(f"|---|---|---:|---:|---:|")
    for fmt in args.formats:
        for job in JOBS:
            ours = figures.get(("kvm-vmm", fmt), {}).get(job)
            theirs = figures.get(("qemu", fmt), {}).get(job)
            seq = job.startswith("seq")
            unit = "MiB/s" if seq else "IOPS"

            def show(v):
                if v is None:
                    return "-"
                return f"{v[0]:,.1f} {unit}" if seq else f"{v[1]:,.0f} {unit}"
            ratio = "-"
            if ours and theirs:
                a, b = (ours[0], theirs[0]) if seq else (ours[1], theirs[1])
                ratio = f"{a / b:.2f}" if b else "-"
            print(f"| {fmt} | {job} | {show(ours)} | {show(theirs)} | {ratio} |")
    if mems:
        print()
        print(f"Memory, idle guest ({args.memory} MiB, raw disk attached), MiB:")
        print()
        print("| VMM | RSS | PSS | own (RSS - guest RAM) |")
        print("|---|---:|---:|---:|")
        for vmm, mem in mems.items():
            if mem:
                print(f"| {vmm} | {mem[0] / 1024:.1f} | {mem[1] / 1024:.1f} | {mem[2] / 1024:.1f} |")
            else:
                print(f"| {vmm} | - | - | - |")
        ours = mems.get("kvm-vmm")
        for ref in ("qemu microvm", "qemu"):
            other = mems.get(ref)
            if ours and other:
                ratios = [f"RSS {ours[0] / other[0]:.2f}"]
                ratios += [f"PSS {ours[1] / other[1]:.2f}"] if other[1] else []
                ratios += [f"own {ours[2] / other[2]:.2f}"] if other[2] > 0 else []
                print(f"\nkvm-vmm / {ref}: " + ", ".join(ratios) + (" (target <= 0.6)" if ref == "qemu microvm" else ""))
    if fio_mem:
        print()
        print("Memory during the fio boots (fio initramfs, ~90 MiB of it in guest RAM), at BENCH-READY, MiB: " + "; ".join(
            f"{v} {f}: rss {m[0] / 1024:.0f} own {m[2] / 1024:.0f}" for (v, f), m in fio_mem.items() if m))


def outer_baseline(images, args):
    """fio in the outer guest on each image file itself (O_DIRECT, 1 MiB, the same span and time): what the layers
    under both VMMs give, so that a difference between formats can be told from one between VMMs."""
    for fmt, image in images.items():
        figures = []
        for rw in ("read", "write"):
            out = subprocess.run(["fio", "--name=outer", f"--filename={image}", f"--rw={rw}", "--bs=1M", "--direct=1",
                                  "--ioengine=libaio", f"--iodepth={args.iodepth}", f"--size={args.size_mib}M", "--time_based",
                                  f"--runtime={min(args.runtime, 10)}", "--output-format=terse", "--terse-version=3"],
                                 capture_output=True, text=True)
            fields = next((line.split(";") for line in out.stdout.splitlines() if line.startswith("3;")), None)
            if out.returncode != 0 or fields is None:
                figures.append(f"{rw} failed ({out.stderr.strip()[:120]})")
                continue
            kib = float(fields[6]) if rw == "read" else float(fields[47])
            figures.append(f"seq-{rw} {kib / 1024:7.1f} MiB/s")
        print(f"  outer guest, fio on {os.path.basename(image)} itself: " + ", ".join(figures), flush=True)


def fio_version():
    try:
        return run(["fio", "--version"]).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "fio"


# --- host: build, then the harness -------------------------------------------------------------------------------

def outside(args, passthrough):
    harness_dir = run(["bash", HARNESS, "prepare"]).stdout.strip().splitlines()[-1]
    modules = os.path.join(harness_dir, "guest-modules")
    work = os.path.join(ROOT, "artifacts", "disk-bench")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    build_initramfs(os.path.join(work, "fio-initramfs.cpio"), modules, with_fio=True)
    build_initramfs(os.path.join(work, "idle-initramfs.cpio"), modules, with_fio=False)
    sizes = {n: os.path.getsize(os.path.join(work, n)) >> 20 for n in ("fio-initramfs.cpio", "idle-initramfs.cpio")}
    print(f"initramfs: fio {sizes['fio-initramfs.cpio']} MiB, idle {sizes['idle-initramfs.cpio']} MiB (uncompressed)")
    print(f"load average before (host): {' '.join('%.2f' % x for x in os.getloadavg())}", flush=True)
    inner = ["/usr/bin/python3", os.path.abspath(__file__), "--inside", "--work", work] + passthrough
    if subprocess.run(["bash", HARNESS, "has-kvm"]).returncode == 0:
        scratch = tempfile.mkdtemp(prefix="disk-bench-", dir=args.scratch_dir or "/var/tmp")
        status = subprocess.run(["bash", HARNESS, "host", "--"] + inner + ["--scratch", scratch]).returncode
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        disk = os.path.join(args.scratch_dir or "/var/tmp", f"disk-bench-scratch-{os.getpid()}.img")
        scratch_mib = max(2048, 2 * args.size_mib + 1024)
        try:
            status = subprocess.run(["bash", HARNESS, "run", "--share", ROOT, "--timeout", str(args.timeout),
                                     "--scratch-disk", disk, "--scratch-size", str(scratch_mib), "--"] + inner).returncode
        finally:
            if os.path.exists(disk):
                os.unlink(disk)
    print(f"load average after (host): {' '.join('%.2f' % x for x in os.getloadavg())}")
    return status


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--scratch", help=argparse.SUPPRESS)
    p.add_argument("--size-mib", type=int, default=256, help="image size and sequential span (default 256)")
    p.add_argument("--runtime", type=int, default=20, help="seconds per random job (default 20)")
    p.add_argument("--iodepth", type=int, default=8, help="fio iodepth, every job (default 8)")
    p.add_argument("--aio", choices=("native", "threads"), default="native", help="io= / aio= for both VMMs")
    p.add_argument("--memory", type=int, default=512, help="guest MiB (default 512; the fio initramfs is ~90 MiB)")
    p.add_argument("--vcpus", type=int, default=1)
    p.add_argument("--formats", default="raw,qcow2")
    p.add_argument("--rounds", type=int, default=2, help="fio boots per VMM and format, alternating who goes first (default 2)")
    p.add_argument("--skip-fio", action="store_true")
    p.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                   help="first run fio in the outer guest on each image file itself (default on)")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--settle", type=float, default=3.0, help="seconds idle before reading memory")
    p.add_argument("--guest-settle", type=int, default=2, help="seconds the guest waits before fio")
    p.add_argument("--boot-timeout", type=float, default=600)
    p.add_argument("--fio-timeout", type=float, default=1800)
    p.add_argument("--timeout", type=int, default=5400, help="bound on the whole harness run (seconds)")
    p.add_argument("--scratch-dir", help="host directory for the scratch disk (default /var/tmp)")
    p.add_argument("--vmm", default=AOT)
    p.add_argument("--qemu", default=shutil.which("qemu-system-x86_64") or "qemu-system-x86_64")
    p.add_argument("--kernel")
    args = p.parse_args()
    args.formats = [f for f in args.formats.split(",") if f]
    if args.inside:
        inside(args)
        return 0
    if not os.path.exists(args.vmm):
        sys.exit(f"disk-bench: no kvm-vmm at {args.vmm} (dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj)")
    passthrough = []
    for name in ("size_mib", "runtime", "iodepth", "aio", "memory", "vcpus", "rounds", "settle", "guest_settle", "boot_timeout",
                 "fio_timeout", "vmm", "qemu"):
        passthrough += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    passthrough += ["--formats", ",".join(args.formats)]
    passthrough += ["--skip-fio"] if args.skip_fio else []
    passthrough += [] if args.baseline else ["--no-baseline"]
    passthrough += ["--skip-memory"] if args.skip_memory else []
    return outside(args, passthrough)


if __name__ == "__main__":
    sys.exit(main())
