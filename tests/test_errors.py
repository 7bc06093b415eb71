"""Where a button's or a worksheet function's failure is written down (`xlpy.excel.errors`): the
office's logs folder, else the user's, with the traceback; the file is returned to be named."""
from __future__ import annotations

from xlpy.contract import config
from xlpy.excel import errors


def fail(what: str, office=None):
    try:
        raise KeyError("客户")
    except KeyError:
        return errors.write_failure(what, office)


def test_in_an_office_the_failure_goes_to_its_logs_with_the_traceback(new_office, user_log_dir):
    path = fail("校验当前表", new_office)
    assert path == config.load(new_office).path("logs") / errors.LOG_NAME
    text = path.read_text(encoding="utf-8")
    assert "校验当前表\nTraceback (most recent call last)" in text and "KeyError: '客户'" in text
    fail("刷新统计", new_office)
    assert path.read_text(encoding="utf-8").startswith(text) and "刷新统计" in path.read_text(encoding="utf-8")
    assert not user_log_dir.exists()


def test_without_an_office_it_goes_to_the_users_log_folder(tmp_path, user_log_dir):
    assert fail("=XLPY_STATS()") == user_log_dir / errors.LOG_NAME
    assert fail("=XLPY_STATS()", tmp_path / "gone") == user_log_dir / errors.LOG_NAME  # a folder no longer there
    assert user_log_dir.joinpath(errors.LOG_NAME).read_text(encoding="utf-8").count("KeyError: '客户'") == 2


def test_an_unreadable_office_setting_still_logs_in_the_office(new_office):
    (new_office / config.CONFIG_NAME).write_text("this is [not toml", encoding="utf-8")
    assert fail("合并", new_office) == new_office / "logs" / errors.LOG_NAME


def test_nowhere_to_write_is_none(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XLPY_LOG_DIR", str(tmp_path / "file" / "logs"))  # under a file: no folder can be made
    assert fail("合并") is None
