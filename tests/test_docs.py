"""The docs say what the code does: the command reference is current, and the README's
test command is what CI runs."""
from pathlib import Path

from xlpy.cli.doc import reference

ROOT = Path(__file__).resolve().parents[1]


def test_command_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference(), \
        "regenerate it: python -m xlpy.cli.doc > docs/cli.md"


def test_ci_runs_the_readme_test_command():
    command = "pip install -r requirements-dev.txt -e . && python -m pytest"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in readme and command in ci


def test_every_doc_the_readme_links_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in ("docs/cli.md", "docs/design.md", "docs/reliability.md", "docs/statistics.md",
                 "docs/input-contract.md", "docs/excel.md", "docs/nightly.md", "docs/benchmarks.md"):
        assert link in readme and (ROOT / link).exists(), link


def test_the_commands_need_only_the_runtime_requirements():
    """A user installs requirements.txt only: nothing on the way to a command may import a
    package of requirements-dev.txt (the workbook build's ms-ovba, the tests' tools)."""
    import subprocess
    import sys
    dev_only = ["ms_ovba", "ms_ovba_compression", "oletools", "hypothesis", "aiosmtpd", "pytest"]
    code = (f"import sys; sys.modules.update(dict.fromkeys({dev_only!r})); "
            "from xlpy.cli import build_parser; from xlpy.app import consolidate, nightly, demo; "
            "from xlpy.excel import buttons, udfs, doctor; build_parser().parse_args(['validate'])")
    # a fresh interpreter: what a process that never imported the dev packages can import is the point
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
