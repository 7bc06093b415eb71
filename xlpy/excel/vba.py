"""The VBA source in a workbook, read with the standard library only (`xlpy doctor` must work
where only requirements.txt is installed; oletools is for the tests).

An .xlsm keeps its VBA project in xl/vbaProject.bin, an OLE compound file [MS-CFB]; its `dir`
stream lists each module's stream and where the source starts in it, and the source is
compressed [MS-OVBA 2.4.1].
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_MODULE_STREAM, _MODULE_OFFSET, _PROJECT_VERSION = 0x001A, 0x0031, 0x0009


def modules(workbook: Path) -> dict[str, str]:
    """Module stream name (e.g. `xlwings`) → its source; {} when the workbook has no VBA."""
    with zipfile.ZipFile(workbook) as z:
        name = next((n for n in z.namelist() if n.lower().endswith("vbaproject.bin")), None)
        if name is None:
            return {}
        streams = _streams(z.read(name))
    out = {}
    for stream, offset in _module_offsets(decompress(streams["dir"])):
        out[stream] = decompress(streams[stream][offset:]).decode("cp1252", errors="replace")
    return out


def _streams(data: bytes) -> dict[str, bytes]:
    """Every stream of a compound file by name (names are unique enough in a VBA project)."""
    if data[:8] != bytes.fromhex("D0CF11E0A1B11AE1"):
        raise ValueError("not an OLE compound file")
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
    first_dir, cutoff, first_minifat = struct.unpack_from("<I4xII", data, 0x30)
    difat_start, difat_count = struct.unpack_from("<II", data, 0x44)
    at = lambda n: data[(n + 1) * sector:(n + 2) * sector]  # noqa: E731
    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    n = difat_start
    for _ in range(difat_count):
        block = struct.unpack(f"<{sector // 4}I", at(n))
        fat_sectors += block[:-1]
        n = block[-1]
    fat = [v for s in fat_sectors if s not in (_FREE, _END) for v in struct.unpack(f"<{sector // 4}I", at(s))]

    def chain(start: int, table: list[int]) -> list[int]:
        out = []
        while start not in (_FREE, _END) and len(out) <= len(table):
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(at(s) for s in chain(first_dir, fat))
    entries = []
    for i in range(0, len(directory), 128):
        e = directory[i:i + 128]
        length = struct.unpack_from("<H", e, 64)[0]
        kind, start, size = e[66], struct.unpack_from("<I", e, 116)[0], struct.unpack_from("<Q", e, 120)[0]
        entries.append((e[:max(length - 2, 0)].decode("utf-16-le"), kind, start, size))
    root = next(e for e in entries if e[1] == 5)
    ministream = b"".join(at(s) for s in chain(root[2], fat))
    minifat = [v for s in chain(first_minifat, fat) for v in struct.unpack(f"<{sector // 4}I", at(s))]
    out = {}
    for name, kind, start, size in entries:
        if kind != 2:
            continue
        if size < cutoff:
            body = b"".join(ministream[s * mini:(s + 1) * mini] for s in chain(start, minifat))
        else:
            body = b"".join(at(s) for s in chain(start, fat))
        out[name] = body[:size]
    return out


def _module_offsets(dir_stream: bytes) -> list[tuple[str, int]]:
    """(module stream name, where its source starts) from the decompressed `dir` stream [MS-OVBA 2.3.4.2]."""
    out, name, i = [], None, 0
    while i + 6 <= len(dir_stream):
        record, size = struct.unpack_from("<HI", dir_stream, i)
        if record == _PROJECT_VERSION:  # its size field says 4, but 6 bytes follow
            size = 6
        body = dir_stream[i + 6:i + 6 + size]
        if record == _MODULE_STREAM:
            name = body.decode("cp1252")
        elif record == _MODULE_OFFSET and name is not None:
            out.append((name, struct.unpack("<I", body)[0]))
        i += 6 + size
    return out


def decompress(data: bytes) -> bytes:
    """An MS-OVBA compressed container [2.4.1.3.1]."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed VBA container")
    out, i = bytearray(), 1
    while i < len(data):
        header = struct.unpack_from("<H", data, i)[0]
        end = min(i + (header & 0x0FFF) + 3, len(data))
        i += 2
        if not header & 0x8000:  # stored as is
            out += data[i:i + 4096]
            i += 4096
            continue
        start = len(out)
        while i < end:
            flags = data[i]
            i += 1
            for bit in range(8):
                if i >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[i])
                    i += 1
                    continue
                token = struct.unpack_from("<H", data, i)[0]
                i += 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length, offset = (token & (0xFFFF >> bits)) + 3, (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)
