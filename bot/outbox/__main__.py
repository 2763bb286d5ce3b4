"""``python -m bot.outbox``: send everything the outbox holds, then print a JSON report.

For operators (drain the queue after an incident) and for the crash test, which kills this
process mid-broadcast and starts it again. It takes no leader lock: do not run it while a bot
instance is sending.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta

from bot.outbox.sender import OutboxSender, SenderSettings, build_sender_bot
from storage.store import Storage


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.outbox", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--api-url", default=None, help="Bot API server (default: Telegram's)")
    parser.add_argument("--rate", type=float, default=SenderSettings.rate)
    parser.add_argument("--sending-timeout", type=float, default=60.0, help="seconds")
    parser.add_argument("--poll-interval", type=float, default=0.5, help="seconds")
    parser.add_argument("--timeout", type=float, default=None, help="give up after seconds")
    return parser.parse_args(argv)


async def _drain(args: argparse.Namespace) -> dict[str, object]:
    storage = Storage.open(args.database_url)
    bot = build_sender_bot(args.token, args.api_url)
    settings = SenderSettings(
        rate=args.rate,
        sending_timeout=timedelta(seconds=args.sending_timeout),
        poll_interval=args.poll_interval,
    )
    try:
        print("outbox: sending", file=sys.stderr, flush=True)
        report = await OutboxSender(storage, bot, settings=settings).drain(limit=args.timeout)
        return report.to_dict()
    finally:
        await bot.session.close()
        await storage.close()


def main(argv: list[str] | None = None) -> int:
    report = asyncio.run(_drain(_arguments(argv)))
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
