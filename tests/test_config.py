"""xlpy.toml type-checked against its fields (issue 12), and the read cache that never serves
what another version of xlpy or pandas pickled."""
from __future__ import annotations

import datetime as dt
import pickle

import pandas as pd
import pytest

from xlpy import cli
from xlpy.app import exits
from xlpy.contract import config
from xlpy.core import ledger as L
from xlpy.io import store


@pytest.mark.parametrize("setting, section, wanted_zh, wanted_en", [
    ('backups = "5"', "consolidate", "整数", "whole number"),
    ("accept_valid_rows = 1", "consolidate", "true 或 false", "true or false"),
    ("amount_tolerance = true", "validate", "数字", "a number"),
    ("inbox = 5", "office", "文本", "text in quotes"),
    ('weights = { net_amount = "0.4" }', "ranking", "名称 = 数字", "name = number"),
    ('port = "587"', "smtp", "整数", "whole number"),
])
def test_a_setting_of_the_wrong_type_is_exit_2_naming_key_value_and_type(tmp_path, capsys, setting, section,
                                                                         wanted_zh, wanted_en):
    extra = 'host = "h"\n' if section == "smtp" else ""
    (tmp_path / config.CONFIG_NAME).write_text(f"[{section}]\n{extra}{setting}\n", encoding="utf-8")
    key, value = (part.strip() for part in setting.split("=", 1))
    for lang, wanted in (("zh", wanted_zh), ("en", wanted_en)):
        capsys.readouterr()
        code = cli.main(["consolidate", "--office", str(tmp_path), "--lang", lang])
        err = capsys.readouterr().err.strip()
        assert code == exits.UNUSABLE and len(err.splitlines()) == 1 and "Traceback" not in err
        assert key.split()[0] in err and wanted in err, err
        if section != "ranking":
            assert value.strip('"') in err


def test_settings_of_the_right_types_load(tmp_path):
    (tmp_path / config.CONFIG_NAME).write_text(
        'language = "en"\n[consolidate]\nbackups = 3\nlock_timeout = 0.5\n[validate]\nmax_file_mb = 10\n'
        '[ranking]\nweights = { net_amount = 1, attainment = 0.0 }\n', encoding="utf-8")
    settings = config.load(tmp_path)
    assert (settings.backups, settings.lock_timeout, settings.max_file_mb) == (3, 0.5, 10)
    assert settings.ranking_weights == {"net_amount": 1, "attainment": 0.0}


def test_a_language_that_is_none_and_broken_toml_are_refused(tmp_path):
    toml = tmp_path / config.CONFIG_NAME
    toml.write_text('language = "fr"\n', encoding="utf-8")
    with pytest.raises(config.ConfigError, match="zh, en"):
        config.load(tmp_path)
    toml.write_text('backups = \n', encoding="utf-8")
    with pytest.raises(config.ConfigError, match="TOML"):
        config.load(tmp_path)


# ---------------------------------------------------------------- the read cache


def _master(tmp_path):
    row = {"date": pd.Timestamp(dt.date(2026, 11, 26)), "customer": "客户甲", "deal_type": "意向", "deal": "lead",
           "source": "a.xlsx", "sheet": "日报", "row": 6}
    master = tmp_path / "master"
    master.mkdir()
    store.write_partition(master / "2026-11.xlsx", store.Partition("2026-11", ledger=L.frame([row], L.LEDGER)))
    return master


def test_the_cache_key_carries_versions_and_columns(tmp_path, monkeypatch):
    # A file per table since the lazy night (was one pickle of the whole Partition): each starts
    # with the master's stamp, then holds the table.
    master = _master(tmp_path)
    path = master / "2026-11.xlsx"
    store.read_partitions(master)
    with open(store._cache_file(path, "ledger"), "rb") as f:
        stamp = pickle.load(f)
    assert stamp[0][0] and pd.__version__ in stamp[0] and any("customer" in str(part) for part in stamp[0])
    # A pickle from "another version" with the same file stamp is not served.
    old_key = (("0.0.0", "1.0.0", ()), *stamp[1:])
    with open(store._cache_file(path, "ledger"), "wb") as f:
        pickle.dump(old_key, f)
        pickle.dump(L.frame([], L.LEDGER), f)
    assert store.read_partitions(master)["2026-11"].ledger["customer"].tolist() == ["客户甲"]


@pytest.mark.parametrize("content", [b"", b"garbage", pickle.dumps(("not", "a", "pair")), pickle.dumps(42),
                                     b"\x80\x05\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x0cno.such.modul\x94"])
def test_any_failure_to_load_a_cache_entry_is_a_miss(tmp_path, content):
    master = _master(tmp_path)
    store.read_partitions(master)
    store._cache_file(master / "2026-11.xlsx", "ledger").write_bytes(content)
    assert store.read_partitions(master)["2026-11"].ledger["customer"].tolist() == ["客户甲"]
    # the stamp right, then anything but a table (or a table broken after the stamps were checked)
    parts = store.read_partitions(master)
    path = master / "2026-11.xlsx"
    with open(store._cache_file(path, "ledger"), "wb") as f:
        pickle.dump(store.file_stamp(path), f)
        f.write(content or pickle.dumps(None))
    assert parts["2026-11"].ledger["customer"].tolist() == ["客户甲"]
