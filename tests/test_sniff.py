"""The checks before calamine (xlpy/io/sniff.py): the archive's directory read straight from the
bytes must list exactly what zipfile lists, and every verdict must be the one zipfile's path gives.
The hostile files themselves are judged in test_hostile.py, the shared corpus in test_corpus.py."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import shared_or_skip
from openpyxl import Workbook

from xlpy.contract.config import Settings
from xlpy.core.report import Unreadable
from xlpy.io import sniff

REGRESSIONS = Path(__file__).parent / "regressions"


def _listed(data: bytes) -> list[tuple]:
    return [(i.filename, i.file_size, i.compress_size, i.compress_type, i.flag_bits, i.CRC, i.header_offset)
            for i in zipfile.ZipFile(io.BytesIO(data)).infolist()]


def _verdict(data: bytes) -> object:
    try:
        return sniff.inspect_zip(data, Settings(max_unzipped_mb=1))
    except Unreadable as e:
        return e.code, e.detail


def _both_ways(data: bytes, monkeypatch) -> tuple:
    """The verdict with the directory read here where it can be, and through zipfile only."""
    fast = _verdict(data)
    with monkeypatch.context() as m:
        m.setattr(sniff, "plain_directory", lambda data: None)
        slow = _verdict(data)
    return fast, slow


@pytest.fixture
def workbook_bytes(tmp_path) -> bytes:
    wb = Workbook()
    wb.active.append(["合同编号", "客户", "金额"])
    wb.active.append(["C-1", "张三", 1234.5])
    wb.save(tmp_path / "r.xlsx")
    return (tmp_path / "r.xlsx").read_bytes()


def _zip(members: dict[str, bytes], **options) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, **options) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def test_a_plain_workbook_is_listed_as_zipfile_lists_it(workbook_bytes):
    assert [tuple(m) for m in sniff.plain_directory(workbook_bytes)] == _listed(workbook_bytes)


def test_unusual_archives_are_left_to_zipfile(workbook_bytes):
    """A comment, bytes before the archive, extra fields, a name zipfile cuts short: zipfile lists them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.comment = b"hello"
        zf.writestr("[Content_Types].xml", b"<x/>")
    with_comment = out.getvalue()
    prefixed = b"MZ" + b"\0" * 100 + workbook_bytes
    with_extra = io.BytesIO()
    with zipfile.ZipFile(with_extra, "w") as zf:
        info = zipfile.ZipInfo("[Content_Types].xml")
        info.extra = struct.pack("<HH4s", 0xCAFE, 4, b"abcd")
        zf.writestr(info, b"<x/>")
    nul_name = _zip({"[Content_Types].xml_.exe": b"<x/>", "xl/workbook.xml": b"<w/>"}).replace(b"_.exe", b"\0.exe")
    assert _listed(nul_name)[0][0] == "[Content_Types].xml"  # zipfile cuts the name at the NUL
    for data in (with_comment, prefixed, with_extra.getvalue(), nul_name, workbook_bytes[:-1], b"PK\x03\x04"):
        assert sniff.plain_directory(data) is None
    utf8_names = _zip({"[Content_Types].xml": b"<x/>", "图表/表.xml": b"<w/>"})
    assert [tuple(m) for m in sniff.plain_directory(utf8_names)] == _listed(utf8_names)


def _hostile_variants(good: bytes) -> list[bytes]:
    """Files built to fail each check, and to pass some through zipfile only."""
    members = {i.filename: zipfile.ZipFile(io.BytesIO(good)).read(i) for i in zipfile.ZipFile(io.BytesIO(good)).infolist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/"))
    entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    error_cell = members[sheet].replace(b"<v>1234.5</v>", b"<v>#DIV/0!</v>").replace(b'<c r="C2"', b'<c r="C2" t="e"')
    far = members[sheet].replace(b'r="C2"', b'r="XFD1048576"')
    out = [good,
           _zip({**members, "xl/sharedStrings.xml": entity}),
           _zip({**members, "docProps/custom.xml": entity.replace(b"DOCTYPE", b"doctype")}),
           _zip({**members, sheet: error_cell}),
           _zip({**members, sheet: far}),
           _zip({n: b for n, b in members.items() if n != "[Content_Types].xml"}),
           _zip({**members, "EncryptedPackage": b""}),
           _zip({**members, sheet.replace("/", "\\"): members[sheet]}),
           _zip({**members, sheet: "\ufeff".encode("utf-16") + members[sheet].decode().encode("utf-16-le")})]
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    out.append(stored.getvalue())
    bz = io.BytesIO()
    with zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as zf:  # not inflated here: through zipfile
        for name, body in members.items():
            zf.writestr(name, body)
    out.append(bz.getvalue())
    crc = bytearray(good)  # a member's CRC in the directory that does not match its bytes
    at = good.rfind(b"PK\x01\x02")
    crc[at + 16] ^= 0xFF
    out.append(bytes(crc))
    size = bytearray(good)  # a declared size that does not match: zipfile names the fault
    size[at + 24] ^= 0x01
    out.append(bytes(size))
    bomb = _zip({**members, "xl/media/big.xml": b"<a>" + b" " * 2**20 + b"</a>"})
    out.append(bomb)
    return out


def test_every_verdict_is_zipfiles(workbook_bytes, monkeypatch):
    variants = _hostile_variants(workbook_bytes)
    verdicts = [_both_ways(data, monkeypatch) for data in variants]
    for fast, slow in verdicts:
        assert fast == slow
    codes = [v[0][0] if isinstance(v[0], tuple) else "ok" for v in verdicts]
    assert {"ok", "xml-entities", "too-many-cells", "corrupt", "encrypted", "zip-bomb"} <= set(codes)
    assert {(1, 2): "#DIV/0!"} in [v[0].get("Sheet") for v in verdicts if isinstance(v[0], dict)]


@pytest.mark.parametrize("files", [lambda: REGRESSIONS.glob("*.xls*"),
                                   lambda: shared_or_skip().rglob("*.xls[xm]")], ids=["regressions", "corpus"])
def test_hostile_files_judged_as_through_zipfile(files, monkeypatch):
    for path in sorted(files()):
        data = path.read_bytes()
        if data.startswith(sniff.ZIP_MAGIC):
            fast, slow = _both_ways(data, monkeypatch)
            assert fast == slow, path.name


def test_cells_found_as_by_the_plain_pattern():
    """`_CELL_AT` is possessive where nothing could be given back: it finds what the plain one found."""
    import re
    plain = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]+)(\d+)"[^>]*?(?<!/)>')
    sheet = (b'<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><c r="B1" s="3"/><c s="1" r="C1"><v>1</v></c>'
             b'<c r="1" x="y" r="D1"><v>2</v></c><c r="E1" a="/"/><c r="F1" a="/"><v/></c><cc r="G1">'
             b'<c\tr="xfd1048576"><v>3</v></c><c r="H1"t="n"><v>4</v></c><c r="I1"/ ><c/><c>')
    assert sniff._CELL_AT.findall(sheet) == plain.findall(sheet)
    assert sniff._extent(sheet) == (1048576, 16384)


def test_parts_found_clean_are_remembered_by_their_stored_bytes(workbook_bytes, monkeypatch):
    """A part whose stored bytes, declared size and CRC were found clean is not inflated again; every
    verdict is the one an empty memory gives, whatever was read before (the hostile variants reuse
    the good file's parts, and change a part's declared CRC or size under the same bytes)."""
    variants = _hostile_variants(workbook_bytes)
    cold = []
    for data in variants:
        sniff._CLEAN.clear()
        cold.append(_verdict(data))
    sniff._CLEAN.clear()
    assert [_verdict(data) for data in variants + variants[::-1]] == cold + cold[::-1]
    member, inflated = sniff._member, []
    monkeypatch.setattr(sniff, "_member", lambda zf, info, *rest: inflated.append(info.filename) or member(zf, info, *rest))
    _verdict(workbook_bytes)
    assert inflated == ["xl/worksheets/sheet1.xml"]  # a worksheet's extent and error cells are always read
    monkeypatch.setattr(sniff, "CLEAN_PARTS", 2)  # bounded: forgotten when full
    sniff._CLEAN.clear()
    _verdict(workbook_bytes)
    assert 0 < len(sniff._CLEAN) <= 2
