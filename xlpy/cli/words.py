"""The command line's own words, from the catalogue (contract/messages.py): its messages
(`cli.<code>`) and its help texts (`help.<command>.<option>`)."""
from __future__ import annotations

from xlpy.contract.messages import say, voice

text = voice("cli")


def help_text(key: str, lang: str) -> str:
    return say(key, lang)
