"""Fuzzing the reader and the validator with mutated bytes of valid reports.

    python tests/soak/fuzz.py [--count 10000] [--engine hypothesis|atheris]

Every input must end as a status (ok, invalid, unreadable), with its messages rendered in
both languages, never as an exception. Exceptions are counted by the line of ours they
passed last, and the first input of each is kept in tests/regressions/ (named by its hash;
rename it for what it holds), where `tests/test_fuzz.py` replays it on every test run. The
figures are printed as JSON; exit status 1 when anything raised.

A mutation starts from one of a few valid reports and either changes the file's bytes
(mostly a broken zip), or one member of the zip, recompressed so that its checksum holds:
bytes flipped, inserted, deleted or cut, a cell value or an attribute replaced by a
hostile token (`1e309`, `&#xD800;`, `r="XFD1048576"`, `t="e"` …). The member mutations
reach calamine's XML parsing and our table logic.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import io
import json
import re
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpy.app import validate
from xlpy.app.office import init_office
from xlpy.contract import config
from xlpy.core.rules import Context
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report

REGRESSIONS = Path(__file__).resolve().parents[1] / "regressions"
STATUSES = {"ok", "invalid", "unreadable"}
BYTE_KINDS = ("flip", "insert", "delete", "overwrite", "cut")
KINDS = BYTE_KINDS + ("value", "attribute")
VALUES = ("1e309", "-1e309", "NaN", "inf", "99999999999999999999999", "-0", "", " ", "0x1A", "1,5", "４２",
          "2958466", "-1", "60", "1.7976931348623157e308", "&amp;", "&#0;", "&#xD800;", "&unknown;", "]]>",
          "<", "&#x1F600;", "_x0000_", "#DIV/0!", "2026-02-30", "9" * 400)
ATTRIBUTES = {b"r": ("XFD1048576", "A0", "A-1", "", "ZZZZZ1", "A99999999999", "1A"),
              b"t": ("s", "e", "b", "d", "str", "inlineStr", "n", "zzz"),
              b"s": ("99999", "-1", "x")}
_VALUE = re.compile(rb"(<(?:\w+:)?[vt](?:\s[^>]*)?>)([^<]*)(</)")
_ATTRIBUTE = re.compile(rb'\b([rts])="([^"]*)"')

# one mutation: (where in the data, 0..1; kind; payload)
OPS = st.lists(st.tuples(st.floats(0, 1), st.sampled_from(KINDS), st.binary(min_size=1, max_size=24)),
               min_size=1, max_size=6)
# (seed, member of the zip or None for the whole file, ops)
INPUTS = st.tuples(st.integers(0, 2), st.one_of(st.none(), st.integers(0, 40)), OPS)


# ---------------------------------------------------------------- the inputs


def seeds(folder: Path) -> list[bytes]:
    """Valid reports: the plain layout, one with a total row and text dates, one with columns reordered."""
    title = {"report_date": dt.date(2026, 11, 20), "rep": "张伟", "region": "华东", "visits": 4, "calls": 9}
    rows = [dict(customer="王先生", product="壁挂空调 KFR-26GW", deal_type="签约", qty=2, unit_price=2699,
                 amount=5398, received=1000, contract_no="HT-1", due_date=dt.date(2026, 12, 31)),
            dict(customer="李女士", phone="13800138000", product="新风系统 XF-250", deal_type="意向", note="下周回访"),
            dict(customer="王先生", deal_type="回款", received=500, contract_no="HT-1")]
    texts = [{**r, "date": "2026年11月20日", "amount": f"¥{r['amount']:,}" if "amount" in r else None} for r in rows]
    totals = texts + [dict(customer="合计", qty=2, amount=5398, received=1500)]
    out = []
    for name, data, columns in (("plain", rows, None), ("totals", totals, None),
                                ("reordered", rows, ("customer", "contract_no", "deal_type", "product", "qty",
                                                     "amount", "received", "date", "note"))):
        out.append(write_report(folder / f"{name}.xlsx", title, data, columns=columns).read_bytes())
    return out


def mutate(seed: bytes, member: int | None, ops: list[tuple[float, str, bytes]]) -> bytes:
    """The seed with ``ops`` applied to the whole file (member None) or to one member of its zip."""
    if member is None:
        return _apply(seed, [op for op in ops if op[1] in BYTE_KINDS])
    with zipfile.ZipFile(io.BytesIO(seed)) as zin:
        infos = zin.infolist()
        target = infos[member % len(infos)]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in infos:
                body = zin.read(info)
                zout.writestr(info.filename, _apply(body, ops) if info is target else body)
    return out.getvalue()


def _apply(data: bytes, ops) -> bytes:
    for where, kind, payload in ops:
        at = int(where * len(data))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (payload[0] or 1)]) + data[at + 1:]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + len(payload):]
        elif kind == "overwrite":
            data = data[:at] + payload + data[at + len(payload):]
        elif kind == "cut":
            data = data[:at]
        elif kind == "value":
            data = _nth(_VALUE, data, where, lambda m: m[1] + VALUES[payload[0] % len(VALUES)].encode() + m[3])
        elif kind == "attribute":
            data = _nth(_ATTRIBUTE, data, where,
                        lambda m: m[1] + b'="' + _choice(ATTRIBUTES[m[1]], payload).encode() + b'"')
    return data


def _nth(pattern: re.Pattern, data: bytes, where: float, replace) -> bytes:
    matches = list(pattern.finditer(data))
    if not matches:
        return data
    m = matches[min(int(where * len(matches)), len(matches) - 1)]
    return data[:m.start()] + replace(m) + data[m.end():]


def _choice(options, payload: bytes):
    return options[payload[0] % len(options)]


# ---------------------------------------------------------------- the property


class Target:
    """Reads and validates inputs against a real office's reference workbook, counting
    statuses. With ``keep_going`` an exception is counted by where it was raised and its
    first input kept, instead of raised (the soak then tries every input)."""

    def __init__(self, folder: Path, keep_going: bool = False):
        office = init_office(folder / "office", dt.date(2026, 11, 27))
        settings = config.Settings(office=office, read_timeout=10)
        self.ctx = Context(reference=read_reference(settings.path("reference"), settings), settings=settings,
                           today=dt.date(2026, 11, 27))
        self.path = folder / "input.xlsx"
        self.seeds = seeds(folder)
        self.statuses = collections.Counter()
        self.keep_going = keep_going
        self.raised: dict[str, Path] = {}  # where → the first input that raised there
        self.failed: bytes | None = None  # the last input that raised: hypothesis replays the smallest last

    def check(self, data: bytes) -> str:
        """The input's status, its messages rendered in both languages."""
        try:
            self.path.write_bytes(data)
            [result] = validate.validate_files([self.path], self.ctx)
            for lang in ("zh", "en"):
                validate.to_json([result], lang)
                validate.to_text([result], lang)
            if result.status not in STATUSES:
                raise AssertionError(f"status {result.status!r}")
        except BaseException as e:  # pyo3's PanicException is no Exception
            self.failed = data
            if not self.keep_going or isinstance(e, KeyboardInterrupt):
                raise
            where = _where(e)
            self.statuses["exception"] += 1
            if where not in self.raised:
                self.raised[where] = keep(data)
            return "exception"
        self.statuses[result.status] += 1
        return result.status

    def check_mutation(self, seed: int, member: int | None, ops) -> str:
        return self.check(mutate(self.seeds[seed], member, ops))


def _where(e: Exception) -> str:
    """The exception's type and the last line of ours it passed through."""
    frames = traceback.extract_tb(e.__traceback__)
    frame = next((f for f in reversed(frames) if "xlpy" in Path(f.filename).parts), frames[-1])
    return f"{type(e).__name__} at {Path(frame.filename).name}:{frame.lineno} ({frame.name})"


def keep(data: bytes) -> Path:
    REGRESSIONS.mkdir(exist_ok=True)
    path = REGRESSIONS / f"fuzz-{hashlib.sha256(data).hexdigest()[:16]}.xlsx"
    path.write_bytes(data)
    return path


def run_hypothesis(target: Target, count: int, seed: int) -> None:
    @settings(max_examples=count, deadline=None, database=None, derandomize=False, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(INPUTS)
    def fuzz(args):
        target.check_mutation(*args)
    import random
    random.seed(seed)
    fuzz()


def run_atheris(target: Target, count: int, done) -> None:
    import atheris

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        seed = fdp.ConsumeIntInRange(0, len(target.seeds) - 1)
        member = fdp.ConsumeIntInRange(-1, 40)
        ops = [(fdp.ConsumeProbability(), KINDS[fdp.ConsumeIntInRange(0, len(KINDS) - 1)],
                fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 24)) or b"\x01") for _ in range(fdp.ConsumeIntInRange(1, 6))]
        target.check_mutation(seed, None if member < 0 else member, ops)
        if sum(target.statuses.values()) == count:
            done()  # libFuzzer ends the process with C's exit(): no atexit
    atheris.instrument_all()  # our Python code guides libFuzzer; calamine (Rust) is not instrumented
    atheris.Setup([sys.argv[0], f"-runs={count}", "-print_final_stats=1"], one)
    atheris.Fuzz()  # exits the process when done: libFuzzer prints the figures (stat::number_of_executed_units)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=10_000, help="inputs to try (default 10,000)")
    p.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    target = Target(Path(tempfile.mkdtemp(prefix="xlpy-fuzz-")), keep_going=True)
    start = time.perf_counter()

    def figures() -> None:
        tried = sum(target.statuses.values())
        print(json.dumps({"engine": args.engine, "inputs": tried, "seconds": round(time.perf_counter() - start, 1),
                          "statuses": dict(target.statuses),
                          "raised": {where: str(path) for where, path in target.raised.items()}},
                         ensure_ascii=False, indent=1), flush=True)
    try:
        if args.engine == "atheris":
            run_atheris(target, args.count, figures)
        run_hypothesis(target, args.count, args.seed)
    except BaseException:
        if target.failed is not None:
            print(f"kept as {keep(target.failed)}", file=sys.stderr)
        raise
    figures()
    return 1 if target.raised else 0


if __name__ == "__main__":
    sys.exit(main())
