"""Pseudonyms: how a Telegram user becomes a participant row without their id being stored.

``HMAC-SHA256(pepper, telegram_user_id)``: the same person always gets the same pseudonym, and
without the pepper (a secret setting) nobody can go back from a pseudonym to the Telegram id,
nor test guessed ids against the table.
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(pepper: bytes, telegram_user_id: int) -> str:
    """The hex HMAC-SHA256 of the decimal user id under ``pepper``."""
    if not pepper:
        raise ValueError("a pseudonym needs a non-empty pepper")
    message = str(telegram_user_id).encode("ascii")
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()
