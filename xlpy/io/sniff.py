"""The checks a workbook (a zip of XML parts) passes before any parser sees it.

Zip bombs (the declared sizes, every member inflated bounded by its own), XML with a DOCTYPE or
an entity (anywhere in any member: entities are never expanded), a sheet whose extent calamine
could not hold, and the error cells (#DIV/0!, #REF!) calamine reads as blanks. A failed check
raises ``Unreadable`` naming it.

The archive's directory is read here when it is plain (no comment, no zip64, no extra fields,
nothing before the archive): zipfile's machinery per member cost more than calamine's whole parse.
Whatever is not plain, and every member that is not (compressed otherwise, encrypted, a size or CRC
that does not match), goes through zipfile, which judges and names it as it always did: the
members read here are exactly those zipfile lists, read exactly as zipfile would give them.
"""
from __future__ import annotations

import html
import io
import os
import re
import struct
import zipfile
import zlib
from typing import NamedTuple

from xlpy.contract.config import Settings
from xlpy.core.report import Unreadable

ZIP_MAGIC = b"PK\x03\x04"
MAX_CELLS = 2_000_000  # a daily report is a few hundred cells; refuse giants politely

_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b([^>]*)>')
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_REL = re.compile(rb'<(?:\w+:)?Relationship\b([^>]*)>')
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


class _Member(NamedTuple):
    """What the checks need of a member, as zipfile's ZipInfo names it."""

    filename: str
    file_size: int
    compress_size: int
    compress_type: int
    flag_bits: int
    CRC: int
    header_offset: int


class _ZipfileNeeded(Exception):
    """A member (or error cells) the directory read here cannot judge: zipfile does it all again."""


def inspect_zip(data: bytes, settings: Settings) -> dict[str, dict[tuple[int, int], str]]:
    """Refuse zip bombs and XML with a DOCTYPE (entities are never expanded), and
    find error cells (#DIV/0!, #REF!) by sheet name, which calamine reads as blanks."""
    members = plain_directory(data)
    if members is not None:
        try:
            return _inspect(members, data, settings, None)
        except _ZipfileNeeded:
            pass
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as e:  # "zip file version 10.0"
        raise Unreadable("corrupt", str(e)[:200]) from None
    return _inspect(infos, data, settings, zf)


_END = struct.Struct(zipfile.structEndArchive)  # the end of central directory record
_CENTRAL = struct.Struct(zipfile.structCentralDir)  # one member's entry in the directory
_ZIP64_LOCATOR = b"PK\x06\x07"


def plain_directory(data: bytes) -> list[_Member] | None:
    """The members of a plain archive as zipfile would list them, read straight from the bytes;
    None for anything else (zipfile then lists them itself, and judges what is wrong)."""
    end = len(data) - _END.size
    if (end < 64 or data[end:end + 4] != zipfile.stringEndArchive or data[-2:] != b"\0\0"
            or data[end - 20:end - 16] == _ZIP64_LOCATOR):
        return None  # an archive comment, zip64, or too short to be a workbook
    size, offset = _END.unpack_from(data, end)[5:7]
    if offset + size != end:
        return None  # bytes before the archive: zipfile shifts every offset
    members, at = [], offset
    while at < end:
        if at + _CENTRAL.size > end:
            return None
        entry = _CENTRAL.unpack_from(data, at)
        name_length, extra_length, comment_length = entry[12:15]
        name_at, at = at + _CENTRAL.size, at + _CENTRAL.size + name_length + extra_length + comment_length
        if entry[0] != zipfile.stringCentralDir or extra_length or entry[3] > zipfile.MAX_EXTRACT_VERSION or at > end:
            return None
        try:
            name = _name(data[name_at:name_at + name_length], entry[5])
        except UnicodeDecodeError:
            return None
        if "\x00" in name or os.sep != "/" and os.sep in name:
            return None  # zipfile cuts the name, or turns its separators
        members.append(_Member(name, entry[11], entry[10], entry[6], entry[5], entry[9], entry[18]))
    return members


def _name(raw: bytes, flags: int) -> str:
    """A member's name as zipfile decodes it: UTF-8 when flagged, else cp437, which is ASCII below 0x80
    (and Python's cp437 codec a Python call per name)."""
    if flags & 0x800:
        return raw.decode("utf-8")
    return raw.decode("ascii") if raw.isascii() else raw.decode("cp437")


def _inspect(infos: list, data: bytes, settings: Settings, zf: zipfile.ZipFile | None) -> dict:
    unzipped = sum(i.file_size for i in infos)
    if unzipped > settings.max_unzipped_mb * 2**20:
        raise Unreadable("zip-bomb", f"{unzipped / 2**20:.0f} MB")
    # Writers differ in case and slashes (`xl\worksheets\Sheet1.xml`); calamine copes, so must we.
    names = [_part_name(i.filename) for i in infos]
    parts = dict(zip(names, infos))
    if "[content_types].xml" not in parts and "mimetype" not in parts:
        raise Unreadable("corrupt", "[Content_Types].xml missing")
    if "encryptedpackage" in parts:
        raise Unreadable("encrypted")
    found = {}
    try:
        for name, info in zip(names, infos):  # every member, duplicate names included
            if not name.endswith((".xml", ".rels")):
                continue
            sheet, stored = name.startswith("xl/worksheets/"), _stored(info, data)
            seen = None if sheet or stored is None else (stored, info.compress_type, info.file_size, info.CRC)
            if seen in _CLEAN:
                continue  # the same stored bytes inflate to the same part, found clean before
            body = _xml_bytes(_member(zf, info, data, stored))  # size-bounded by the zip-bomb check above
            if _DTD.search(body):  # anywhere, not only in the prolog: no parser gets to see it
                raise Unreadable("xml-entities", info.filename)
            if seen is not None and len(stored) <= CLEAN_BYTES:
                _remember_clean(seen)
            if sheet:
                rows, cols = _extent(body)
                if rows * cols > MAX_CELLS:
                    raise Unreadable("too-many-cells", f"{info.filename}: {rows}×{cols}")
                if b't="e"' in body:
                    found[name] = body
        if not found:
            return {}
        if zf is None:
            raise _ZipfileNeeded
        return _error_cells_by_sheet(zf, parts, found)
    # ValueError: a member whose header offset points before the file (`negative seek value`)
    # RuntimeError: a member flagged as encrypted ("password required for extraction")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, NotImplementedError, ValueError,
            RuntimeError) as e:
        raise Unreadable("corrupt", str(e)[:200]) from None


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the lengths of the name and of the extra field


def _stored(info, data: bytes) -> bytes | None:
    """A plain member's bytes as stored (deflated or stored, not encrypted, its local header where the
    directory says), or None: zipfile then reads it."""
    start = info.header_offset
    if (info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 0x1
            or not 0 <= start <= len(data) - _LOCAL_HEADER.size):
        return None
    signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    if signature != ZIP_MAGIC:
        return None
    begin = start + 30 + name_length + extra_length
    return data[begin:begin + info.compress_size]


def _member(zf: zipfile.ZipFile | None, info, data: bytes, stored: bytes | None) -> bytes:
    """A member's bytes. The plain member (``stored``: `_stored`) is inflated here straight from the
    archive, bounded by its declared size and checked against its CRC: zipfile's machinery per
    member cost three times calamine's whole parse. Any other member, or one whose size or CRC
    does not match, goes through zipfile, which judges (and names) what is wrong as before."""
    if stored is None:
        return _through_zipfile(zf, info)
    body = stored if info.compress_type == zipfile.ZIP_STORED else \
        zlib.decompressobj(-15).decompress(stored, info.file_size + 1)
    if len(body) != info.file_size or zlib.crc32(body) != info.CRC:
        return _through_zipfile(zf, info)
    return body


# Parts found clean (no DOCTYPE, no entity) by their stored bytes, declared size and CRC: a theme,
# the styles, the relationships recur byte for byte in every report of a template, and inflating
# them was half the sniff. Bytes that match inflate to the same part (inflating is deterministic),
# so the verdict is the one the check would give again; worksheets are always inflated (their
# extent and error cells are read). Bounded: small parts only, and forgotten when full.
_CLEAN: dict[tuple, None] = {}
CLEAN_BYTES = 64 * 1024  # a part stored in more is not remembered
CLEAN_PARTS = 256


def _remember_clean(seen: tuple) -> None:
    if len(_CLEAN) >= CLEAN_PARTS:
        _CLEAN.clear()
    _CLEAN[seen] = None


def _through_zipfile(zf: zipfile.ZipFile | None, info) -> bytes:
    if zf is None:
        raise _ZipfileNeeded
    return zf.read(info)


# A cell with content: `<c r="B7" …>…</c>`; a self-closing `<c r="B7" s="3"/>` only carries a style.
# Possessive where nothing could be given back (a prefix never holds ':', the tag ends at its first '>').
_CELL_AT = re.compile(rb'<(?:\w++:)?c\b[^>]*?\br="([A-Za-z]+)(\d+)"[^>]*+(?<!/)>')
_ROW_AT = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')


def _extent(body: bytes) -> tuple[int, int]:
    """Rows × columns between a sheet's first and last cell. calamine holds a sheet as one
    dense block, so a single cell at XFD1048576 asks for hundreds of GB, and the process
    aborts before the reader could refuse it: the sheet's XML is measured first."""
    cells = _CELL_AT.findall(body)
    if not cells:  # cells without addresses: their rows say where they are
        rows = [int(r) for r in _ROW_AT.findall(body)]
        return (max(rows) - min(rows) + 1, 1) if rows else (0, 0)
    rows = [int(row) for row in {row for _, row in cells}]  # each distinct address once: cells share them
    cols = [col_index(letters.upper().decode()) for letters in {letters for letters, _ in cells}]
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


def _part_name(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def _xml_bytes(body: bytes) -> bytes:
    """UTF-16 parts as UTF-8, so that byte patterns find their markup."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", errors="replace").encode()
    return body


def _error_cells_by_sheet(zf: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], found: dict[str, bytes]) -> dict:
    rels = {}
    for attrs in _REL.findall(zf.read(parts["xl/_rels/workbook.xml.rels"])):
        a = dict(_ATTR.findall(attrs))
        rels[a.get(b"Id")] = a.get(b"Target", b"")
    out = {}
    for attrs in _SHEET.findall(zf.read(parts["xl/workbook.xml"])):
        a = {k.split(b":")[-1]: v for k, v in _ATTR.findall(attrs)}  # r:id, or another prefix
        name, rid = a.get(b"name", b""), a.get(b"id")
        target = _part_name(html.unescape(rels.get(rid, b"").decode()))
        part = target if target.startswith("xl/") else "xl/" + target
        if part in found:
            cells = {}
            for attrs, value in _ERROR_CELL.findall(found[part]):
                if ref := _REF.search(attrs):
                    cells[(int(ref[2]) - 1, col_index(ref[1].decode()))] = html.unescape(value.decode())
            out[html.unescape(name.decode())] = cells
    return out


def col_index(letters: str) -> int:
    """`A` → 0, `AA` → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
