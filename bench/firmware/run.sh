#!/bin/bash
# Firmware boot of kvm-vmm against QEMU (SeaBIOS on pc; with --ovmf also OVMF on q35): time to the boot loader's first
# line and to /init, and VMM memory: bench/firmware/firmware-bench.py (options pass through; --help lists them). It
# publishes the NativeAOT kvm-vmm (what ships) unless --no-publish, then runs everything in ONE nested-KVM harness run,
# or directly where a usable /dev/kvm exists.
#
#   bash bench/firmware/run.sh [--no-publish] [--rounds N] [--ovmf] [--memory MIB]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
publish=1
args=()
for a in "$@"; do
  if [ "$a" = --no-publish ]; then publish=0; else args+=("$a"); fi
done
if [ "$publish" = 1 ]; then
  echo "firmware-bench: publishing the NativeAOT kvm-vmm (dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj)" >&2
  (cd "$root" && dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj -v q -nologo >/dev/null) \
    || { echo "firmware-bench: the NativeAOT publish failed" >&2; exit 2; }
fi
echo "command: bash bench/firmware/run.sh ${args[*]} (commit $(cd "$root" && git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "host: $(nproc) processors, $(uptime | sed 's/.*load average/load average/')"
exec /usr/bin/python3 "$root/bench/firmware/firmware-bench.py" "${args[@]}"
