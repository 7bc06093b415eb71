"""The package in layers: each imports only the layers below it, and nothing imports back."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "xlpy"
LAYERS = ("contract", "core", "io", "app", "excel", "cli")  # bottom to top
MAX_LINES = 600


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "xlpy" and parts[1] in LAYERS else None


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) > 1:
            yield rel.parts[0], path


def test_every_module_sits_in_a_layer():
    loose = {p.name for p in PACKAGE.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert loose == set()


def test_arrows_point_down():
    upward = []
    for layer, path in _modules():
        for module in _imports(path):
            target = _layer(module)
            if target and LAYERS.index(target) > LAYERS.index(layer):
                upward.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert upward == []


def test_no_module_is_too_long_to_read():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_module_cycle():
    graph = {}
    for _, path in _modules():
        name = "xlpy." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        graph[name.removesuffix(".__init__")] = {m for m in _imports(path) if m.startswith("xlpy.")}
    seen, stack = set(), []

    def visit(node):
        if node in stack:
            raise AssertionError(" → ".join([*stack[stack.index(node):], node]))
        if node in seen or node not in graph:
            return
        stack.append(node)
        for nxt in graph[node]:
            visit(nxt)
        stack.pop()
        seen.add(node)

    for node in graph:
        visit(node)


# ---------------------------------------------------------------- tests mirror the modules

TESTS = Path(__file__).resolve().parent

# Modules with logic whose tests sit in the test module of the whole they are part of, not in a
# test_<module>.py of their own; each entry says which and why. Keep this short: a module that
# grows logic of its own gets its own test module (and leaves this list).
TESTED_WITH = {
    "app/demo_data.py": "test_demo.py",  # the demo's names and prices: the office built from them
    "app/demo_run.py": "test_demo.py",  # `xlpy demo`, run as a user runs it
    "app/mail_html.py": "test_briefing.py",  # the work-log mail's HTML, judged as the mail it is part of
    "app/history.py": "test_month_figures.py",  # 总表 from the months' figures in the read cache
    "app/unit_demo.py": "test_units.py",  # the units' demo, one of the units' scenarios
    "cli/doc.py": "test_docs.py",  # docs/cli.md compared with what it generates
    "cli/excel.py": "test_doctor.py",  # the Excel commands: doctor, build-workbook, the button twins
    "cli/failures.py": "test_cli.py",  # the command line is tested through main(argv), as a whole:
    "cli/options.py": "test_cli.py",  #   its parser, options, words, output and failures
    "cli/output.py": "test_cli.py",
    "cli/parser.py": "test_cli.py",
    "cli/words.py": "test_cli.py",
    "cli/main.py": "test_cli.py",
    "contract/messages.py": "test_catalogue.py",  # the catalogues and their lookup
    "contract/statistics.py": "test_stats.py",  # every declared statistic has its function
    "excel/book.py": "test_live_excel.py",  # FileBook against XwBook on the same workbooks
    "excel/build.py": "test_workbook_build.py",
    "excel/vba.py": "test_workbook_build.py",
    "excel/day_index.py": "test_udfs.py",  # XLPY_SALES' indexes: equal to group stats for every group and metric
    "excel/recalc.py": "test_udfs.py",  # the record the UDFs read: once per recalculation, again after a change  # the VBA of the built workbook, read back
    "io/charts.py": "test_briefing.py",  # the work log's charts, read back from the files
    "io/pricelist.py": "test_units.py",  # the units' price list
    "io/samples.py": "test_superstore.py",  # the Superstore sample office
    "io/unit_board.py": "test_units.py",  # the units' board in 总表
    "io/worklog_sheet.py": "test_briefing.py",  # the work-log sheet, printed and read back
}


def _has_logic(path: Path) -> bool:
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


def test_every_module_with_logic_has_its_test_module():
    """tests/test_<module>.py for each module that has a function (modules of the same name in
    two layers share one), or an entry of TESTED_WITH naming where its tests are."""
    logic = {str(p.relative_to(PACKAGE).as_posix()): p.stem for _, p in _modules()
             if p.stem != "__init__" and _has_logic(p)}
    untested = sorted(m for m, stem in logic.items() if not (TESTS / f"test_{stem}.py").is_file() and m not in TESTED_WITH)
    assert untested == []
    stale = {m: t for m, t in TESTED_WITH.items()
             if m not in logic or (TESTS / f"test_{logic[m]}.py").is_file() or not (TESTS / t).is_file()}
    assert stale == {}  # gone, mirrored by now, or pointing to no test module
