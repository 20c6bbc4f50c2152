#!/usr/bin/env python3
"""Puts a partition image into a whole-disk image behind an MBR: syslinux's boot code (syslinux-common's mbr.bin) and
one active FAT16 partition at 1 MiB, the layout an installer leaves. Usage: make-boot-disk.py MBR_CODE PARTITION DISK"""
import struct
import sys

START = 2048  # sectors: the partition starts at 1 MiB


def main(mbr_code, partition, disk):
    with open(mbr_code, "rb") as f:
        code = f.read(440)
    with open(partition, "rb") as f:
        data = f.read()
    if len(data) % 512:
        sys.exit("make-boot-disk: the partition image is not a whole number of sectors")
    mbr = bytearray(512)
    mbr[: len(code)] = code
    # One entry: active, type 0x06 (FAT16), LBA start and length; CHS fields left at their LBA-only values.
    mbr[446:462] = bytes([0x80, 0xFE, 0xFF, 0xFF, 0x06, 0xFE, 0xFF, 0xFF]) + struct.pack("<II", START, len(data) // 512)
    mbr[510:512] = b"\x55\xaa"
    with open(disk, "wb") as f:
        f.write(mbr)
        f.write(bytes(START * 512 - 512))
        f.write(data)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
