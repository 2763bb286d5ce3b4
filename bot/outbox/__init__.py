"""The persistent outbox's sender: paced, rate-limit aware, crash-safe bulk sending.

Use cases queue rows (``surveys.usecases.broadcasts``, reminders in
``surveys.usecases.scheduling``); :class:`OutboxSender` sends them. ``python -m bot.outbox``
drains the outbox from the command line.
"""

from bot.outbox.sender import (
    OutboxSender,
    ProgressCallback,
    SenderReport,
    SenderSettings,
    build_sender_bot,
)

__all__ = ["OutboxSender", "ProgressCallback", "SenderReport", "SenderSettings", "build_sender_bot"]
