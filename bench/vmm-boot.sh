#!/bin/bash
# Boot time and VMM memory: kvm-vmm against QEMU microvm and q35 (bench/vmm-boot.py; options pass through).
# Where a usable /dev/kvm exists it runs directly; elsewhere inside the nested-KVM harness (everything emulated there:
# compare the ratios, not the absolute figures). Build first (dotnet build -c Release Kvm.sln); it publishes the
# NativeAOT kvm-vmm itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -x "$root/artifacts/bin/Kvm.Vmm/release/kvm-vmm" ] || { echo "vmm-boot: build first (dotnet build -c Release Kvm.sln)" >&2; exit 2; }
echo "vmm-boot: publishing the NativeAOT kvm-vmm (dotnet publish -c Release -r linux-x64 src/Vmm)" >&2
(cd "$root" && dotnet publish -c Release -r linux-x64 src/Vmm/Kvm.Vmm.csproj -v q -nologo >/dev/null) \
  || { echo "vmm-boot: the NativeAOT publish failed" >&2; exit 2; }
if bash "$root/tools/nested-kvm/nested-kvm.sh" has-kvm; then
  exec bash "$root/tools/nested-kvm/nested-kvm.sh" host -- /usr/bin/python3 "$root/bench/vmm-boot.py" "$@"
fi
echo "vmm-boot: no usable /dev/kvm here; running inside the nested-KVM harness" >&2
exec bash "$root/tools/nested-kvm/nested-kvm.sh" run --share "$root" --timeout "${VMM_BOOT_TIMEOUT:-3600}" -- \
  /usr/bin/python3 bench/vmm-boot.py "$@"
