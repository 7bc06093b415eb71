"""The mail's pictures, drawn with matplotlib: labelled axes, dates, values on the bars.

Chinese text needs a CJK font; the first of FONTS found on the machine is used. Without one the
labels fall back to English (and the log says so), since a CJK label would print as empty boxes.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

import pandas as pd

from xlpy.contract.messages import voice

log = logging.getLogger("xlpy")

FONTS = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC",
         "WenQuanYi Zen Hei", "SimHei")
# Where those fonts live when matplotlib's font cache predates their installation.
FONT_FILES = ("C:/Windows/Fonts/msyh.ttc", "/System/Library/Fonts/PingFang.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
WIDTH_PX = 560  # as shown in the mail, within its 600 px column
TREND_HEIGHT = 260


def ATTAINMENT_HEIGHT(regions: int) -> int:  # noqa: N802 - a size, like the constants beside it
    return 80 + 34 * max(regions, 1)
DPI = 200  # drawn at twice the size shown, sharp on a phone
DARK, LIGHT, GREEN, GREY = "#1565c0", "#90b8e8", "#2e7d32", "#606060"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of a CJK font matplotlib can draw with, or None."""
    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in FONTS if name in names), None)
    if found:
        return found
    for file in FONT_FILES:
        if Path(file).is_file():
            try:
                font_manager.fontManager.addfont(file)
                return font_manager.FontProperties(fname=file).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
    log.warning("no CJK font (%s) found: the mail's charts are labelled in English", ", ".join(FONTS))
    return None


_label = voice("chart")


def _figure(height_px: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(WIDTH_PX / 100, height_px / 100), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _drawn(draw, lang: str) -> bytes:
    """``draw(lang)`` → a figure, rendered as PNG with the CJK font first for every text."""
    import matplotlib
    lang = lang if lang == "en" or cjk_font() else "en"
    fonts = [cjk_font()] if cjk_font() else []
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [*fonts, "DejaVu Sans"]}):
        fig = draw(lang)
        out = io.BytesIO()
        fig.tight_layout()
        fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def compact(value: float, lang: str) -> str:
    """A bar's value in few characters: 12.3万 / 123k."""
    if lang == "en":
        return f"{value / 1000:,.0f}k" if abs(value) >= 1000 else f"{value:,.0f}"
    return f"{value / 10_000:,.1f}万" if abs(value) >= 10_000 else f"{value:,.0f}"


def trend_png(trend: pd.DataFrame, day, lang: str = "zh") -> bytes:
    """Net sales per day of the month up to ``day`` as columns (the day dark), values on top."""
    return _drawn(lambda lang: _trend(trend, day, lang), lang)


def _trend(trend: pd.DataFrame, day, lang: str):
    days = pd.date_range(pd.Timestamp(day).replace(day=1), pd.Timestamp(day))
    amounts = trend.set_index("day")["net_amount"].reindex(days, fill_value=0).astype(float)
    fig = _figure(TREND_HEIGHT)
    ax = fig.add_subplot()
    colours = [DARK if d == days[-1] else LIGHT for d in days]
    bars = ax.bar(range(len(days)), amounts.to_list(), color=colours, width=0.75)
    ax.bar_label(bars, labels=[compact(v, lang) if v else "" for v in amounts], fontsize=5, rotation=90, padding=2)
    step = max(1, len(days) // 10)
    ax.set_xticks(range(0, len(days), step), [f"{d.month}/{d.day}" for d in days[::step]], fontsize=7)
    ax.set_ylim(min(0, amounts.min() * 1.15), max(amounts.max() * 1.3, 1))  # from zero; room for the labels
    ax.yaxis.set_major_formatter(lambda v, _: compact(v, lang))
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel(_label("trend-x", lang), fontsize=8)
    ax.set_ylabel(_label("trend-y", lang), fontsize=8)
    ax.axhline(0, color=GREY, linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def attainment_png(regions: pd.DataFrame, lang: str = "zh") -> bytes:
    """Month-to-date attainment per region as bars from zero, a line at 100 %, the rate on each bar."""
    return _drawn(lambda lang: _attainment(regions, lang), lang)


def _attainment(regions: pd.DataFrame, lang: str):
    rates = regions["attainment"].fillna(0).astype(float).to_list()
    fig = _figure(ATTAINMENT_HEIGHT(len(rates)))
    ax = fig.add_subplot()
    # without a CJK font a Chinese name would print as boxes: its place in the table below instead
    names = [str(r) if cjk_font() or str(r).isascii() else f"#{i + 1}" for i, r in enumerate(regions["region"])]
    bars = ax.barh(range(len(rates)), rates, color=[GREEN if r >= 1 else DARK for r in rates], height=0.6)
    ax.bar_label(bars, labels=[f"{r:.1%}" for r in rates], fontsize=7, padding=3)
    ax.set_yticks(range(len(rates)), names, fontsize=8)
    ax.set_xlim(0, max([1.2, *(r * 1.2 for r in rates)]))
    ax.axvline(1, color=GREY, linewidth=0.8, linestyle="--")
    ax.set_ylim(len(rates) - 0.5, -1.1)  # room above the first bar for the target line's name
    ax.text(1, -0.75, _label("target", lang), ha="center", va="center", fontsize=7, color=GREY,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel(_label("att-x", lang), fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
