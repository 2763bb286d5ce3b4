"""The ``ascolto`` command line: one sub-command module per job, imported lazily.

Each module in ``bot.commands`` exposes ``register(subparsers)``; heavy libraries (aiogram,
spaCy, SQLAlchemy) are imported inside the command functions so that ``ascolto --help`` and
``ascolto survey validate`` start quickly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import COMMAND_MODULES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ascolto",
        description="Ascolto: Telegram-native participatory co-design for a city.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
