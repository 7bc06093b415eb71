"""The message catalogues (xlpy/contract/locale): one per language, the same keys and placeholders
in both, every key the code asks for present, none left over, the committed .mo compiled from the
.po, no Chinese text left in English, and argparse's own words in Chinese."""
from __future__ import annotations

import argparse
import ast
import gettext
import io
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from xlpy import cli
from xlpy.contract import messages, statistics
from xlpy.contract.messages import FOLDERS, LOCALE, keys, say
from xlpy.contract.rules import RULES
from xlpy.core import ledger, worklog

PACKAGE = Path(messages.__file__).parents[1]
# A Chinese text that is ASCII only on purpose (a path is a path in every language).
ASCII_ZH = {"doctor.dll-ok"}
# Literals that look like keys and are not (a file name).
NOT_KEYS = {"page.png"}
# Classes and functions whose first argument is a message code, and the namespace of that code.
CODE_TAKERS = {"Msg": "msg", "say": "msg", "has": "msg", "both": "msg", "texts": "msg", "ConfigError": "msg", "MasterError": "msg",
               "BadReference": "msg", "Unreadable": "msg", "Refusal": "cli", "Plain": "button", "Bad": "udf"}


def po(lang: str):
    with (LOCALE / FOLDERS[lang] / "LC_MESSAGES" / "xlpy.po").open("rb") as f:
        return read_po(f)


def entries(lang: str) -> dict:
    return {m.id: m for m in po(lang) if m.id}


def flagged(lang: str) -> dict[str, set[str]]:
    """Each key's flags as written (Babel's reader drops a python-brace-format its msgid lacks)."""
    text = (LOCALE / FOLDERS[lang] / "LC_MESSAGES" / "xlpy.po").read_text(encoding="utf-8")
    return {unescaped(key): set(flags.split(", ")) for flags, key in re.findall(r'^#, (.*)\nmsgid "(.*)"$', text, re.M)}


def unescaped(text: str) -> str:
    return text.encode().decode("unicode_escape")


def placeholders(message) -> set[str]:
    if "%" in message.id:  # argparse's own texts
        return set(re.findall(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[srdifx%]", message.string))
    fields = {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(message.string)
              if name is not None}
    return fields


def sources() -> dict[str, ast.Module]:
    return {p.relative_to(PACKAGE.parent).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(PACKAGE.rglob("*.py"))}


def literals() -> set[str]:
    return {n.value for tree in sources().values() for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def voices(tree: ast.Module) -> dict[str, str]:
    """The module's ``name = voice("namespace")``."""
    return {n.targets[0].id: n.value.args[0].value for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
            and getattr(n.value.func, "id", None) == "voice" and isinstance(n.targets[0], ast.Name)}


def asked() -> tuple[set[str], list[str]]:
    """Every key a call in the code names with a literal, and the f-strings that compute one."""
    trees = sources()
    bound = {Path(name).stem: voices(tree) for name, tree in trees.items()}
    found, computed = set(), []
    for name, tree in trees.items():
        own = bound[Path(name).stem]
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args):
            func = call.func
            if isinstance(func, ast.Name):
                namespace = own.get(func.id) or CODE_TAKERS.get(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                namespace = bound.get(func.value.id, {}).get(func.attr) or CODE_TAKERS.get(func.attr)
            else:
                namespace = None
            first = call.args[0]
            if namespace is None:
                continue
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                code = first.value
                found.add(code if "." in code and namespace == "msg" else f"{namespace}.{code}")
            elif isinstance(first, ast.JoinedStr):
                computed.append(f"{namespace}:{ast.unparse(first)}")
    return found, computed


# ---------------------------------------------------------------- the two catalogues agree


def test_both_catalogues_hold_the_same_keys_with_the_same_placeholders():
    zh, en = entries("zh"), entries("en")
    assert set(zh) == set(en)
    flags = {lang: flagged(lang) for lang in FOLDERS}
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key
        wanted = ("python-format" if "%" in key else "python-brace-format") if placeholders(en[key]) else None
        assert {f for f in flags["zh"].get(key, ()) if "format" in f} == {wanted} - {None}, key
        assert flags["zh"].get(key) == flags["en"].get(key), key
        assert zh[key].string and en[key].string, key


def test_no_chinese_text_is_left_in_english():
    zh = entries("zh")
    untranslated = {k for k, m in zh.items() if m.string.isascii()} - ASCII_ZH
    assert not untranslated
    assert all(not re.search(r"[\u4e00-\u9fff]", entries("en")[k].string) or "房" in k or k in zh for k in zh)


def test_the_committed_mo_is_what_babel_compiles_from_the_po():
    """Forgetting `pybabel compile -d xlpy/contract/locale -D xlpy` after editing a .po fails here."""
    for lang, folder in FOLDERS.items():
        compiled = io.BytesIO()
        write_mo(compiled, po(lang))
        assert (LOCALE / folder / "LC_MESSAGES" / "xlpy.mo").read_bytes() == compiled.getvalue(), folder


# ---------------------------------------------------------------- the code and the catalogue


def test_every_key_the_code_asks_for_exists():
    found, _ = asked()
    assert len(found) > 150  # the scan sees the calls
    present = keys()
    missing = {k for k in found if k not in present and f"{k}.0" not in present}
    assert not missing
    # keys written out in full anywhere (help.stats.by, button.inbox-headings, …)
    namespaces = {k.split(".")[0] for k in present if "." in k}
    spelled = {s for s in literals() - NOT_KEYS
               if re.fullmatch(r"[a-z]+\.[a-z0-9.-]*[a-z0-9]", s) and s.split(".")[0] in namespaces}
    assert not {k for k in spelled if k not in present and f"{k}.0" not in present}


def test_every_computed_key_is_covered_by_what_it_is_computed_from():
    """A key made at run time is checked against every value it can be made from; a new computed key
    must be added here."""
    _, computed = asked()
    assert set(computed) == {
        "msg:f'rule.{self.rule}'", "msg:f'{namespace}.{code}'", "msg:f'{key_of(code)}.{len(found)}'",
        "board:f'{status}_amount'", "udf:f'unknown-{kind}'", "worklog:f'{s}-status'",
        "msg:f'column.{key}'", "msg:f'table.{key}'", "msg:f'sheet.{k}'", "msg:f'sheet.{sheet}'",
        "worklog:f'column-{key}'", "msg:f'column.{title}'", "msg:f'master.{frame}'",
    }, sorted(computed)
    for rule in RULES.values():
        assert say(f"rule.{rule.id}", "zh") and say(f"rule.{rule.id}", "en")
        assert say(f"sev-{rule.severity}", "en") == rule.severity
    for status in ("reserved", "signed"):  # io/unit_board.py: the amounts of both
        assert say(f"board.{status}_amount", "zh")
    for kind in ("rep", "region", "product"):  # excel/udfs.py name(): the kinds of name it spells
        assert say(f"udf.unknown-{kind}", "zh")
    for status in ("rejected", "unreadable", "partial", "remind", "waiting"):  # core/worklog.py: the rejected table
        assert say(f"worklog.{status}-status", "en")
    for key in worklog.COLUMN_LABELS:
        assert say(f"worklog.column-{key}", "en")
    assert all(t.zh and t.en and t.sheet in {zh for zh, _ in statistics.SHEETS} for t in statistics.TABLES)
    assert all(c.zh and c.en for c in statistics.COLUMNS.values())  # column.<key>, made at import
    assert all(f.zh and f.en for fields in ledger.SHEETS.values() for f in fields)  # core/ledger.py: column.<title>
    assert set(ledger.FRAME_OF_SHEET.values()) == set(ledger.FRAMES)  # master.<frame>: a name for every table
    for what in ("inbox", "reference", "office", "file", "annotate", "output"):  # cli/failures.py: Refusal(what=)
        assert say(f"cli.what-{what}", "zh")


def test_no_entry_is_left_over():
    """Every key's code is written somewhere in the code, or made by one of its f-strings."""
    words = literals()
    made = []  # f"{s}-status", "cstatus-" + status: the keys they can make
    for tree in sources().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                pieces = [p.value if isinstance(p, ast.Constant) else None for p in node.values]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant) \
                    and isinstance(node.left.value, str):
                pieces = [node.left.value, None]
            else:
                continue
            fixed = "".join(p for p in pieces if p)
            if len(re.sub(r"\W", "", fixed)) >= 3:
                made.append(re.compile("".join(re.escape(p) if p else r"[\w.-]+" for p in pieces)))
    argparse_words = {unescaped(w) for w in re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", Path(argparse.__file__).read_text())}
    orphans = []
    for key in keys():
        stem = re.sub(r"\.\d+$", "", key)
        code = stem.split(".", 1)[1] if "." in stem else stem
        used = ({stem, code} & words or any(p.fullmatch(stem) or p.fullmatch(code) for p in made)
                or key in argparse_words)
        if not used:
            orphans.append(key)
    assert not orphans


# ---------------------------------------------------------------- rules declared once


def test_a_record_rule_is_told_without_importing_the_code_that_checks_it():
    script = (
        "import sys\n"
        "from xlpy.contract import messages, rules\n"
        "rule = rules.RULES['same-rep-day']\n"
        "params = dict(rep='张伟', day='2026-11-26', other='a.xlsx')\n"
        "print(rule.severity)\n"
        "print(messages.say('rule.same-rep-day', 'zh', **params))\n"
        "print(messages.say('rule.same-rep-day', 'en', **params))\n"
        "assert not any(m.startswith(('xlpy.core', 'xlpy.io', 'xlpy.app')) for m in sys.modules), sorted(sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                          check=True)
    severity, zh, en = done.stdout.splitlines()
    assert severity == "warning"
    assert zh.startswith("张伟 2026-11-26 的日报已有 a.xlsx")
    assert en.startswith("a.xlsx is already 张伟's report of 2026-11-26")


# ---------------------------------------------------------------- argparse in the user's language


@pytest.mark.parametrize("argv, zh, en", [
    (["validate", "--bogus"], "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
    (["stats"], "缺少必需的参数：--by", "the following arguments are required: --by"),
    (["stats", "--by", "colour"], "参数 --by：无效的选择：'colour'", "argument --by: invalid choice: 'colour'"),
    (["nosuch"], "参数 COMMAND：无效的选择：'nosuch'", "argument COMMAND: invalid choice: 'nosuch'"),
])
def test_a_wrong_option_is_told_in_the_users_language(capsys, argv, zh, en):
    for lang, expected, usage, error in (("zh", zh, "用法：", "：错误："), ("en", en, "usage: ", ": error: ")):
        with pytest.raises(SystemExit) as stop:
            cli.main(["--lang", lang, *argv])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(usage) and error in err and expected in err, err
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext  # argparse's own again


def test_argparse_speaks_chinese_only_for_our_parser(capsys):
    with pytest.raises(SystemExit):
        cli.main(["stats", "--help"])
    assert capsys.readouterr().out.startswith("用法：")
    other = argparse.ArgumentParser(prog="other")
    assert other.format_usage().startswith("usage: ")
    with pytest.raises(SystemExit):
        other.parse_args(["--x"])
    assert "error: unrecognized arguments: --x" in capsys.readouterr().err


def test_no_module_holds_a_text_in_two_languages():
    """A (Chinese, English) pair in the code, or `"英文" if lang == "en" else "中文"`, is a text the
    catalogue lacks. Not texts to translate: the report's headers and aliases (contract/schema.py, the
    input contract), the sample reports as reps type them (io/samples.py), formulas (excel/build.py)."""
    def pair(a, b) -> bool:
        texts = [n.value for n in (a, b) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        return len(texts) == 2 and any(re.search(r"[\u4e00-\u9fff]", t) for t in texts) \
            and any(re.search(r"[A-Za-z]{2}", t) and not re.search(r"[\u4e00-\u9fff]", t) and not t.startswith("=")
                    for t in texts)
    found = []
    for name, tree in sources().items():
        if name.endswith(("contract/schema.py", "io/samples.py")):
            continue
        for n in ast.walk(tree):
            if isinstance(n, ast.Tuple) and len(n.elts) == 2 and pair(*n.elts) \
                    or isinstance(n, ast.IfExp) and pair(n.body, n.orelse):
                found.append(f"{name}:{n.lineno}")
    assert not found


# ---------------------------------------------------------------- no Chinese text in code

# Where a Chinese string literal belongs in code (module → its top-level names; "*": all of it). Every
# other text a person reads is in the catalogue. A new entry must say here why it is not a text to translate.
CHINESE_IN_CODE = {
    # the input contract: what reps and the assistant type, and what the reader matches
    "contract/schema.py": {"*"},  # the report's headers and their aliases, deal types, reference sheets
    "contract/config.py": {"DEFAULT_TOML"},  # xlpy.toml as written for the office; its values are parsed
    "core/units.py": {"_INITIAL", "_SEPARATORS", "_SPLIT"},  # a unit's status words and id as typed
    "core/values.py": {"_MULTIPLIERS", "_CURRENCY", "_YMD", "_MD"},  # numbers and dates as typed (万, 元, 年月日)
    "core/periods.py": {"FORMS", "_MONTH", "_QUARTER", "_YEAR", "_DAY", "parse"},  # periods as typed; FORMS lists them
    "core/worklog.py": {"BOOKKEEPING_NOTE"},  # a note that books a deposit (定金 …), as reps write it
    "io/reader.py": {"_NAME_DATE", "_NAME_MD", "_date_in_name"},  # the report's date in its file name
    "io/reference.py": {"EXAMPLE", "_period"},  # the example rows' marker; a target's period as typed
    "io/report_file.py": {"TITLE", "write_report", "_total_row"},  # the report form reps know: its title,
                                                                    # sheet and the 合计 row the reader skips
    "app/office.py": {"EXAMPLE", "EXAMPLES"},  # the marker the reader skips, and its example rows (data)
    # names of the office folder's files and folders, found again by name
    "app/lifecycle.py": {"ARCHIVE"},  # inbox/已处理
    "io/store.py": {"SUMMARY"},  # master/总表.xlsx
    "cli/main.py": {"cmd_pricelist"},  # 价格一览表.xlsx
    # sample data: names, products, notes and reports as reps type them
    "app/demo.py": {"*"}, "app/demo_data.py": {"*"}, "app/unit_demo.py": {"*"}, "io/samples.py": {"*"},
    "excel/build.py": {"EXAMPLES"},  # the example formulas name the demo's regions and reps
    # number formatting: 万 is how Chinese shortens a number, as English writes k
    "io/charts.py": {"compact"},
    # the docs (English, naming the Chinese words a user sees)
    "cli/doc.py": {"INTRO"},
}
HAN = re.compile(r"[\u4e00-\u9fff]")


def chinese_literals(trees: dict[str, ast.Module]) -> dict[tuple[str, str], list[int]]:
    """(module, top-level name) → the lines of its Chinese string literals, docstrings left out."""
    found: dict[tuple[str, str], list[int]] = {}
    for name, tree in trees.items():
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for statement in tree.body:
            targets = getattr(statement, "targets", [getattr(statement, "target", None)])
            held = next((n for n in (getattr(statement, "name", None), *(getattr(t, "id", None) for t in targets)) if n), "")
            lines = [n.lineno for n in ast.walk(statement) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                     and HAN.search(n.value) and id(n) not in docstrings]
            if lines:
                found.setdefault((name.removeprefix("xlpy/"), held), []).extend(lines)
    return found


def not_allowed(trees: dict[str, ast.Module]) -> list[str]:
    """``module:line name`` of every Chinese string literal that `CHINESE_IN_CODE` does not allow."""
    return [f"{module}:{line} {held}" for (module, held), lines in chinese_literals(trees).items() for line in lines
            if not {"*", held} & CHINESE_IN_CODE.get(module, set())]


def test_no_chinese_text_is_left_in_code():
    """A Chinese text in code is a text the catalogue lacks, unless `CHINESE_IN_CODE` says why not."""
    trees = sources()
    assert not not_allowed(trees)
    # the scan sees a text put back (a literal in a comment or a docstring is not code)
    planted = ast.parse('"""说明。"""\n# 注释\nCAPTION = "校验当前表"\n\ndef f():\n    """说明"""\n    return "刷新统计"\n'
                        'EXAMPLES = ("=XLPY_RANK(\\"张伟\\")",)\n')
    assert not_allowed({"xlpy/excel/build.py": planted}) == ["excel/build.py:3 CAPTION", "excel/build.py:7 f"]
    # and the allow-list names only what still holds Chinese
    held = chinese_literals(trees)
    assert not [(m, n) for m, names in CHINESE_IN_CODE.items() for n in names
                if not any(module == m and (n == "*" or name == n) for module, name in held)]
