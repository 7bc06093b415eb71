"""The work log (工作日志) as data: what management reads at the end of a day. No I/O.

One `WorkLog` holds every part the seed's assistant mails each evening — the day's figures, its
reservations, cancellations and exchanges (定、退、换) and signed contracts, the comments of reps
and customers, reports missing and pending, the month-to-date ranking and attainment, receivables
overdue. The sheet, the HTML mail and the text mail are three renderings of it.

Figures come from the one computation of the statistics (`stats.Inputs`, the facts derived once)
that 总表's sheets are written from too: the day's row of `xlpy stats --by day`, the ranking
(销售排名, by its weighted score), the region comparison and the collection list of 总表.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import pandas as pd

from xlpy.contract import statistics as declared
from xlpy.contract.messages import both, voice
from xlpy.core import contracts, periods, stats, units
from xlpy.core.reference import Reference

FIGURES = ("leads", "orders", "contracts", "cancellations", "net_amount", "received", "visits", "calls",
           "conversion")
DEALS = ["kind", "customer", "product", "rep", "qty", "amount", "contract_no"]
COMMENTS = ["rep", "customer", "note"]
RANKING = ["rank", "rep", "region", "net_amount", "attainment", "score"]  # of the ranking (销售排名)
REGIONS = list(declared.TABLE["region_compare"].columns)
OVERDUE = ["contract_no", "customer", "rep", "outstanding", "due_date", "days_overdue"]
REJECTED = ["rep", "source", "status", "reasons"]
UNSIGNED = ["rep", "unit", "customer", "contract_no", "since"]  # a unit office's reservations not signed in time
OVERDUE_SHOWN = 10  # the largest; the heading counts and sums them all
SHOWN_STATUSES = ("rejected", "waiting", "unreadable", "partial")
# The day's deals management asks about, in the seed's words: 定 (reserved), 退 (cancelled),
# 换 (exchanged: a cancellation and a new deal of the same customer on one day), 签 (signed).
KIND_OF_DEAL = {"order": "reserve", "cancel": "cancel", "contract": "sign", "exchange": "exchange"}  # 换房 too
KIND_ORDER = ("reserve", "cancel", "exchange", "sign")
# Notes that book money rather than say something (a payment's method, a deposit): not comments.
BOOKKEEPING = {"payment"}
BOOKKEEPING_NOTE = re.compile(r"^\s*(定金|订金|预付款?|首付)\s*(\d+\s*%)?\s*$")


@dataclass
class WorkLog:
    day: dt.date
    figures: dict  # FIGURES of the day, numbers (conversion NaN on a day without leads)
    trend: pd.DataFrame  # day, net_amount: every day of the month so far with a figure
    deals: pd.DataFrame  # DEALS: the day's 定/退/换 and signed contracts
    comments: pd.DataFrame  # COMMENTS: the day's notes, by rep
    ranking: pd.DataFrame  # RANKING: the ranking of 销售排名, the month to date
    regions: pd.DataFrame  # REGIONS, the month to date
    overdue: pd.DataFrame  # OVERDUE, beyond ``overdue_days``: the OVERDUE_SHOWN largest
    overdue_days: int
    overdue_count: int  # all of them
    overdue_total: float
    missing: list[str]  # active reps who filed nothing that day
    rejected: pd.DataFrame  # REJECTED: reports of the day waiting for a corrected copy
    unsigned: pd.DataFrame | None = None  # UNSIGNED (逾期未签), in an office that sells units
    unsigned_days: int = 7  # the office's sign_within_days

    @property
    def top(self) -> pd.DataFrame:
        return self.ranking.head(3)


def compute(ledger: pd.DataFrame, activity: pd.DataFrame, reference: Reference, day: dt.date,
            overdue_days: int = 30, imports: pd.DataFrame | None = None, problems: pd.DataFrame | None = None,
            rejected_reps: dict[str, set[str]] | None = None,
            headers: dict[str, dict[str, str]] | None = None, lang: str = "zh",
            inputs: stats.Inputs | None = None, weights: dict | None = None, sign_within_days: int = 7) -> WorkLog:
    """The work log of ``day`` from the record, from ``inputs`` (the computation 总表 is written
    from; made here when not given). ``rejected_reps`` names the reps of each rejected file (they
    filed something, so they are not missing, but they are to be chased); ``headers`` the column
    headers of each rejected file by column letter, so reasons name the column."""
    inputs = inputs or stats.Inputs(contracts.facts(ledger, activity, day), reference, day, weights)
    days = stats.group_stats(inputs.month_facts(), None, reference, "day", periods.month_of(day))
    row = days[days["day"] == pd.Timestamp(day)]
    figures = {k: (row[k].iloc[0] if len(row) else 0) for k in FIGURES}
    figures["conversion"] = figures["conversion"] if len(row) else math.nan
    regions = inputs.table("region_compare")
    overdue = inputs.table("collection")
    overdue = overdue[overdue["days_overdue"] > overdue_days].sort_values("outstanding", ascending=False)
    rejected = rejected_reports(imports, problems, day, rejected_reps, headers, lang)
    filed = set(activity.loc[activity["date"] == pd.Timestamp(day), "rep"].dropna())
    filed |= set(ledger.loc[ledger["report_date"] == pd.Timestamp(day), "rep"].dropna())
    for source in rejected["source"]:
        filed |= (rejected_reps or {}).get(source, set())
    of_day = ledger[ledger["report_date"] == pd.Timestamp(day)]
    return WorkLog(day, figures, days[["day", "net_amount"]], deals_of_day(of_day), comments_of_day(of_day),
                   inputs.table("ranking")[RANKING].reset_index(drop=True), regions[REGIONS],
                   overdue[OVERDUE].head(OVERDUE_SHOWN).reset_index(drop=True), overdue_days, len(overdue),
                   float(overdue["outstanding"].sum()), missing_reps(reference, day, filed), rejected,
                   unsigned(ledger, reference, day, sign_within_days) if reference.sells_units else None,
                   sign_within_days)


def deals_of_day(rows: pd.DataFrame) -> pd.DataFrame:
    """Reservations, cancellations, exchanges and signed contracts among ``rows`` (one day's)."""
    shown = rows[rows["deal"].isin(list(KIND_OF_DEAL))]
    kind = shown["deal"].map(KIND_OF_DEAL)
    # A customer who cancels and buys again the same day exchanged: both rows say so.
    cancelling = set(shown.loc[shown["deal"] == "cancel", "customer"])
    buying = set(shown.loc[shown["deal"] != "cancel", "customer"])
    kind = kind.where(~shown["customer"].isin(cancelling & buying), "exchange")
    out = shown.assign(kind=kind)[DEALS]
    order = out["kind"].map(KIND_ORDER.index)
    return out.assign(_o=order).sort_values(["_o", "rep", "customer"]).drop(columns="_o").reset_index(drop=True)


def unsigned(ledger: pd.DataFrame, reference: Reference, day: dt.date, within: int) -> pd.DataFrame:
    """Reservations not signed within ``within`` days (逾期未签): they still hold their units, so each
    is chased or released, by its rep."""
    board = units.board(reference.units, units.events(ledger, set(reference.unit_index)), day, within)
    return board[board["overdue"]].sort_values(["rep", "since"])[UNSIGNED].reset_index(drop=True)


def comments_of_day(rows: pd.DataFrame) -> pd.DataFrame:
    """What reps wrote in the 备注 column that day (payment methods left out), by rep, each once."""
    said = rows[~rows["deal"].isin(BOOKKEEPING) & rows["note"].notna()]
    text = said["note"].astype(str)
    said = said[(text.str.strip() != "") & ~text.str.match(BOOKKEEPING_NOTE)]
    return said[COMMENTS].drop_duplicates().sort_values(["rep", "customer"]).reset_index(drop=True)


def missing_reps(reference: Reference, day: dt.date, filed: set[str]) -> list[str]:
    """Active reps, hired by ``day``, who are not among those who filed."""
    reps = reference.reps[reference.reps["active"].astype(bool)]
    hired = pd.to_datetime(reps["hired"], errors="coerce")
    due = reps[hired.isna() | (hired <= pd.Timestamp(day))]["name"]
    return [name for name in due if name not in filed]


def latest(imports: pd.DataFrame) -> pd.DataFrame:
    """Each file's latest entry in the import log (the log is kept in order of imports, and one run
    stamps all its entries alike: a stable sort keeps the later of two)."""
    return imports.sort_values("imported_at", kind="stable").drop_duplicates("source", keep="last")


def rejected_reports(imports: pd.DataFrame | None, problems: pd.DataFrame | None, day: dt.date,
                     rejected_reps: dict[str, set[str]] | None = None,
                     headers: dict[str, dict[str, str]] | None = None, lang: str = "zh") -> pd.DataFrame:
    """Files of ``day`` whose latest import rejected them (whole or in part): the rep to chase and
    the errors in plain words. An unreadable file belongs to the day it was imported."""
    if imports is None or imports.empty:
        return pd.DataFrame(columns=REJECTED)
    last = latest(imports)
    dated = last["report_date"].fillna(last["imported_at"].dt.normalize())
    shown = last[last["status"].isin(SHOWN_STATUSES) & (dated == pd.Timestamp(day))]
    problems = problems if problems is not None else pd.DataFrame(columns=["fingerprint", "cell", "message"])

    def reasons(row) -> str:
        found = problems[problems["fingerprint"] == row.fingerprint]
        return "；".join(plain_reason(p.cell, p.message, (headers or {}).get(row.source, {}), lang)
                        for p in found.itertuples())
    return pd.DataFrame({"rep": ["、".join(sorted((rejected_reps or {}).get(s, set()))) for s in shown["source"]],
                         "source": shown["source"], "status": shown["status"],
                         "reasons": [reasons(r) for r in shown.itertuples()]}, columns=REJECTED).reset_index(drop=True)


_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


def plain_reason(cell, message: str, headers: dict[str, str], lang: str = "zh") -> str:
    """``第 9 行 收款金额：message`` — the row and the column's header, never a cell address."""
    found = _CELL.match(str(cell or ""))
    if not found:
        return str(message)
    column = headers.get(found.group(1))
    return words("row-problem", lang, row=found.group(2), column=f" {column}" if column else "", message=message)


# ---------------------------------------------------------------- its words (every rendering uses them)

COLUMN_LABELS = ("kind", "source", "status", "reasons", "note", "qty", "amount", "unit", "since")  # worklog.column-<key>
WEEKDAYS = tuple(names.split() for names in both("worklog.weekdays"))  # (zh, en), Monday first


words = voice("worklog")


def column_label(key: str, lang: str = "zh") -> str:
    return words(f"column-{key}", lang) if key in COLUMN_LABELS else stats.label(key, lang)


def title(log: WorkLog, lang: str = "zh") -> str:
    return words("title", lang, day=log.day.isoformat(), weekday=WEEKDAYS[lang == "en"][log.day.weekday()])


def figures_table(log: WorkLog) -> pd.DataFrame:
    return pd.DataFrame([log.figures])


def sections(log: WorkLog, lang: str = "zh") -> list[tuple[str, str, pd.DataFrame]]:
    """(key, heading, table) of every part after the day's figures, in reading order; the
    deal kinds and statuses already in words."""
    deals = log.deals.assign(kind=log.deals["kind"].map(lambda k: words(k, lang)))
    rejected = log.rejected.assign(status=log.rejected["status"].map(lambda s: words(f"{s}-status", lang)))
    missing = pd.DataFrame({"rep": log.missing})
    return [("deals", words("deals", lang), deals), ("comments", words("comments", lang), log.comments),
            ("missing", words("missing", lang), missing), ("rejected", words("rejected", lang), rejected),
            ("ranking", words("ranking", lang), log.ranking), ("regions", words("regions", lang), log.regions),
            ("overdue", overdue_heading(log, lang), log.overdue),
            *([("unsigned", words("unsigned", lang, days=log.unsigned_days), log.unsigned)]
              if log.unsigned is not None else [])]


def overdue_heading(log: WorkLog, lang: str = "zh") -> str:
    heading = words("overdue", lang, days=log.overdue_days, count=log.overdue_count, total=log.overdue_total)
    cut = log.overdue_count > len(log.overdue)
    return heading + (words("overdue-cut", lang, shown=len(log.overdue)) if cut else "")
