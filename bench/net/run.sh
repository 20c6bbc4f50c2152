#!/bin/bash
# Network throughput and latency of kvm-vmm against QEMU (virtio-net-pci on a tap on a bridge; vhost-net and each
# VMM's userspace datapath): bench/net/net-bench.py (options pass through; --help lists them). It publishes the
# NativeAOT kvm-vmm (what ships) unless --no-publish, then runs everything in ONE nested-KVM harness run, or directly
# where a usable /dev/kvm exists (with --i-own-this-host only: it makes a bridge and a tap there).
#
#   bash bench/net/run.sh [--no-publish] [--rounds N] [--runtime S] [--pings N]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
publish=1
args=()
for a in "$@"; do
  if [ "$a" = --no-publish ]; then publish=0; else args+=("$a"); fi
done
command -v iperf3 >/dev/null || { echo "net-bench: iperf3 is not installed (apt-get install -y iperf3, as root)" >&2; exit 2; }
for tool in qemu-system-x86_64 ip; do
  command -v "$tool" >/dev/null || { echo "net-bench: $tool is missing (qemu-system-x86, iproute2)" >&2; exit 2; }
done
if [ "$publish" = 1 ]; then
  echo "net-bench: publishing the NativeAOT kvm-vmm (dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj)" >&2
  (cd "$root" && dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj -v q -nologo >/dev/null) \
    || { echo "net-bench: the NativeAOT publish failed" >&2; exit 2; }
fi
echo "command: bash bench/net/run.sh ${args[*]} (commit $(cd "$root" && git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "host: $(nproc) processors, $(uptime | sed 's/.*load average/load average/')"
exec /usr/bin/python3 "$root/bench/net/net-bench.py" "${args[@]}"
