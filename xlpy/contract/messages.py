"""Every text a person reads, in one catalogue per language: `locale/<lang>/LC_MESSAGES/xlpy.po`
(Simplified Chinese `zh_CN`, English `en`), compiled to the `.mo` files beside them
(`pybabel compile -d xlpy/contract/locale -D xlpy`) and read here with the standard library's
gettext.

A key names its text: `namespace.code`, e.g. `rule.bad-date`, `button.busy`, `help.stats.by`.
A code without a namespace is one of the messages shared by every layer (`msg.`): `say("empty")`
is `say("msg.empty")`, so a `Msg`, an exception or a status can carry its bare code. argparse's own
texts are keyed by argparse's English strings (see `argparse_texts`)."""
from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LOCALE = Path(__file__).with_name("locale")
DOMAIN = "xlpy"
FOLDERS = {"zh": "zh_CN", "en": "en"}  # our language codes → the catalogues' folders
SHARED = "msg"


@dataclass
class Msg:
    """A message to be rendered later, in the reader's language."""

    code: str
    params: dict = field(default_factory=dict)

    def render(self, lang: str = "zh") -> str:
        return say(self.code, lang, **self.params)


@cache
def catalogue(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``lang`` ("en"; anything else is Chinese), read once."""
    folder = FOLDERS["en" if lang == "en" else "zh"]
    with (LOCALE / folder / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as mo:
        return gettext.GNUTranslations(mo)


def key_of(code: str) -> str:
    return code if "." in code else f"{SHARED}.{code}"


def keys(lang: str = "zh") -> set[str]:
    """Every key of the catalogue of ``lang`` (gettext keeps them in ``_catalog``; "" is its header)."""
    return {k for k in catalogue(lang)._catalog if isinstance(k, str) and k}


def has(code: str) -> bool:
    key = key_of(code)
    return catalogue("zh").gettext(key) != key


def say(code: str, lang: str = "zh", **params) -> str:
    """The text of ``code`` in ``lang``, filled in with ``params`` (a `Msg` among them rendered in
    the same language). A key the catalogue lacks is a KeyError, never the key shown to a person."""
    key = key_of(code)
    text = catalogue(lang).gettext(key)
    if text == key:
        raise KeyError(key)
    if not params:
        return text
    return text.format(**{k: v.render(lang) if isinstance(v, Msg) else v for k, v in params.items()})


def both(code: str) -> tuple[str, str]:
    """(Chinese, English) of ``code``: for a name looked up in either language, such as a sheet's."""
    return say(code, "zh"), say(code, "en")


def voice(namespace: str):
    """`say` for the codes of one namespace: ``voice("button")("busy", lang)`` is
    ``say("button.busy", lang)``."""
    def said(code: str, lang: str = "zh", **params) -> str:
        return say(f"{namespace}.{code}", lang, **params)
    return said


def texts(code: str, lang: str = "zh") -> list[str]:
    """A row of texts kept as `code.0`, `code.1`, … (e.g. a table's column headings)."""
    found = []
    while has(f"{key_of(code)}.{len(found)}"):
        found.append(say(f"{key_of(code)}.{len(found)}", lang))
    return found


def argparse_texts(lang: str) -> gettext.NullTranslations:
    """argparse's own words (`usage:`, `error:`, …) in ``lang``: the catalogue holds them under
    argparse's English strings; English needs no catalogue."""
    return gettext.NullTranslations() if lang == "en" else catalogue(lang)


class Coded(Exception):
    """A failure told to a person: ``code`` names its text in the catalogue, ``params`` fill it in
    (each kind says under which prefix: `msg.`, `udf.`, `button.`)."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code, self.params = code, params
