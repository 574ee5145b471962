"""Packed bitmaps: a set of row ids as one Python int, bit ``r`` standing for row ``r``.

One bit a row, where the selections of ``selection.py`` hold a byte a row: an AND of
two bitmaps of 1M rows is ~7 µs and ``int.bit_count`` ~0.1 ms, against ~0.04 ms and
~0.7 ms for the byte-a-row ints (measured at 1M rows, 2-core machine, CPython 3.11),
so counting a set's rows, and the rows it shares with a bit plane
(``bitsliced.py``), is 8x cheaper packed.

Packing is all C: the 0/1 bytes of rows ``i, i+8, i+16, ...`` are one strided
slice, read as an int and shifted by ``i`` (they are then the bits ``i`` of each
byte of the packed form): eight slices, eight ``int.from_bytes``, ~2 ms for 1M rows
(the same bytes turned to ``'0'``/``'1'`` text and read by ``int(.., 2)``: 4.9 ms).
The eight bit planes of a byte a row come out of one bit-matrix transpose over
the whole lane read as an int (``byte_planes``).
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["pack_mask", "byte_planes", "rewrite_bits"]

def pack_mask(mask: bytes | bytearray) -> int:
    """The packed bitmap of a 0/1 byte vector (every byte 0 or 1, as a ``Selection``'s mask)."""
    packed = 0
    for i in range(8):
        packed |= int.from_bytes(mask[i::8], "little") << i
    return packed


#: The three steps of an 8x8 bit-matrix transpose within each 64-bit word (Hacker's Delight,
#: ``transpose8``): the shift, and the word's mask as little-endian bytes.
_TRANSPOSE_STEPS = ((7, b"\xaa\x00" * 4), (14, b"\xcc\xcc\x00\x00" * 2), (28, b"\xf0" * 4 + b"\x00" * 4))


def byte_planes(lanes: list[bytes]) -> list[list[int]]:
    """Each lane's eight bit planes (packed): bit ``b`` of byte ``r`` of a lane is bit ``r`` of
    its plane ``b``; [] for a lane whose bytes are all 0.  The lanes are of one length.

    Every 8 rows are one 64-bit word of the lane read as an int, an 8x8 bit matrix
    (row, bit); transposing every word at once (three shift-and-mask swaps over the whole
    int, the masks made once for all lanes) leaves byte ``b`` of each word holding bit ``b``
    of its 8 rows, so plane ``b`` is the bytes ``b, b+8, ...``: ~6-10 ms a lane of 1M rows,
    where packing each plane on its own (a ``translate`` and an ``int.from_bytes`` per plane
    and slice of 8 rows) took ~14-20."""
    masks: list[int] | None = None
    out: list[list[int]] = []
    zeros = bytes(len(lanes[0])) if lanes else b""
    for lane in lanes:
        if lane == zeros:  # a compare with zeroed memory: ~0.1 ms at 1M rows, ``from_bytes`` ~0.7
            out.append([])
            continue
        if len(lane) % 8:
            lane = bytes(lane) + bytes(8 - len(lane) % 8)
        x = int.from_bytes(lane, "little")
        if masks is None:
            words = len(lane) // 8
            masks = [int.from_bytes(word * words, "little") for _, word in _TRANSPOSE_STEPS]
        for (shift, _), mask in zip(_TRANSPOSE_STEPS, masks):
            t = (x ^ (x >> shift)) & mask
            x ^= t ^ (t << shift)
        flat = x.to_bytes(len(lane), "little")
        out.append([int.from_bytes(flat[b::8], "little") for b in range(8)])
    return out


def rewrite_bits(bitmap: int, nbytes: int, on: Iterable[int], off: Iterable[int]) -> int:
    """``bitmap`` with the rows ``on`` set and the rows ``off`` cleared: one round trip
    through a ``bytearray`` of ``nbytes`` (~0.2 ms at 1M rows), whatever the number of rows
    (setting one bit of the int itself copies it whole, ~10 µs at 1M rows, per row)."""
    buf = bytearray(bitmap.to_bytes(nbytes, "little"))
    for r in on:
        buf[r >> 3] |= 1 << (r & 7)
    for r in off:
        buf[r >> 3] &= ~(1 << (r & 7)) & 0xFF
    return int.from_bytes(buf, "little")
