"""A "scanned" page as a baseline TIFF (uncompressed 8-bit grey), written by hand so that a huge
attachment costs no image library: grey paper with scanner noise, deterministic from ``rng``."""
from __future__ import annotations

import random
import struct

SHORT, LONG, RATIONAL = 3, 4, 5
PAPER = bytes(200 + value % 56 for value in range(256))  # random bytes -> light grey with noise


def scan_tiff(size: int, rng: random.Random, width: int = 1654) -> bytes:
    """A valid TIFF of about ``size`` bytes (a page ``width`` pixels wide at 200 dpi)."""
    height = max(1, size // width)
    pixels = rng.randbytes(width * height).translate(PAPER)
    entries = [(256, LONG, width), (257, LONG, height), (258, SHORT, 8), (259, SHORT, 1), (262, SHORT, 1),
               (273, LONG, 0), (277, SHORT, 1), (278, LONG, height), (279, LONG, len(pixels)),
               (282, RATIONAL, 0), (283, RATIONAL, 0), (296, SHORT, 2)]
    ifd_size = 2 + 12 * len(entries) + 4
    resolution_at = 8 + ifd_size
    pixels_at = resolution_at + 8
    ifd = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        if tag == 273:
            value = pixels_at
        if kind == RATIONAL:
            ifd += struct.pack("<HHII", tag, kind, 1, resolution_at)
        elif kind == SHORT:
            ifd += struct.pack("<HHIHH", tag, kind, 1, value, 0)
        else:
            ifd += struct.pack("<HHII", tag, kind, 1, value)
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<II", 200, 1) + pixels
