#!/usr/bin/env bash
# kvmd's libvirt RPC front end against libvirt's own daemon, holding the same 1,000 definitions (issue 17's benchmark):
# virsh list --all wall time, python3-libvirt p50/p99 of listAllDomains, lookupByName and XMLDesc from one connection,
# the ratios, and both daemons' resident memory. Prints figures; it is not a test.
#
#   bench/rpc/run.sh [--domains N] [--rounds N]
#
# Needs root (libvirt's daemon runs as the user nobody, an unprivileged session instance in a temporary directory),
# dbus-daemon (kvmd also serves D-Bus), virsh, python3-libvirt, and virtqemud or (Debian 12, whose libvirt 9.0 builds
# no modular daemons) libvirtd.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

daemon=
for candidate in /usr/sbin/virtqemud /usr/sbin/libvirtd; do
  if [ -x "$candidate" ]; then daemon=$candidate; break; fi
done
[ -n "$daemon" ] || { echo "no virtqemud or libvirtd: apt-get install libvirt-daemon (Debian 12) or libvirt-daemon-driver-qemu (Debian 13)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (libvirt's daemon is started as the user nobody)" >&2; exit 2; }

kvmd=$repo/artifacts/bin/Kvm.Kvmd/release/kvmd
if [ ! -x "$kvmd" ]; then
  dotnet build -c Release src/Driver/Kvmd >/dev/null
fi

work=$(mktemp -d /tmp/rpc-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

dbus-daemon --session --nofork --address="unix:path=$work/bus" >/dev/null 2>&1 &
pids+=($!)
mkdir -p "$work/kvmd-state" "$work/kvmd-run"
for i in $(seq 100); do [ -S "$work/bus" ] && break; sleep 0.1; done
DBUS_SESSION_BUS_ADDRESS="unix:path=$work/bus" "$kvmd" --session --state-dir "$work/kvmd-state" --runtime-dir "$work/kvmd-run" \
  --rpc-socket "$work/kvmd-sock" >"$work/kvmd.log" 2>&1 &
kvmd_pid=$!
pids+=($kvmd_pid)

mkdir -p "$work/peer/run" "$work/peer/config" "$work/peer/cache" "$work/peer/home"
chown -R nobody:nogroup "$work/peer"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work/peer/home" XDG_RUNTIME_DIR="$work/peer/run" XDG_CONFIG_HOME="$work/peer/config" \
  XDG_CACHE_HOME="$work/peer/cache" XDG_DATA_HOME="$work/peer/home" \
  setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$daemon" --timeout 0 >"$work/peer.log" 2>&1 &
peer_pid=$!
pids+=($peer_pid)
peer_sock=$work/peer/run/libvirt/$([ "$daemon" = /usr/sbin/virtqemud ] && echo virtqemud-sock || echo libvirt-sock)

for i in $(seq 600); do
  [ -S "$work/kvmd-sock" ] && [ -S "$peer_sock" ] && break
  sleep 0.1
done
[ -S "$work/kvmd-sock" ] || { echo "kvmd did not start:" >&2; cat "$work/kvmd.log" >&2; exit 1; }
[ -S "$peer_sock" ] || { echo "$daemon did not start:" >&2; cat "$work/peer.log" >&2; exit 1; }

echo "kvmd: $kvmd (pid $kvmd_pid); libvirt: $daemon $(dpkg-query -W -f='${Version}' libvirt-daemon 2>/dev/null || true) (pid $peer_pid, as nobody)"
echo "host: $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
/usr/bin/python3 "$repo/bench/rpc/measure.py" "$@" \
  --target "kvmd=qemu:///session?socket=$work/kvmd-sock@$kvmd_pid" \
  --target "$(basename "$daemon")=qemu:///session?socket=$peer_sock@$peer_pid"
