#!/bin/bash
# Disk I/O of kvm-vmm against QEMU (virtio-blk-pci, cache=none), raw and qcow2, and VMM memory with a disk attached
# against QEMU microvm: bench/disk/disk-bench.py (options pass through; --help lists them). It publishes the NativeAOT
# kvm-vmm (what ships) unless --no-publish, then runs everything in ONE nested-KVM harness run (with a scratch ext4
# disk, since O_DIRECT needs a real filesystem), or directly where a usable /dev/kvm exists.
#
#   bash bench/disk/run.sh [--no-publish] [--size-mib N] [--runtime S] [--iodepth N] [--aio native|threads] ...
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
publish=1
args=()
for a in "$@"; do
  if [ "$a" = --no-publish ]; then publish=0; else args+=("$a"); fi
done
command -v fio >/dev/null || { echo "disk-bench: fio is not installed (apt-get install -y fio, as root)" >&2; exit 2; }
for tool in qemu-img qemu-io qemu-system-x86_64 mke2fs; do
  command -v "$tool" >/dev/null || { echo "disk-bench: $tool is missing (qemu-utils, qemu-system-x86, e2fsprogs)" >&2; exit 2; }
done
if [ "$publish" = 1 ]; then
  echo "disk-bench: publishing the NativeAOT kvm-vmm (dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj)" >&2
  (cd "$root" && dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj -v q -nologo >/dev/null) \
    || { echo "disk-bench: the NativeAOT publish failed" >&2; exit 2; }
fi
echo "command: bash bench/disk/run.sh ${args[*]} (commit $(cd "$root" && git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "host: $(nproc) processors, $(uptime | sed 's/.*load average/load average/')"
exec /usr/bin/python3 "$root/bench/disk/disk-bench.py" "${args[@]}"
