#!/usr/bin/env bash
# Real KVM on a machine without /dev/kvm: run a command inside a QEMU guest under software emulation (TCG) whose
# virtual CPU has AMD SVM, so the guest has a working /dev/kvm. The guest boots Debian's stock kernel with a busybox
# initramfs, mounts this machine's root read-only over 9p, mounts one directory read-write at the same path,
# chroots into the root and runs the command there. Facts behind the recipe: ../shared/docs/nested-kvm.md.
#
#   nested-kvm.sh prepare                     install the packages, download the kernel, build the initramfs (cached);
#                                             prints the directory with vmlinuz and guest-modules/
#   nested-kvm.sh run [options] -- CMD...     run CMD inside; exit status and output are CMD's
#     --share DIR      directory shared read-write at the same path (default: the current directory)
#     --timeout SECS   bound on the whole guest run (default 900); on expiry the exit status is 124
#     --memory MIB     outer guest memory (default 4096)
#     --cpus N         outer guest vCPUs (default 2)
#     --scratch-disk FILE  a raw host file attached to the outer guest as a virtio disk (cache=unsafe) holding an
#                      ext4 filesystem, mounted read-write inside at $KVM_NESTED_SCRATCH (/run/scratch): a real
#                      filesystem, where O_DIRECT works (the 9p root and the tmpfs /tmp refuse it). A missing FILE
#                      is created (sparse) and formatted with mke2fs; an existing one is used as it is
#     --scratch-size MIB   the size of a scratch disk created by --scratch-disk (default 4096)
#     --stall-timeout SECS once the command has started, end the run (status 125) when its output has not grown for
#                      SECS: the emulated outer guest now and then wedges for good without a word (a vCPU stuck
#                      running the nested guest); the guest's last heartbeat (load, memory, busy processes) is shown
#   nested-kvm.sh host -- CMD...              on a machine with a working /dev/kvm: prepare, then run CMD here with
#                                             the same environment (KVM_NESTED_KERNEL, KVM_NESTED_MODULES)
#   nested-kvm.sh has-kvm                     exit 0 when this machine's own /dev/kvm can run guests: it exists and
#                                             the CPU has svm or vmx (some cloud VMs have a /dev/kvm without either,
#                                             on which a Linux guest, QEMU's too, hangs as it enters long mode)
#   nested-kvm.sh check                       prepare, then show that /dev/kvm answers inside (KVM_GET_API_VERSION)
#
# Exit status: the command's; 124 when the guest did not finish in time; 125 when it ended without finishing the
# command (the emulated outer guest itself crashed, or locked up: a CPU stuck for 100 s or more, or the command's
# output silent for --stall-timeout); 2 for the harness's own errors.
#
# Environment: KVM_NESTED_CACHE (default ~/.cache/kvm-nested) keeps the kernel and initramfs between runs. Inside,
# KVM_NESTED_KERNEL names the stock kernel (Debian's vmlinuz) for tests that boot it on the inner KVM,
# KVM_NESTED_MODULES a directory with the modules those guests load (button, evdev, virtio-pci, virtio-blk, ext4, ...;
# its file "order" lists them in load order), KVM_NESTED_NET_MODULES the same for virtio-net (failover, net_failover,
# virtio_net), KVM_NESTED_VSOCK_MODULES for the guest side of vsock (vsock, its virtio transport),
# KVM_NESTED_EFI_MODULES for UEFI guests (efivarfs), and
# KVM_NESTED_EMULATED=1 says the KVM is the emulated one of 'run' (not set by 'host').
# KVM_NESTED_QEMU names the outer emulator (default: qemu-system-x86_64 on the PATH) and KVM_NESTED_QEMU_DATA adds a
# directory to its ROM search path (-L). Debian's QEMU 7.2 (and bookworm-backports' 10.0) abort once a nested guest
# runs OVMF ("tcg_handle_interrupt: assertion failed"): outer-qemu/build.sh builds Debian's with the fix, and with it
# the harness tells the inner command KVM_NESTED_OUTER_UEFI=1 (the UEFI tests run only then).
# For diagnosing the emulator itself: KVM_NESTED_TCG_THREAD=single runs the outer QEMU's TCG on one thread (default
# multi), and KVM_NESTED_APPEND adds to the outer kernel's command line (module parameters such as kvm_amd.npt=0
# reach the modules the outer init loads).
set -euo pipefail

cache="${KVM_NESTED_CACHE:-${HOME:-/root}/.cache/kvm-nested}"

# Modules the inner test guests load themselves, in dependency order (guest-modules/order lists them): the ACPI power
# button and its input events; virtio-pci with virtio-blk and virtio-rng; ext4 for root filesystems on virtio disks;
# qemu_fw_cfg for the fw_cfg entries.
guest_modules=(
  drivers/acpi/button drivers/input/evdev
  drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev
  drivers/virtio/virtio_pci drivers/block/virtio_blk drivers/char/hw_random/virtio-rng
  lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 drivers/firmware/qemu_fw_cfg
)
# Modules the inner test guests load for networking (virtio-net and its failover dependencies), kept in net-modules/
# with an order file of their own: a cache prepared before this list existed gets them added beside guest-modules/
# without being prepared again (another checkout may be using it). KVM_NESTED_NET_MODULES names that directory.
net_modules=(net/core/failover drivers/net/net_failover drivers/net/virtio_net)
# Modules the inner test guests load for vsock (the guest side of virtio-vsock), kept in vsock-modules/ the same way;
# KVM_NESTED_VSOCK_MODULES names that directory.
vsock_modules=(net/vmw_vsock/vsock net/vmw_vsock/vmw_vsock_virtio_transport_common net/vmw_vsock/vmw_vsock_virtio_transport)
# Modules the inner test guests load for the memory balloon (virtio-balloon's driver), kept in balloon-modules/ the
# same way; KVM_NESTED_BALLOON_MODULES names that directory.
balloon_modules=(drivers/virtio/virtio_balloon)
# Modules the inner test guests load under UEFI: efivarfs, through which a guest reads and writes the firmware's
# variables; kept in efi-modules/ the same way, KVM_NESTED_EFI_MODULES names that directory.
efi_modules=(fs/efivarfs/efivarfs)
# Modules the outer guest needs, in dependency order (KVM for AMD, virtio-pci, 9p over virtio; virtio-blk and ext4
# for --scratch-disk; tun and the bridge for the network tests, which make taps and bridges in the outer guest;
# vhost-net (after tap, which it depends on) for the tap tests' kernel datapath (/dev/vhost-net); vhost-vsock for
# the vsock tests, whose VMs take their CIDs from /dev/vhost-vsock in the outer guest).
modules=(
  virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm arch/x86/kvm/kvm-amd
  drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/9p/9pnet fs/netfs/netfs
  fs/fscache/fscache fs/9p/9p net/9p/9pnet_virtio
  drivers/block/virtio_blk lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4
  drivers/net/tun net/llc/llc net/802/stp net/bridge/bridge
  drivers/vhost/vhost_iotlb drivers/vhost/vhost drivers/net/tap drivers/vhost/vhost_net net/vmw_vsock/vsock net/vmw_vsock/vmw_vsock_virtio_transport_common
  drivers/vhost/vhost_vsock
)

log() { echo "nested-kvm: $*" >&2; }
die() { log "$*"; exit 2; }

need_packages() {
  local missing=()
  command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
  dpkg -s busybox-static >/dev/null 2>&1 \
    || missing+=(busybox-static)
  command -v cpio >/dev/null || missing+=(cpio)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (install them with apt-get as root)"
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The kernel package linux-image-amd64 currently depends on, e.g. linux-image-6.1.0-56-amd64.
# KVM_NESTED_KERNEL_PACKAGE names another one (e.g. to compare two kernels' nested SVM).
kernel_package() {
  if [ -n "${KVM_NESTED_KERNEL_PACKAGE:-}" ]; then
    echo "$KVM_NESTED_KERNEL_PACKAGE"
    return
  fi
  apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}

# The outer initramfs is named after what goes into it (the module list and init.sh), so that a change to either
# builds a new one beside the old (another checkout running at the same time may still use the old one).
initramfs_name() {
  local sum
  sum="$({ printf '%s\n' "${modules[@]}"; cat "$(dirname "$(readlink -f "$0")")/init.sh"; } | sha256sum | cut -c1-12)"
  echo "initramfs-$sum.cpio.gz"
}

# Builds the outer initramfs $2 in directory $1 from the extracted kernel package root $3 (atomically: a temporary
# file renamed into place).
build_initramfs() {
  local dir="$1" name="$2" root="$3" version
  version="$(ls "$root/lib/modules")"
  local initrd
  initrd="$(mktemp -d "$dir/initrd.XXXXXX")"
  mkdir -p "$initrd"/{bin,dev,proc,sys,mnt,modules}
  cp /bin/busybox "$initrd/bin/busybox"
  local m
  for m in "${modules[@]}"; do
    cp "$root/lib/modules/$version/kernel/$m.ko" "$initrd/modules/$(basename "$m").ko" \
      || die "module $m.ko not in the kernel package"
  done
  printf '%s\n' "${modules[@]##*/}" >"$initrd/modules/order"
  cp "$(dirname "$(readlink -f "$0")")/init.sh" "$initrd/init"
  chmod +x "$initrd/init"
  (cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/$name.tmp.$$"
  mv "$dir/$name.tmp.$$" "$dir/$name"
  rm -rf "$initrd"
}

# Whether directory $1 holds the inner guests' network modules of this net_modules list (and the vsock ones).
net_modules_ready() {
  extra_modules_ready "$1" net-modules "${net_modules[@]}" && extra_modules_ready "$1" vsock-modules "${vsock_modules[@]}" \
    && extra_modules_ready "$1" efi-modules "${efi_modules[@]}" && extra_modules_ready "$1" balloon-modules "${balloon_modules[@]}"
}

# Whether directory $1/$2 holds the modules listed after them, in that order.
extra_modules_ready() {
  local dir="$1" sub="$2"
  shift 2
  [ "$(cat "$dir/$sub/order" 2>/dev/null)" = "$(printf '%s\n' "${@##*/}")" ]
}

# Copies the net_modules and vsock_modules of the extracted kernel package root $2 into $1/net-modules and
# $1/vsock-modules, each only when it is not ready yet.
copy_net_modules() {
  extra_modules_ready "$1" net-modules "${net_modules[@]}" || copy_extra_modules "$1" "$2" net-modules "${net_modules[@]}"
  extra_modules_ready "$1" vsock-modules "${vsock_modules[@]}" || copy_extra_modules "$1" "$2" vsock-modules "${vsock_modules[@]}"
  extra_modules_ready "$1" efi-modules "${efi_modules[@]}" || copy_extra_modules "$1" "$2" efi-modules "${efi_modules[@]}"
  extra_modules_ready "$1" balloon-modules "${balloon_modules[@]}" || copy_extra_modules "$1" "$2" balloon-modules "${balloon_modules[@]}"
}

# Copies the modules listed after $3 from the extracted kernel package root $2 into $1/$3 (atomically: a temporary
# directory renamed into place).
copy_extra_modules() {
  local dir="$1" root="$2" sub="$3" version m tmp
  shift 3
  version="$(ls "$root/lib/modules")"
  tmp="$(mktemp -d "$dir/$sub.XXXXXX")"
  for m in "$@"; do
    cp "$root/lib/modules/$version/kernel/$m.ko" "$tmp/" || die "module $m.ko not in the kernel package"
  done
  printf '%s\n' "${@##*/}" >"$tmp/order"
  chmod 755 "$tmp"
  rm -rf "${dir:?}/$sub"
  mv "$tmp" "$dir/$sub"
}

prepare() {
  need_packages
  mkdir -p "$cache"
  local package
  package="$(kernel_package)"
  [ -n "$package" ] || die "cannot resolve linux-image-amd64's kernel package (apt-get update first?)"
  local dir="$cache/$package"
  # A cache from before the guest module list last changed is prepared again.
  if [ -f "$dir/initramfs.cpio.gz" ] && [ -f "$dir/vmlinuz" ] \
    && [ "$(cat "$dir/guest-modules/order" 2>/dev/null)" = "$(printf '%s\n' "${guest_modules[@]##*/}")" ]; then
    local name
    name="$(initramfs_name)"
    if [ ! -f "$dir/$name" ] || ! net_modules_ready "$dir"; then
      # This module list or init.sh is new to the cache: build its initramfs (or the network modules) beside the others.
      log "adding the outer initramfs $name and the network modules to the cache"
      local tmp
      tmp="$(mktemp -d "$dir/deb.XXXXXX")"
      (cd "$tmp" && apt-get download "$package" >/dev/null 2>&1) || { rm -rf "$tmp"; die "apt-get download $package failed"; }
      dpkg -x "$tmp"/*.deb "$tmp/root"
      [ -f "$dir/$name" ] || build_initramfs "$dir" "$name" "$tmp/root"
      net_modules_ready "$dir" || copy_net_modules "$dir" "$tmp/root"
      rm -rf "$tmp"
    fi
    echo "$dir"
    return
  fi

  log "preparing $package in $dir"
  rm -rf "$dir" && mkdir -p "$dir/deb"
  (cd "$dir/deb" && apt-get download "$package" >/dev/null 2>&1) || die "apt-get download $package failed"
  dpkg -x "$dir"/deb/*.deb "$dir/root"
  local version
  version="$(ls "$dir/root/lib/modules")"
  cp "$dir/root/boot/vmlinuz-$version" "$dir/vmlinuz"
  # Modules the inner test guests load themselves, and the order to load them in.
  mkdir -p "$dir/guest-modules"
  for m in "${guest_modules[@]}"; do
    cp "$dir/root/lib/modules/$version/kernel/$m.ko" "$dir/guest-modules/" || die "module $m.ko not in $package"
  done
  printf '%s\n' "${guest_modules[@]##*/}" >"$dir/guest-modules/order"
  copy_net_modules "$dir" "$dir/root"

  build_initramfs "$dir" "$(initramfs_name)" "$dir/root"
  cp "$dir/$(initramfs_name)" "$dir/initramfs.cpio.gz"
  rm -rf "$dir/deb" "$dir/root"
  echo "$dir"
}

run() {
  local share="$PWD" timeout=900 memory=4096 cpus=2 scratch="" scratch_size=4096 stall=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --share) share="$(readlink -f "$2")"; shift 2 ;;
      --timeout) timeout="$2"; shift 2 ;;
      --memory) memory="$2"; shift 2 ;;
      --cpus) cpus="$2"; shift 2 ;;
      --scratch-disk) scratch="$2"; shift 2 ;;
      --scratch-size) scratch_size="$2"; shift 2 ;;
      --stall-timeout) stall="$2"; shift 2 ;;
      --) shift; break ;;
      *) die "unknown option $1 (options go before --)" ;;
    esac
  done
  [ $# -gt 0 ] || die "run: no command given (nested-kvm.sh run [options] -- CMD...)"
  [ -d "$share" ] || die "run: share directory $share does not exist"

  local scratch_args=()
  if [ -n "$scratch" ]; then
    if [ ! -e "$scratch" ]; then
      command -v mke2fs >/dev/null || die "run: --scratch-disk needs mke2fs (e2fsprogs)"
      log "creating the scratch disk $scratch (${scratch_size} MiB, ext4)"
      truncate -s "${scratch_size}M" "$scratch" || die "run: cannot create $scratch"
      mke2fs -q -F -t ext4 -E lazy_itable_init=1,lazy_journal_init=1 "$scratch" || die "run: mke2fs $scratch failed"
    fi
    scratch_args=(-drive "file=$scratch,format=raw,if=none,id=scratch,cache=unsafe,aio=threads"
      -device virtio-blk-pci,drive=scratch)
  fi

  local dir
  dir="$(prepare)"
  local control
  control="$(mktemp -d /tmp/nested-kvm.XXXXXX)"
  # The command runs from the share, with the caller's PATH and a writable HOME.
  {
    echo "cd $(printf '%q' "$share")"
    echo "export PATH=$(printf '%q' "$PATH") HOME=/tmp DOTNET_CLI_HOME=/tmp DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1"
    # The stock kernel the outer guest runs, for tests that boot it again on the inner KVM.
    echo "export KVM_NESTED_KERNEL=$(printf '%q' "$dir/vmlinuz") KVM_NESTED_MODULES=$(printf '%q' "$dir/guest-modules")"
    echo "export KVM_NESTED_NET_MODULES=$(printf '%q' "$dir/net-modules") KVM_NESTED_VSOCK_MODULES=$(printf '%q' "$dir/vsock-modules") KVM_NESTED_EFI_MODULES=$(printf '%q' "$dir/efi-modules") KVM_NESTED_BALLOON_MODULES=$(printf '%q' "$dir/balloon-modules")"
    # Tests may allow for the emulated SVM's own failures here (not on a machine with hardware virtualization).
    echo "export KVM_NESTED_EMULATED=1"
    # An outer emulator built by outer-qemu/build.sh survives nested guests that run OVMF: the UEFI tests run there.
    "${KVM_NESTED_QEMU:-qemu-system-x86_64}" --version 2>/dev/null | grep -q kvm-nested-svm-cr8 && echo "export KVM_NESTED_OUTER_UEFI=1"
    [ -n "$scratch" ] && echo "export KVM_NESTED_SCRATCH=/run/scratch"
    printf '%q ' "$@"
    echo
  } >"$control/command.sh"
  echo "$share" >"$control/share"
  [ -n "$scratch" ] && echo /run/scratch >"$control/scratch"

  log "booting the outer guest (TCG, -cpu max, ${memory} MiB, ${cpus} vCPUs; timeout ${timeout}s)"
  local status=0
  # An outer emulator of our own build (KVM_NESTED_QEMU) loads the ROMs Debian's own finds: seabios's BIOS and
  # qemu-system-data's option ROMs.
  local qemu_data=() d
  if [ -n "${KVM_NESTED_QEMU_DATA:-}" ]; then
    qemu_data=(-L "$KVM_NESTED_QEMU_DATA")
  elif [ -n "${KVM_NESTED_QEMU:-}" ]; then
    for d in /usr/share/qemu /usr/share/seabios; do [ -d "$d" ] && qemu_data+=(-L "$d"); done
  fi
  timeout --kill-after=10 "$timeout" "${KVM_NESTED_QEMU:-qemu-system-x86_64}" "${qemu_data[@]}" -accel "tcg,thread=${KVM_NESTED_TCG_THREAD:-multi}" -cpu max -m "$memory" -smp "$cpus" \
    -nographic -no-reboot -nodefaults -serial stdio -monitor none \
    -kernel "$dir/vmlinuz" -initrd "$dir/$(initramfs_name)" \
    -append "console=ttyS0 quiet loglevel=4 panic=-1 ${KVM_NESTED_APPEND:-}" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$share,mount_tag=rwshare,security_model=none,multidevs=remap" \
    -virtfs "local,path=$control,mount_tag=control,security_model=none" \
    "${scratch_args[@]}" \
    </dev/null >"$control/console.log" 2>&1 &
  local qemu=$! locked=0 shown=0 size
  trap 'kill "$qemu" 2>/dev/null' EXIT
  # The emulated SVM occasionally wedges the outer kernel: every vCPU in a soft lockup that never ends. A CPU stuck
  # for 100 s or more does not come back; stop there instead of at the timeout (the caller may try a fresh guest).
  while kill -0 "$qemu" 2>/dev/null; do
    sleep 5
    # The command's output as it comes (the guest writes it to the shared control directory).
    if [ -f "$control/output" ]; then
      size=$(stat -c %s "$control/output")
      if [ "$size" -gt "$shown" ]; then
        tail -c +$((shown + 1)) "$control/output" | head -c $((size - shown))
        shown=$size
      fi
    fi
    if grep -qE 'soft lockup - CPU#[0-9]+ stuck for [0-9]{3,}s' "$control/console.log" 2>/dev/null; then
      locked=1
      kill "$qemu" 2>/dev/null
      break
    fi
    if [ "$stall" -gt 0 ] && [ -f "$control/output" ] && [ ! -f "$control/status" ] \
      && [ $(( $(date +%s) - $(stat -c %Y "$control/output") )) -ge "$stall" ]; then
      locked=2
      kill "$qemu" 2>/dev/null
      break
    fi
  done
  wait "$qemu" || status=$?
  trap - EXIT

  if [ "$locked" != 0 ]; then
    [ -f "$control/output" ] && tail -c +$((shown + 1)) "$control/output"
    if [ "$locked" = 1 ]; then
      log "the outer guest locked up (its kernel reports a CPU stuck for 100 s or more); its console:"
    else
      log "the command's output stayed silent for ${stall}s: the outer guest wedged; its last heartbeat:"
      cat "$control/heartbeat" >&2 2>/dev/null || log "(none)"
      log "heartbeat written $(( $(date +%s) - $(stat -c %Y "$control/heartbeat" 2>/dev/null || date +%s) ))s before the end; the console:"
    fi
    tail -n 40 "$control/console.log" >&2
    rm -rf "$control"
    return 125
  fi

  if [ -f "$control/output" ]; then
    tail -c +$((shown + 1)) "$control/output"
  fi

  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    log "the guest did not finish within ${timeout}s; its console:"
    tail -n 40 "$control/console.log" >&2
    rm -rf "$control"
    return 124
  fi

  if [ ! -f "$control/status" ]; then
    log "the guest ended without running the command (QEMU exit status $status); its console:"
    tail -n 40 "$control/console.log" >&2
    rm -rf "$control"
    return 125
  fi

  status="$(cat "$control/status")"
  rm -rf "$control"
  return "$status"
}

case "${1:-}" in
  prepare) shift; dir="$(prepare)"; log "ready in $dir"; echo "$dir" ;;
  run) shift; run "$@" ;;
  has-kvm) [ -e /dev/kvm ] && grep -qwE 'svm|vmx' /proc/cpuinfo ;;
  host)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || die "host: no command given (nested-kvm.sh host -- CMD...)"
    [ -e /dev/kvm ] || die "host: this machine has no /dev/kvm; use 'run' to go through the nested guest"
    dir="$(prepare)"
    KVM_NESTED_KERNEL="$dir/vmlinuz" KVM_NESTED_MODULES="$dir/guest-modules" KVM_NESTED_NET_MODULES="$dir/net-modules" KVM_NESTED_VSOCK_MODULES="$dir/vsock-modules" KVM_NESTED_EFI_MODULES="$dir/efi-modules" KVM_NESTED_BALLOON_MODULES="$dir/balloon-modules" exec "$@"
    ;;
  check)
    shift
    run --share "$(mktemp -d)" --timeout 300 -- sh -c 'ls -l /dev/kvm && grep -c svm /proc/cpuinfo'
    ;;
  *) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
