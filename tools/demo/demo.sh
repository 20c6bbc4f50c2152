#!/bin/bash
# The main job end to end, as a user does it: a libvirt domain of an installed system (xml-samples/bios-disk.xml: no
# kernel, a qcow2 disk that the demo builds with Debian's stock kernel and a small busybox initramfs behind syslinux)
# defined and started through kvmd's org.libvirt D-Bus API with kvmctl, its serial console shown (SeaBIOS, the boot
# loader, the kernel) until the guest is up, then shut down with the ACPI power button and undefined.
#
#   bash tools/demo/demo.sh            # builds, prepares the guest (cached), runs the demo
#
# Without a usable /dev/kvm it says so and runs the same steps inside the nested-KVM harness (tools/nested-kvm), where
# everything is emulated and therefore slow (a few minutes).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/artifacts/bin"
marker="kvm demo guest is up"
say() { printf '==> %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

inside=false
[ "${1:-}" = "--inside" ] && inside=true

if ! $inside; then
  command -v dotnet >/dev/null || die "the .NET 10 SDK is needed (dotnet on PATH)"
  # dbus: kvmd's bus; seabios: the firmware; syslinux, syslinux-common, mtools, dosfstools: the boot disk;
  # qemu-utils: qemu-img, which makes it qcow2.
  missing=()
  for pkg in dbus seabios syslinux syslinux-common mtools dosfstools qemu-utils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing packages: apt-get install ${missing[*]}"
    say "installing ${missing[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  say "building (dotnet build -c Release Kvm.sln)"
  (cd "$root" && dotnet build -c Release Kvm.sln -v q -nologo >/dev/null) || die "the build failed: run 'dotnet build -c Release Kvm.sln' to see why"
  say "publishing kvm-vmm as a native executable (dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj)"
  (cd "$root" && dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj -v q -nologo >/dev/null) \
    || die "the NativeAOT publish failed: run 'dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj' to see why"
  say "preparing the guest: Debian's stock kernel from its package (cached in ~/.cache/kvm-nested)"
  guest="$(bash "$root/tools/nested-kvm/nested-kvm.sh" prepare)"
  export KVM_NESTED_KERNEL="$guest/vmlinuz" KVM_NESTED_MODULES="$guest/guest-modules"
  if ! bash "$root/tools/nested-kvm/nested-kvm.sh" has-kvm; then
    say "this machine has no usable /dev/kvm (none, or no svm/vmx in its CPU flags): running the demo inside the nested-KVM harness (a QEMU guest with AMD SVM;"
    say "everything there is emulated, so expect minutes, not seconds)"
    exec bash "$root/tools/nested-kvm/nested-kvm.sh" run --share "$root" --timeout 1800 -- bash tools/demo/demo.sh --inside
  fi
fi

[ -e /dev/kvm ] || die "no /dev/kvm"
[ -f "${KVM_NESTED_KERNEL:-}" ] || die "no guest kernel (KVM_NESTED_KERNEL)"
for exe in kvmd kvmctl; do
  [ -x "$bin/Kvm.${exe^}/release/$exe" ] || die "$exe is not built: dotnet build -c Release Kvm.sln"
done
[ -x "$root/artifacts/publish/Kvm.Vmm/release_linux-x64/kvm-vmm" ] || die "kvm-vmm is not published (see above)"
kvmctl() { "$bin/Kvm.Kvmctl/release/kvmctl" --connect session "$@"; }

work="$(mktemp -d /tmp/kvm-demo.XXXXXX)"
cleanup() {
  [ -f "$work/kvmd.pid" ] && kill "$(cat "$work/kvmd.pid")" 2>/dev/null || true
  [ -f "$work/bus.pid" ] && kill "$(cat "$work/bus.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say "building the initramfs: busybox, the ACPI button and evdev modules, and an /init that waits for the power button"
mkdir -p "$work/initrd"/{bin,dev,proc,sys,modules}
cp /bin/busybox "$work/initrd/bin/busybox"
cp "$KVM_NESTED_MODULES"/*.ko "$work/initrd/modules/" 2>/dev/null || true
cat >"$work/initrd/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in /modules/*.ko; do /bin/busybox insmod \$m 2>/dev/null; done
for e in /sys/class/input/event*; do /bin/busybox grep -q "Power Button" \$e/device/name 2>/dev/null && ev=/dev/input/\${e##*/}; done
# Open the button before saying the guest is up: evdev passes on only the presses that come after the open.
[ -n "\$ev" ] && exec 3<\$ev && echo "listening to the ACPI power button (kvmctl shutdown)"
echo "$marker: Linux \$(/bin/busybox uname -r), \$(/bin/busybox grep -c ^processor /proc/cpuinfo) vCPU(s), \$(/bin/busybox grep MemTotal /proc/meminfo)"
if [ -n "\$ev" ]; then
  /bin/busybox dd of=/dev/null bs=24 count=1 <&3 2>/dev/null
  echo "power button pressed: powering off"
else
  echo "no power button driver; powering off in 30 s"
  /bin/busybox sleep 30
fi
/bin/busybox poweroff -f
EOF
chmod +x "$work/initrd/init"
/usr/bin/python3 "$root/tools/demo/make-initramfs.py" "$work/initrd" "$work/initramfs.cpio"

say "building the boot disk: an MBR, a FAT16 partition with syslinux, the kernel and the initramfs; qcow2 (qemu-img convert)"
cat >"$work/syslinux.cfg" <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT linux
LABEL linux
  SAY syslinux: loading Debian's kernel and the demo's initramfs
  KERNEL vmlinuz
  INITRD initrd.img
  APPEND console=ttyS0 quiet panic=-1
EOF
cp "$KVM_NESTED_KERNEL" "$work/vmlinuz"
cp "$work/initramfs.cpio" "$work/initrd.img"
truncate -s 48M "$work/partition.img"
mkfs.fat -F 16 -n KVMDEMO "$work/partition.img" >/dev/null
syslinux --install "$work/partition.img"
mcopy -i "$work/partition.img" "$work/syslinux.cfg" "$work/vmlinuz" "$work/initrd.img" ::/
/usr/bin/python3 "$root/tools/demo/make-boot-disk.py" /usr/lib/syslinux/mbr/mbr.bin "$work/partition.img" "$work/disk.raw"
qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/bios-disk.qcow2"
rm -f "$work/partition.img" "$work/disk.raw" "$work/vmlinuz" "$work/initrd.img"

say "starting a private D-Bus session bus and kvmd on it"
dbus-daemon --session --print-address=3 --print-pid=4 --fork 3>"$work/bus.address" 4>"$work/bus.pid"
export DBUS_SESSION_BUS_ADDRESS="$(cat "$work/bus.address")"
"$bin/Kvm.Kvmd/release/kvmd" --session --state-dir "$work/state" --runtime-dir "$work/run" \
  --vmm "$root/artifacts/publish/Kvm.Vmm/release_linux-x64/kvm-vmm" --rpc-socket "$work/virtqemud-sock" -v >"$work/kvmd.log" 2>&1 &
echo $! >"$work/kvmd.pid"
for _ in $(seq 100); do kvmctl list >/dev/null 2>&1 && break; sleep 0.2; done
kvmctl list >/dev/null 2>&1 || { cat "$work/kvmd.log" >&2; die "kvmd did not come up"; }

say "the domain: xml-samples/bios-disk.xml with the disk just built"
sed -e "s|<source file='[^']*'/>|<source file='$work/bios-disk.qcow2'/>|" "$root/xml-samples/bios-disk.xml" >"$work/bios-disk.xml"
say "kvmctl define"; kvmctl define "$work/bios-disk.xml"
say "kvmctl list --all"; kvmctl list --all
# Paused first, as "virsh start --paused" then "virsh console": what the guest prints before anyone has the pty open
# is gone (a pty keeps nothing for a reader that is not there yet), so the console is attached before its vCPUs run.
say "kvmctl start --paused bios-disk (the console is attached before the guest runs)"; kvmctl start --paused bios-disk
pty="$(kvmctl dumpxml bios-disk | sed -n "s|.*<source path='\(/dev/pts/[0-9]*\)'/>.*|\1|p" | head -n 1)"
[ -n "$pty" ] || die "the live XML names no pty for the serial console"
exec 5<>"$pty"
stty raw -echo <&5 2>/dev/null || true
say "kvmctl resume bios-disk"; kvmctl resume bios-disk
say "the serial console ($pty), until the guest is up:"
# What went wrong, when the guest does not come up: the domain's state, kvmd's log and the VMM's.
diagnose() {
  printf 'demo: %s\n' "$*" >&2
  kvmctl domstate --reason bios-disk >&2 || true
  printf -- '--- kvmd log (last 40 lines)\n' >&2; tail -n 40 "$work/kvmd.log" >&2 || true
  printf -- '--- kvm-vmm log (last 40 lines)\n' >&2; tail -n 40 "$work/run/bios-disk.log" >&2 || true
  exit 1
}
timeout 600 awk -v m="$marker" '{ sub(/\r$/, ""); print "    | " $0; fflush() } index($0, m) { exit }' <&5 \
  || diagnose "the guest did not come up within 10 minutes"
say "kvmctl list"; kvmctl list
say "kvmctl dominfo bios-disk"; kvmctl dominfo bios-disk
say "kvmctl shutdown bios-disk (the ACPI power button)"; kvmctl shutdown bios-disk
for _ in $(seq 300); do
  [ "$(kvmctl -q domstate bios-disk 2>/dev/null | head -n 1)" = "shut off" ] && break
  sleep 1
done
say "kvmctl domstate --reason bios-disk"; kvmctl domstate --reason bios-disk
say "kvmctl undefine bios-disk"; kvmctl undefine bios-disk
say "kvmctl list --all"; kvmctl list --all
say "done"
