"""Shared fixtures: a tiny reference workbook, a clean daily report to spoil, and writers.

The clean report (``make_report()`` with no arguments) validates with no errors and no
warnings against ``ctx``; each test changes one thing and expects one issue.
"""
from __future__ import annotations

import copy
import datetime as dt
import itertools
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from xlpy.app import consolidate, validate
from xlpy.app.demo import build_demo
from xlpy.app.office import init_office
from xlpy.contract import config, schema
from xlpy.core.rules import Context
from xlpy.io import reader
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report



def _shared() -> Path:
    """The shared folder beside the repository (its ``corpora/xlsx`` holds the public corpus):
    $XLPY_SHARED, else the nearest ``shared`` folder with a corpus up from this file, found from
    a worktree nested at any depth as from the main checkout."""
    if os.environ.get("XLPY_SHARED"):
        return Path(os.environ["XLPY_SHARED"])
    here = Path(__file__).resolve()
    found = (p / "shared" for p in here.parents if (p / "shared" / "corpora" / "xlsx").is_dir())
    return next(found, here.parents[2] / "shared")


SHARED = _shared()
CORPUS = SHARED / "corpora" / "xlsx"

TODAY = dt.date(2026, 11, 27)
REPORT_DATE = dt.date(2026, 11, 26)
HEADER_ROW = 5  # where report_file.write_report puts the header

REPS = [  # name, region, active
    ("张伟", "华东", "是"),
    ("李娜", "华北", "是"),
    ("王芳", "华东", "否"),
]
PRODUCTS = [  # product, category, list price, floor price, opening stock
    ("A型", "住宅", 5000, 4500, 20),
    ("B型", "住宅", 8000, 7000, 10),
]
TITLE = {"report_date": REPORT_DATE, "rep": "张伟", "region": "华东", "visits": 5, "calls": 3}
CLEAN_ROWS = [
    {"customer": "客户甲", "phone": "13800138000", "product": "A型", "deal_type": "意向"},
    {"date": REPORT_DATE, "customer": "客户乙", "product": "A型", "deal_type": "认购",
     "qty": 1, "unit_price": 5000, "amount": 5000, "received": 1000},
    {"customer": "客户丙", "product": "B型", "deal_type": "签约", "qty": 2, "unit_price": 8000,
     "amount": 16000, "received": 5000, "contract_no": "HT-001", "due_date": dt.date(2026, 12, 31)},
    {"customer": "客户丁", "deal_type": "回款", "received": 3000, "contract_no": "HT-000"},
    {"customer": "客户戊", "product": "B型", "deal_type": "退订", "qty": 1, "amount": 8000,
     "contract_no": "HT-000", "note": "客户改买 A 型"},
]


@pytest.fixture(scope="session")
def reference_path(tmp_path_factory) -> Path:
    wb = Workbook()
    reps = wb.active
    reps.title = "销售代表"
    reps.append(["姓名", "区域", "在职", "入职日期", "邮箱"])
    for name, region, active in REPS:
        reps.append([name, region, active, dt.date(2024, 3, 1), None])
    products = wb.create_sheet("产品价目")
    products.append(["产品", "类别", "标准价", "最低价", "期初库存"])
    for row in PRODUCTS:
        products.append(list(row))
    path = tmp_path_factory.mktemp("reference") / "基础资料.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="session")
def reference(reference_path):
    return read_reference(reference_path)


@pytest.fixture
def new_office(tmp_path) -> Path:
    """An office as `xlpy init` makes it on REPORT_DATE, with its example reference workbook."""
    return init_office(tmp_path / "office", today=REPORT_DATE)


@pytest.fixture
def new_reference(new_office):
    """The reference data of ``new_office``."""
    return read_reference(new_office / "reference.xlsx")


@pytest.fixture
def ctx(reference) -> Context:
    return Context(reference=reference, today=TODAY)


@pytest.fixture
def clean_rows() -> list[dict]:
    """A fresh copy of the clean rows, free to spoil."""
    return copy.deepcopy(CLEAN_ROWS)


_names = itertools.count()


@pytest.fixture
def make_report(tmp_path):
    """make_report(rows=None, title=None, name=None, **write_report options) → path.
    Rows and title default to the clean ones; ``title`` entries override the clean title
    (a None value leaves that field blank)."""
    def make(rows=None, title=None, name=None, **options) -> Path:
        path = tmp_path / (name or f"report{next(_names)}.xlsx")
        return write_report(path, {**TITLE, **(title or {})}, CLEAN_ROWS if rows is None else rows, **options)
    return make


@pytest.fixture
def make_grid(tmp_path):
    """make_grid(rows, name=None, merges=(), sheet="Sheet1") → path: a workbook holding
    exactly these cells from A1 (None leaves a cell empty), for layouts write_report does not make."""
    def make(rows, name=None, merges=(), sheet="Sheet1") -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = sheet
        for r, cells in enumerate(rows, start=1):
            for c, value in enumerate(cells, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for merge in merges:
            ws.merge_cells(merge)
        path = tmp_path / (name or f"grid{next(_names)}.xlsx")
        wb.save(path)
        return path
    return make


@pytest.fixture
def check(ctx):
    """check(*paths, ctx=None) → the FileResults of one batch."""
    def run(*paths, ctx=ctx):
        return validate.validate_files(list(paths), ctx)
    return run


def at(key: str, index: int, columns: tuple[str, ...] | None = None) -> str:
    """The cell of ``key`` in data row ``index`` (0-based) of a write_report file."""
    columns = columns or tuple(c.key for c in schema.COLUMNS)
    return reader.address(columns.index(key), HEADER_ROW + 1 + index)


def loud(issues) -> list:
    """Errors and warnings (notices are allowed in a clean report)."""
    return [i for i in issues if i.severity in ("error", "warning")]


def shared_or_skip(*parts) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(autouse=True, scope="session")
def _private_read_cache(tmp_path_factory):
    """The masters' read cache in a folder of this run, not the user's ~/.cache."""
    os.environ["XLPY_CACHE"] = str(tmp_path_factory.mktemp("xlpy-cache"))


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A read cache of this test's own, to look into (the files kept beside the masters)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XLPY_CACHE", str(folder))
    return folder


@pytest.fixture(autouse=True)
def user_log_dir(tmp_path, monkeypatch) -> Path:
    """Failures of buttons and functions with no office are logged here, not in the real home."""
    folder = tmp_path / "user-logs"
    monkeypatch.setenv("XLPY_LOG_DIR", str(folder))
    return folder


# ---------------------------------------------------------------- the demo office, built once per run


@pytest.fixture(scope="session")
def demo_office(tmp_path_factory):
    """demo_office(day=TODAY, **build_demo options) → the demo office (`app.demo.DemoOffice`) of
    that day, built once per test run for each distinct set of arguments. Never change it: copy
    its folder first (`demo_copy`)."""
    built = {}

    def get(day: dt.date = TODAY, **options):
        key = (day, tuple(sorted(options.items())))
        if key not in built:
            built[key] = build_demo(tmp_path_factory.mktemp("demo") / "office", today=day, **options)
        return built[key]
    return get


@pytest.fixture(scope="session")
def demo_built(demo_office):
    """The demo office of TODAY, built once per test run; copy its folder before changing it."""
    return demo_office()


@pytest.fixture(scope="session")
def demo_consolidated(demo_built, tmp_path_factory) -> Path:
    """The demo office consolidated as of TODAY, once per test run; copy it before changing it."""
    office = Path(shutil.copytree(demo_built.dir, tmp_path_factory.mktemp("consolidated") / "office"))
    consolidate.run_consolidation(config.load(office), today=TODAY)
    return office


def demo_copy(source: Path, folder: Path) -> Path:
    """A copy of a shared demo office to change."""
    return Path(shutil.copytree(source, folder / "office"))


@pytest.fixture
def consolidated_office(demo_consolidated, tmp_path) -> Path:
    """A test's own copy of the demo office consolidated as of TODAY."""
    return demo_copy(demo_consolidated, tmp_path)
