#!/usr/bin/python3
"""Firmware boot of kvm-vmm against QEMU: the same firmware file, disk image, kernel and initramfs under both.

Two halves, one file:

  firmware-bench.py [options]            on the host: builds the initramfs and the boot disks (no root needed), then
                                         runs itself with --inside in ONE nested-KVM harness run, or directly where
                                         a usable /dev/kvm exists, and prints what the inside printed
  firmware-bench.py --inside --work DIR  where /dev/kvm works: boots each VMM ROUNDS times, in alternating order

Disks (raw, attached as virtio-blk-pci, the boot disk):
  bios  an MBR with syslinux's boot code and a FAT16 partition holding syslinux, Debian's kernel and the initramfs;
        syslinux.cfg has SERIAL 0 and SAY BENCH-LOADER, so the boot loader's first line reaches COM1 under any VMM
  uefi  the same partition layout holding EFI/BOOT/BOOTX64.EFI, GRUB made by grub-mkstandalone (grub-efi-amd64-bin)
        with an embedded grub.cfg that says BENCH-LOADER on the serial terminal and boots the same kernel

Measured per boot, from the VMM process's start: the loader's BENCH-LOADER line and the initramfs's BENCH-INIT line
on the serial console (a file), and the VMM's memory a few seconds after BENCH-INIT (RSS, PSS, and "own": RSS minus
the guest RAM mapping). SeaBIOS: kvm-vmm (machine pc, no <loader>: Debian's /usr/share/seabios/bios-256k.bin) against
qemu-system-x86_64 -accel kvm -M pc (the same file). OVMF (--ovmf): kvm-vmm (<loader type='pflash'> OVMF_CODE_4M.fd,
<nvram> from OVMF_VARS_4M.fd) against -M q35 with the same two pflash files.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "common"))
from vmmbench import idle_initramfs, loadavg, memory  # noqa: E402

AOT = os.path.join(ROOT, "artifacts/publish/Kvm.Vmm/release_linux-x64/kvm-vmm")
HARNESS = os.path.join(ROOT, "tools/nested-kvm/nested-kvm.sh")
BIOS = "/usr/share/seabios/bios-256k.bin"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
MBR_CODE = "/usr/lib/syslinux/mbr/mbr.bin"
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check"
LOADER, INIT = "BENCH-LOADER", "BENCH-INIT"


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)


# --- host: the initramfs and the disks ----------------------------------------------------------------------------

def build_disk(work, kernel, initrd, kind):
    """A raw disk: MBR + FAT16 partition at 1 MiB with the kernel, the initramfs and syslinux or GRUB for EFI."""
    part = os.path.join(work, f"{kind}-partition.img")
    with open(part, "wb") as f:
        f.truncate(48 << 20)
    run(["mkfs.fat", "-F", "16", "-n", "FWBENCH", part])
    files = [kernel, initrd]
    if kind == "bios":
        cfg = os.path.join(work, "syslinux.cfg")
        with open(cfg, "w") as f:
            f.write(f"SERIAL 0 115200\nPROMPT 0\nTIMEOUT 0\nDEFAULT linux\nLABEL linux\n  SAY {LOADER}\n"
                    f"  KERNEL vmlinuz\n  INITRD initrd.img\n  APPEND {CMDLINE}\n")
        run(["syslinux", "--install", part])
        files.append(cfg)
    else:
        cfg = os.path.join(work, "grub.cfg")
        with open(cfg, "w") as f:
            f.write("serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n"
                    f"echo {LOADER}\nsearch --no-floppy --set=root --file /vmlinuz\n"
                    f"linux /vmlinuz {CMDLINE}\ninitrd /initrd.img\nboot\n")
        efi = os.path.join(work, "BOOTX64.EFI")
        run(["grub-mkstandalone", "-O", "x86_64-efi", "-o", efi, "--modules=part_msdos fat serial search linux",
             f"boot/grub/grub.cfg={cfg}"])
        run(["mmd", "-i", part, "::/EFI", "::/EFI/BOOT"])
        run(["mcopy", "-i", part, efi, "::/EFI/BOOT/BOOTX64.EFI"])
    run(["mcopy", "-i", part] + files + ["::/"])
    disk = os.path.join(work, f"{kind}.raw")
    run([sys.executable, os.path.join(ROOT, "tools", "demo", "make-boot-disk.py"), MBR_CODE, part, disk])
    os.unlink(part)
    return disk


# --- inside: boots and measurements -------------------------------------------------------------------------------

def domain_xml(path, args, kind, disk, console, nvram):
    if kind == "bios":
        os_xml = "<type arch='x86_64' machine='pc'>hvm</type>\n    <boot dev='hd'/>"
    else:
        os_xml = (f"<type arch='x86_64' machine='q35'>hvm</type>\n    <loader readonly='yes' type='pflash'>{OVMF_CODE}</loader>\n"
                  f"    <nvram template='{OVMF_VARS}'>{nvram}</nvram>\n    <boot dev='hd'/>")
    with open(path, "w") as f:
        f.write(f"""<domain type='kvm'>
  <name>firmware-bench</name>
  <memory unit='MiB'>{args.memory}</memory>
  <vcpu>{args.vcpus}</vcpu>
  <os>
    {os_xml}
  </os>
  <features>
    <acpi/>
  </features>
  <clock offset='utc'>
    <timer name='pit' tickpolicy='{args.pit}'/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'>
      <source path='{console}'/>
    </serial>
  </devices>
</domain>
""")


def qemu_argv(args, kind, disk, console, nvram):
    machine = ["-M", "pc"] if kind == "bios" else [
        "-M", "q35", "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
        "-drive", f"if=pflash,format=raw,unit=1,file={nvram}"]
    return [args.qemu, "-accel", "kvm"] + machine + [
        "-cpu", "host", "-m", str(args.memory), "-smp", str(args.vcpus), "-nodefaults", "-no-user-config",
        "-nographic", "-serial", f"file:{console}", "-global", f"kvm-pit.lost_tick_policy={args.pit}",
        "-blockdev", f'{{"driver":"file","filename":"{disk}","node-name":"f0"}}',
        "-blockdev", '{"driver":"raw","file":"f0","node-name":"d0"}',
        "-device", "virtio-blk-pci,drive=d0,bootindex=1"]


def boot(name, argv, console, args, work):
    """(seconds to LOADER, seconds to INIT, memory) of one boot; None where a line never came."""
    for stale in (console,):
        if os.path.exists(stale):
            os.unlink(stale)
    log = os.path.join(work, name.replace(" ", "-") + ".log")
    start = time.monotonic()
    with open(log, "wb") as logf:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
    loader = init = mem = None
    text = ""
    try:
        while time.monotonic() - start < args.boot_timeout and proc.poll() is None:
            if os.path.exists(console):
                with open(console, "rb") as f:
                    text = f.read().decode("ascii", "replace")
            now = time.monotonic() - start
            # syslinux's banner or the SAY line: under kvm-vmm SeaBIOS forwards syslinux's video text to COM1 as well
            # as syslinux writing there itself, and the two copies can interleave inside a line.
            if loader is None and (LOADER in text or "SYSLINUX" in text):
                loader = now
            if INIT in text:
                init = now
                time.sleep(args.settle)
                mem = memory(proc.pid, args.memory * 1024)
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if init is None:
        with open(log, "rb") as f:
            tail = f.read().decode("utf-8", "replace")[-1200:]
        print(f"  {name}: no {INIT} within {args.boot_timeout:.0f} s (exit {proc.returncode}); console tail:\n"
              f"{text[-1200:]}\n  VMM output:\n{tail}", flush=True)
    return loader, init, mem


def inside(args):
    if not os.path.exists("/dev/kvm"):
        sys.exit("firmware-bench: --inside needs /dev/kvm")
    work = args.work
    # The disks go to a local filesystem (tmpfs): both VMMs lock and write the image, which the 9p share does not suit.
    local = tempfile.mkdtemp(prefix="firmware-bench-", dir=os.environ.get("KVM_NESTED_SCRATCH") or "/tmp")
    console = os.path.join(local, "console.log")
    print(f"load average before: {loadavg()} (inside the outer guest)")
    print(f"guest {args.memory} MiB, {args.vcpus} vCPU; {args.rounds} rounds, alternating which VMM boots first")
    kinds = ([] if args.ovmf_only else ["bios"]) + (["uefi"] if args.ovmf or args.ovmf_only else [])
    results = {}
    for kind in kinds:
        disk = os.path.join(local, f"{kind}.raw")
        shutil.copy(os.path.join(work, f"{kind}.raw"), disk)
        for r in range(args.rounds):
            order = ["kvm-vmm", "qemu"] if r % 2 == 0 else ["qemu", "kvm-vmm"]
            if kind == "uefi" and r == 0:
                order = ["qemu", "kvm-vmm"]  # QEMU first: does OVMF get through the outer emulator at all?
            for vmm in order:
                nvram = os.path.join(local, f"{vmm}_VARS.fd")
                if vmm == "kvm-vmm":
                    xml = os.path.join(local, f"domain-{kind}.xml")
                    domain_xml(xml, args, kind, disk, console, nvram)
                    argv = [args.vmm, "--domain-xml", xml]
                else:
                    shutil.copy(OVMF_VARS, nvram) if kind == "uefi" else None
                    argv = qemu_argv(args, kind, disk, console, nvram)
                loader, init, mem = boot(f"{vmm} {kind} {r + 1}", argv, console, args, work)
                results.setdefault((kind, vmm), []).append((loader, init, mem))
                show = lambda v: f"{v:6.2f} s" if v is not None else "     -  "
                own = f"rss {mem[0] / 1024:6.1f} MiB, own {mem[2] / 1024:6.1f} MiB" if mem else "-"
                print(f"  {kind:4} {vmm:7} round {r + 1}: loader {show(loader)}, /init {show(init)}; {own}", flush=True)
    shutil.rmtree(local, ignore_errors=True)
    print(f"load average after: {loadavg()} (inside the outer guest)")

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    print()
    print(f"Medians of {args.rounds} boots each; guest {args.memory} MiB, {args.vcpus} vCPU, raw virtio-blk-pci boot disk")
    print()
    print("| firmware | VMM | to boot loader (s) | to /init (s) | RSS (MiB) | own (MiB) |")
    print("|---|---|---:|---:|---:|---:|")
    figures = {}
    for kind in kinds:
        for vmm in ("kvm-vmm", "qemu"):
            rows = results.get((kind, vmm), [])
            f = (median(r[0] for r in rows), median(r[1] for r in rows),
                 median(r[2][0] / 1024 if r[2] else None for r in rows), median(r[2][2] / 1024 if r[2] else None for r in rows))
            figures[(kind, vmm)] = f
            cells = " | ".join(f"{v:.2f}" if i < 2 and v is not None else (f"{v:.1f}" if v is not None else "-") for i, v in enumerate(f))
            label = {"bios": "SeaBIOS (pc)", "uefi": "OVMF (q35)"}[kind]
            print(f"| {label} | {vmm if vmm == 'kvm-vmm' else 'qemu -accel kvm'} | {cells} |")
    print()
    for kind in kinds:
        ours, theirs = figures[(kind, "kvm-vmm")], figures[(kind, "qemu")]
        ratio = lambda i: f"{ours[i] / theirs[i]:.2f}" if ours[i] is not None and theirs[i] else "-"
        print(f"kvm-vmm / QEMU, {kind}: boot loader {ratio(0)}, /init {ratio(1)} (target <= 1.0); RSS {ratio(2)}, "
              f"own {ratio(3)} (target <= 0.6)")


# --- host: build, then the harness --------------------------------------------------------------------------------

def outside(args, passthrough):
    for tool in ("mkfs.fat", "syslinux", "mcopy", "mmd", args.qemu) + (("grub-mkstandalone",) if args.ovmf or args.ovmf_only else ()):
        if not shutil.which(tool):
            sys.exit(f"firmware-bench: {tool} is missing (apt-get install -y dosfstools syslinux syslinux-common mtools "
                     "qemu-system-x86 grub-efi-amd64-bin)")
    for path in (BIOS, MBR_CODE) + ((OVMF_CODE, OVMF_VARS) if args.ovmf or args.ovmf_only else ()):
        if not os.path.exists(path):
            sys.exit(f"firmware-bench: {path} is missing (apt-get install -y seabios syslinux-common ovmf)")
    harness_dir = run(["bash", HARNESS, "prepare"]).stdout.strip().splitlines()[-1]
    kernel = args.kernel or os.path.join(harness_dir, "vmlinuz")
    if not os.path.exists(kernel):
        kernel = os.environ.get("KVM_NESTED_KERNEL", kernel)
    work = os.path.join(ROOT, "artifacts", "firmware-bench")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    staged = os.path.join(work, "stage")
    os.makedirs(staged)
    shutil.copy(kernel, os.path.join(staged, "vmlinuz"))
    idle_initramfs(os.path.join(staged, "initrd.img"), work, INIT)
    for kind in ("bios", "uefi") if args.ovmf or args.ovmf_only else ("bios",):
        build_disk(work, os.path.join(staged, "vmlinuz"), os.path.join(staged, "initrd.img"), kind)
    print(f"kernel {kernel}; disks built; load average before (host): {loadavg()}", flush=True)
    inner = ["/usr/bin/python3", os.path.abspath(__file__), "--inside", "--work", work] + passthrough
    if subprocess.run(["bash", HARNESS, "has-kvm"]).returncode == 0:
        status = subprocess.run(["bash", HARNESS, "host", "--"] + inner).returncode
    else:
        status = subprocess.run(["bash", HARNESS, "run", "--share", ROOT, "--timeout", str(args.timeout), "--"] + inner).returncode
    print(f"load average after (host): {loadavg()}")
    return status


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--rounds", type=int, default=3, help="boots per VMM and firmware (default 3)")
    p.add_argument("--ovmf", action="store_true", help="also OVMF (q35) from a GRUB EFI disk")
    p.add_argument("--ovmf-only", action="store_true", help="OVMF only (no SeaBIOS boots)")
    p.add_argument("--memory", type=int, default=512, help="guest MiB (default 512)")
    p.add_argument("--vcpus", type=int, default=1)
    p.add_argument("--pit", choices=("delay", "discard"), default="delay",
                   help="the PIT's lost-tick policy for both VMMs (libvirt's <timer name='pit' tickpolicy>; QEMU's kvm-pit.lost_tick_policy)")
    p.add_argument("--settle", type=float, default=3.0, help="seconds after /init before reading memory")
    p.add_argument("--boot-timeout", type=float, default=600)
    p.add_argument("--timeout", type=int, default=3600, help="bound on the whole harness run (seconds)")
    p.add_argument("--vmm", default=AOT)
    p.add_argument("--qemu", default=shutil.which("qemu-system-x86_64") or "qemu-system-x86_64")
    p.add_argument("--kernel")
    args = p.parse_args()
    if args.inside:
        inside(args)
        return 0
    if not os.path.exists(args.vmm):
        sys.exit(f"firmware-bench: no kvm-vmm at {args.vmm} (dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj)")
    passthrough = ["--rounds", str(args.rounds), "--memory", str(args.memory), "--vcpus", str(args.vcpus), "--pit", args.pit,
                   "--settle", str(args.settle), "--boot-timeout", str(args.boot_timeout), "--vmm", args.vmm,
                   "--qemu", args.qemu] + (["--ovmf"] if args.ovmf else []) + (["--ovmf-only"] if args.ovmf_only else [])
    return outside(args, passthrough)


if __name__ == "__main__":
    sys.exit(main())
