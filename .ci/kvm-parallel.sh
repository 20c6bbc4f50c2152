#!/usr/bin/env bash
# Runs the Kvm category of several test executables at the same time (inside the nested-KVM guest, or on a machine's
# own /dev/kvm), as .ci/run does: each one's output goes to OUTDIR/NAME.log and, line by line with "NAME: " in front,
# to this script's output (so a person watching sees both progress live); its exit status goes to OUTDIR/NAME.status
# when it ends. A missing status file after the run means the run was cut short there (the guest died or hung).
#
#   kvm-parallel.sh OUTDIR EXE...
#
# The environment (KVM_VMM, KVM_KVMD, KVM_RETRY_LOG, the harness's KVM_NESTED_* variables) reaches every executable;
# KVM_TEST_FILTER replaces the filter (default TestCategory=Kvm), to run a few of them. Exits 0 when every executable
# passed, 1 otherwise.
set -uo pipefail
out=$1; shift
mkdir -p "$out"

run_one() {
  local exe=$1 name
  name=$(basename "$exe")
  rm -f "$out/$name.status"
  "$exe" --filter "${KVM_TEST_FILTER:-TestCategory=Kvm}" >"$out/$name.log" 2>&1
  echo "$?" >"$out/$name.status"
}

pids=()
for exe in "$@"; do
  run_one "$exe" &
  pid=$!
  pids+=("$pid")
  # Follows the log as it grows, from its first line; ends once that executable has ended and its log is read.
  name=$(basename "$exe")
  : >>"$out/$name.log"
  tail -n +1 -F --pid="$pid" "$out/$name.log" 2>/dev/null | sed -u "s/^/$name: /" &
done

status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
wait
for exe in "$@"; do
  name=$(basename "$exe")
  [ "$(cat "$out/$name.status" 2>/dev/null)" = 0 ] || status=1
done
exit "$status"
