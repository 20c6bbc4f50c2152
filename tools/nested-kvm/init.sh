#!/bin/busybox sh
# /init of the outer guest's initramfs (see nested-kvm.sh): load the stock kernel's modules, mount the host root
# read-only and the shares read-write, make it the root and run the command there, record its status, power off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

# A module's parameters come from the kernel command line as MODULE.PARAM=VALUE (KVM_NESTED_APPEND), as modprobe
# would pass them (a module's name with underscores: kvm_amd.vgif=0 for kvm-amd.ko).
for m in $(cat /modules/order); do
  n=$(echo "$m" | tr - _)
  # shellcheck disable=SC2046
  insmod "/modules/$m.ko" $(tr ' ' '\n' < /proc/cmdline | sed -n "s/^$n\.//p") || echo "nested-kvm init: insmod $m failed"
done

fail() {
  echo "nested-kvm init: $*"
  poweroff -f
}

opts=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$opts,ro" hostroot /mnt || fail "cannot mount the host root"
mount -t proc proc /mnt/proc
mount -t sysfs sys /mnt/sys
mount -t devtmpfs dev /mnt/dev
mkdir -p /mnt/dev/pts /mnt/dev/shm
mount -t devpts devpts /mnt/dev/pts
mount -t tmpfs tmp /mnt/dev/shm
mount -t tmpfs tmp /mnt/tmp
mount -t tmpfs run /mnt/run
# The shares go over the tmpfs mounts, or those would hide them.
mkdir -p /mnt/run/nested-kvm
mount -t 9p -o "$opts" control /mnt/run/nested-kvm || fail "cannot mount the control share"
share="$(cat /mnt/run/nested-kvm/share)"
mkdir -p "/mnt$share" 2>/dev/null
mount -t 9p -o "$opts" rwshare "/mnt$share" || fail "cannot mount the share at $share"
# nested-kvm.sh run --scratch-disk: the outer guest's virtio disk holds an ext4 filesystem, mounted where the control
# share's file "scratch" says.
scratch=""
if [ -f /mnt/run/nested-kvm/scratch ]; then
  scratch="$(cat /mnt/run/nested-kvm/scratch)"
  for i in $(seq 1 100); do [ -b /dev/vda ] && break; sleep 0.1; done
  mkdir -p "/mnt$scratch"
  mount -t ext4 /dev/vda "/mnt$scratch" || fail "cannot mount the scratch disk at $scratch"
fi

# The host root becomes the root (as switch_root does: moved onto /, then chroot into it) rather than a plain chroot at
# /mnt: the kernel refuses user namespaces to a chrooted process (passt, which kvm-vmm runs for user-mode networking,
# isolates itself in one). From here on this script's own paths are relative to the moved root, its working directory.
cd /mnt || fail "cannot enter the host root"
mount --move . / || fail "cannot move the host root onto /"

# A heartbeat the host side can read while the command runs (nested-kvm.sh shows it when the guest goes silent):
# uptime, load, free memory and every process that is running or in uninterruptible sleep, every 15 s.
(
  while :; do
    {
      echo "uptime $(cut -d' ' -f1 /proc/uptime) s, load $(cat /proc/loadavg)"
      grep -E 'MemAvailable|Shmem:' /proc/meminfo | tr -s ' ' | tr '\n' ' '
      echo
      for stat in /proc/[0-9]*/stat; do
        read -r pid comm state rest <"$stat" 2>/dev/null || continue
        case "$state" in R|D) echo "  $pid $comm $state $(cat "${stat%/stat}/wchan" 2>/dev/null)" ;; esac
      done
    } >run/nested-kvm/heartbeat.tmp 2>/dev/null && mv run/nested-kvm/heartbeat.tmp run/nested-kvm/heartbeat
    sleep 15
  done
) &
heartbeat=$!

chroot . /bin/sh -c 'sh /run/nested-kvm/command.sh >/run/nested-kvm/output 2>&1; echo $? >/run/nested-kvm/status.tmp'
kill "$heartbeat" 2>/dev/null
mv run/nested-kvm/status.tmp run/nested-kvm/status
sync
[ -n "$scratch" ] && umount ".$scratch"
umount ".$share" run/nested-kvm 2>/dev/null
poweroff -f
