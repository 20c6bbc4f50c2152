#!/usr/bin/env bash
# Regenerates src/DomainXml/Canonical/canonical-order.txt from the libvirt corpus in ../shared and, when given,
# the tests/ directory of a libvirt source tree (apt-get source --download-only libvirt; tar xf libvirt_*.orig.tar.xz).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=${CORPUS:-$here/../../shared/corpus/libvirt-domain-xml}
libvirt_tests=${1:-}
files=("$corpus"/out/*.xml "$corpus"/qemu-out/*.xml)
while IFS=$'\t' read -r input _ expected _; do
  [ "$expected" = identity ] && files+=("$corpus/$input")
done < "$corpus/generic-manifest.tsv"
if [ -n "$libvirt_tests" ]; then
  while IFS= read -r f; do files+=("$f"); done < <(find -L "$libvirt_tests"/qemuxml2xmloutdata "$libvirt_tests"/genericxml2xmloutdata "$libvirt_tests"/lxcxml2xmloutdata "$libvirt_tests"/bhyvexml2xmloutdata -name '*.xml' | sort)
fi
python3 "$here/derive-canonical-order.py" "$here/../src/DomainXml/Canonical/canonical-order.txt" "${files[@]}"
