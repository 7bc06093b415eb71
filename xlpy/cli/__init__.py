"""`xlpy`: the command line, a thin layer over `xlpy.app` (one page of docs per command: docs/cli.md)."""
from xlpy.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
