"""Office settings: `xlpy.toml` in the office folder, every key optional."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from xlpy.contract.messages import Msg, say

CONFIG_NAME = "xlpy.toml"
PASSWORD_ENV = "XLPY_SMTP_PASSWORD"
SECURITY = ("starttls", "ssl", "none")


class ConfigError(ValueError):
    """xlpy.toml cannot be used as it is; ``code`` names a message of contract.messages."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        return say(self.code, lang, **self.params)


@dataclass(frozen=True)
class Smtp:
    """The [smtp] section. No password here: it comes from the environment or the OS keyring."""

    host: str
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    user: str | None = None
    sender: str | None = None  # default: user

    def __post_init__(self):
        if self.security not in SECURITY:
            raise ConfigError("config-choice", key="smtp.security", value=f'"{self.security}"',
                              choices=", ".join(SECURITY))

    @property
    def from_address(self) -> str:
        return self.sender or self.user or f"xlpy@{self.host}"


@dataclass(frozen=True)
class Settings:
    office: Path = Path(".")
    language: str = "zh"  # "zh" or "en": the language of every message
    inbox: str = "inbox"
    master: str = "master"
    reference: str = "reference.xlsx"
    outbox: str = "outbox"
    logs: str = "logs"
    # validate
    amount_tolerance: float = 1.0  # currency units …
    amount_tolerance_pct: float = 0.1  # … or this % of the amount, whichever is larger
    far_date_days: int = 7  # a deal this many days from its report date is suspicious
    max_file_mb: float = 50
    max_unzipped_mb: float = 500  # zip bombs stop here
    read_timeout: float = 30  # seconds one file may take to read
    workers: int = 0  # processes that read a large batch: 0 one per core, 1 this process only
    # consolidate
    accept_valid_rows: bool = False  # False: a report with errors is rejected whole
    backups: int = 5
    lock_timeout: float = 60
    archive: bool = False  # move each report taken to inbox/已处理/YYYY-MM/
    sign_within_days: int = 7  # a unit office's reservation not signed by then is 逾期未签
    ranking_weights: dict = field(default_factory=lambda: {
        "net_amount": 0.4, "attainment": 0.3, "conversion": 0.15, "collection_rate": 0.15})
    # nightly
    briefing_overdue_days: int = 30  # the briefing lists receivables overdue beyond this
    log_days: int = 30  # daily log files kept in logs/
    remind_days: int = 3  # the briefing lists reports pending longer than this as 待处理
    smtp: Smtp | None = None  # no [smtp] section: the briefing is written, never sent

    def path(self, name: str) -> Path:
        """An office path setting, resolved against the office folder."""
        return (self.office / getattr(self, name)).resolve()


_SECTIONS = ("office", "validate", "consolidate", "ranking", "nightly")


def load(office: Path | str | None = None) -> Settings:
    """Settings of the office folder (the current folder when None)."""
    office = Path(office or ".").resolve()
    settings = Settings(office=office)
    file = office / CONFIG_NAME
    if not file.is_file():
        return settings
    try:
        with file.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError("config-syntax", file=file, detail=e) from None
    flat = {k: v for k, v in data.items() if not isinstance(v, dict)}
    if "smtp" in data:
        flat["smtp"] = _smtp(data["smtp"], file)
    for section in _SECTIONS:
        flat.update(data.get(section, {}))
    if "weights" in flat:
        flat["ranking_weights"] = flat.pop("weights")
    known = {f.name for f in fields(Settings)} - {"office"}
    unknown = sorted(set(flat) - known)
    if unknown:
        raise ConfigError("config-unknown", file=file, keys=", ".join(unknown))
    _check_types(Settings, {k: v for k, v in flat.items() if k != "smtp"}, file)
    if flat.get("language", "zh") not in ("zh", "en"):
        raise ConfigError("config-choice", key="language", value=_as_toml(flat["language"]), choices="zh, en")
    return replace(settings, **flat)


def _smtp(section: dict, file: Path) -> Smtp:
    if "password" in section:
        raise ConfigError("config-password", file=file, env=PASSWORD_ENV)
    unknown = sorted(set(section) - {f.name for f in fields(Smtp)})
    if unknown or "host" not in section:
        raise ConfigError("config-smtp", file=file, keys=", ".join(unknown) or "-")
    _check_types(Smtp, section, file, prefix="smtp.")
    return Smtp(**section)


# The schema is the dataclasses themselves: a setting must have the type its field declares
# beside its default (an int will do for a float, never a bool for a number; weights are numbers).
_TYPES = {"bool": bool, "int": int, "float": float, "str": str, "str | None": str, "dict": dict}
_WANTED = {bool: "bool", int: "int", float: "float", str: "str", dict: "table"}


def _check_types(kind, given: dict, file: Path, prefix: str = "") -> None:
    declared = {f.name: _TYPES.get(str(f.type)) for f in fields(kind)}
    for key, value in given.items():
        wanted = declared.get(key)
        if wanted is None:
            continue
        if not _fits(value, wanted) or (wanted is dict and not all(_fits(v, float) for v in value.values())):
            raise ConfigError("config-type", file=file, key=prefix + key, value=_as_toml(value),
                              wanted=Msg("type-" + _WANTED[wanted]))


def _as_toml(value) -> str:
    """A value as it was written in the file: "5", true, 0.4."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_as_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def _fits(value, wanted: type) -> bool:
    if isinstance(value, bool) or wanted is bool:
        return isinstance(value, bool) and wanted is bool
    if wanted is float:
        return isinstance(value, (int, float))
    return isinstance(value, wanted)


DEFAULT_TOML = """\
# xlpy office settings. Paths are relative to this folder.
language = "zh"            # "zh" (简体中文) or "en"

[office]
inbox = "inbox"            # where reps' daily reports arrive
master = "master"          # the master workbooks (总表)
reference = "reference.xlsx"
outbox = "outbox"
logs = "logs"

[validate]
amount_tolerance = 1.0     # qty x unit price may differ from amount by this much …
amount_tolerance_pct = 0.1 # … or by this % of the amount, whichever is larger
far_date_days = 7          # warn when a deal is dated this many days from its report date
max_file_mb = 50           # larger files are refused
max_unzipped_mb = 500      # refuse workbooks that unpack to more (zip bombs)
read_timeout = 30          # seconds one file may take to read before it is skipped
workers = 0                # processes reading a large batch (1,000 files or more): 0 = one per core, 1 = one

[consolidate]
accept_valid_rows = false  # false: a report with any error is rejected whole
backups = 5                # previous master versions kept
lock_timeout = 60          # seconds a second consolidation waits for the first
archive = false            # true: move each report taken to inbox/已处理/YYYY-MM/
sign_within_days = 7       # offices that sell units: a reservation not signed by then is overdue (逾期未签)

[ranking]
weights = { net_amount = 0.4, attainment = 0.3, conversion = 0.15, collection_rate = 0.15 }

[nightly]
briefing_overdue_days = 30 # the briefing lists receivables overdue beyond this many days
log_days = 30              # daily log files kept in logs/
remind_days = 3            # the 工作日志 lists reports pending longer than this as 待处理

# Uncomment to mail the daily briefing (工作日志) to the 收件人 sheet of reference.xlsx.
# The password is never written here: set XLPY_SMTP_PASSWORD, or use the OS keyring.
# [smtp]
# host = "smtp.example.com"
# port = 587
# security = "starttls"    # "starttls", "ssl" (usually port 465) or "none"
# user = "assistant@example.com"
# sender = "assistant@example.com"
"""
