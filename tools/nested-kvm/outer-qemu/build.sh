#!/usr/bin/env bash
# Builds the outer emulator the nested-KVM harness needs for UEFI guests: Debian 12's QEMU 7.2 (its source package,
# Debian's patches applied) with one fix of ours, svm-cr8-bql.patch, for x86_64 with TCG and 9p only.
#
# Why: under TCG, a nested guest's write to CR8 while its hypervisor waits for an interrupt window (V_IRQ set in the
# VMCB) raises the virtual interrupt without the big QEMU lock, and QEMU aborts ("tcg_handle_interrupt: assertion
# failed"). OVMF restores CR8 at the end of every interrupt, so an inner guest running OVMF takes the outer QEMU down
# within seconds; SeaBIOS and Linux never write CR8. Debian's QEMU 7.2 and bookworm-backports' QEMU 10.0 both abort;
# the patch takes the lock around that one call, as the same function already does around the APIC's TPR.
#
#   bash tools/nested-kvm/outer-qemu/build.sh      prints the path of the built qemu-system-x86_64
#
# Then: KVM_NESTED_QEMU=<that path> bash tools/nested-kvm/nested-kvm.sh run ...  (the harness tells the inner
# commands KVM_NESTED_OUTER_UEFI=1, and the UEFI Kvm tests run). The build is cached under
# $KVM_NESTED_CACHE/outer-qemu (about 20 minutes on 2 processors the first time). Needs root for apt-get.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${KVM_NESTED_CACHE:-${HOME:-/root}/.cache/kvm-nested}/outer-qemu"
tag="kvm-nested-svm-cr8"
out="$cache/qemu-system-x86_64"
log() { echo "outer-qemu: $*" >&2; }

if [ -x "$out" ] && "$out" --version | grep -q "$tag"; then
  echo "$out"
  exit 0
fi
mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "installing the build tools"
# libfdt-dev: the x86_64 target needs libfdt, and Debian's source package drops the copy QEMU bundles.
tools=(gcc libc6-dev ninja-build meson libglib2.0-dev libpixman-1-dev libcap-ng-dev libattr1-dev flex bison pkg-config
  python3-venv dpkg-dev zlib1g-dev libfdt-dev)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${tools[@]}" >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${tools[@]}" >/dev/null; }

log "fetching Debian's QEMU source package (a private apt state: the system's lists stay as they are)"
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
. /etc/os-release
{
  echo "deb-src http://deb.debian.org/debian $VERSION_CODENAME main"
  echo "deb-src http://deb.debian.org/debian-security $VERSION_CODENAME-security main"
} >"$work/apt/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o APT::Sandbox::User=root)
apt-get "${apt_private[@]}" update -q >/dev/null
version="$(dpkg-query -W -f '${Version}' qemu-system-x86 2>/dev/null || true)"
(cd "$work" && apt-get "${apt_private[@]}" source --download-only "qemu${version:+=$version}" >/dev/null 2>&1) \
  || (cd "$work" && apt-get "${apt_private[@]}" source --download-only qemu >/dev/null)
# apt checked the files against the signed Sources index; the .dsc's own signature needs Debian's keyring (not installed).
(cd "$work" && dpkg-source -x ./*.dsc src >/dev/null 2>&1)
patch -d "$work/src" -p1 <"$here/svm-cr8-bql.patch" >/dev/null

log "building qemu-system-x86_64 (TCG and 9p only)"
mkdir "$work/src/build"
(cd "$work/src/build" && ../configure --prefix=/usr --firmwarepath=/usr/share/qemu:/usr/share/seabios --target-list=x86_64-softmmu --without-default-features --enable-tcg \
  --enable-virtfs --enable-attr --enable-cap-ng --disable-werror --disable-docs --with-pkgversion="$tag" >/dev/null \
  && nice -n 10 ninja -j"$(nproc)" qemu-system-x86_64 >/dev/null)
# The ROMs the outer machine loads (the BIOS, linuxboot_dma.bin) are those of Debian's seabios and qemu-system-data,
# found where Debian's own build finds them.
cp "$work/src/build/qemu-system-x86_64" "$out.tmp"
mv "$out.tmp" "$out"
"$out" --version | grep -q "$tag"
echo "$out"
