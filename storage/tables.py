"""The database schema as SQLAlchemy Core tables: one ``MetaData`` that Alembic migrates to.

Rules kept throughout:

- Telegram ids (users, chats, updates) are ``BigInteger``: they exceed 2^31.
- Every timestamp is ``UtcDateTime`` and every text or JSON column strips NUL (see
  ``storage.types``), so the same values come back from SQLite and PostgreSQL.
- Everything a participant owns refers to ``participants`` (directly or through a
  participation) with ``ON DELETE CASCADE``: erasing the person is one ``DELETE``.
- Constraint names follow ``NAMING_CONVENTION`` so migrations can name them stably.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from storage.types import CleanJSON, CleanString, CleanText, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

CASCADE = "CASCADE"
SET_NULL = "SET NULL"


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def _created_at(name: str = "created_at") -> sa.Column[datetime]:
    return sa.Column(name, UtcDateTime, nullable=False, server_default=sa.func.now())


def _fk(
    column: str, target: str, *, nullable: bool = False, ondelete: str = CASCADE
) -> sa.Column[int]:
    return sa.Column(
        column, sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
    )


# --- consultations and their survey versions ----------------------------------------------

consultations = sa.Table(
    "consultations",
    metadata,
    _id(),
    sa.Column("slug", CleanString(48), nullable=False, unique=True),
    sa.Column("project", CleanText, nullable=False),
    sa.Column("mode", CleanString(16), nullable=False),
    sa.Column("status", CleanString(16), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("opens_at", UtcDateTime),
    sa.Column("closes_at", UtcDateTime),
    sa.Column("results_published", sa.Boolean, nullable=False, server_default=sa.false()),
    _created_at(),
)

survey_versions = sa.Table(
    "survey_versions",
    metadata,
    _id(),
    sa.Column(
        "consultation_id",
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete=CASCADE),
        nullable=False,
    ),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("content_hash", CleanString(64), nullable=False),
    sa.Column("definition", CleanJSON, nullable=False),
    _created_at(),
    sa.UniqueConstraint("consultation_id", "number"),
)

# --- people: participants are pseudonymous, their contact is kept apart -------------------

participants = sa.Table(
    "participants",
    metadata,
    _id(),
    sa.Column("pseudonym", CleanString(64), nullable=False, unique=True),
    sa.Column("language", CleanString(8), nullable=False),
    sa.Column("consent_version", CleanString(32)),
    sa.Column("consented_at", UtcDateTime),
    sa.Column("reminders_stopped", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("unreachable", sa.Boolean, nullable=False, server_default=sa.false()),
    # Set by a facilitator for abuse; their later messages are ignored politely. Reversible.
    sa.Column("blocked_at", UtcDateTime),
    _created_at(),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column(
        "participant_id",
        sa.Integer,
        sa.ForeignKey("participants.id", ondelete=CASCADE),
        primary_key=True,
    ),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
)

project_follows = sa.Table(
    "project_follows",
    metadata,
    sa.Column(
        "participant_id",
        sa.Integer,
        sa.ForeignKey("participants.id", ondelete=CASCADE),
        primary_key=True,
    ),
    # The project's name as the consultation files spell it ("Opencare"): announcements are
    # per project, and a project outlives each of its consultations.
    sa.Column("project", CleanString(64), primary_key=True),
    _created_at(),
)

participations = sa.Table(
    "participations",
    metadata,
    _id(),
    sa.Column(
        "participant_id",
        sa.Integer,
        sa.ForeignKey("participants.id", ondelete=CASCADE),
        nullable=False,
    ),
    _fk("consultation_id", "consultations.id"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("consent_version", CleanString(32)),
    sa.Column("current_question", CleanString(32)),
    sa.Column("status", CleanString(16), nullable=False),
    sa.Column("is_preview", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reminders_sent", sa.Integer, nullable=False, server_default="0"),
    _created_at("started_at"),
    _created_at("updated_at"),
    sa.Column("submitted_at", UtcDateTime),
    # One participation per person and consultation: a redelivered /start cannot fork one.
    sa.UniqueConstraint("participant_id", "consultation_id"),
)

answers = sa.Table(
    "answers",
    metadata,
    _id(),
    sa.Column(
        "participation_id",
        sa.Integer,
        sa.ForeignKey("participations.id", ondelete=CASCADE),
        nullable=False,
    ),
    sa.Column("question_key", CleanString(32), nullable=False),
    sa.Column("value", CleanJSON(none_as_null=True)),
    sa.Column("version", sa.Integer, nullable=False),
    # Hidden by a facilitator: kept (the person may ask for it) but left out of reports.
    sa.Column("hidden_at", UtcDateTime),
    _created_at("answered_at"),
    # Exactly-once effect of a redelivered or double-tapped answer.
    sa.UniqueConstraint("participation_id", "question_key"),
)

ideas = sa.Table(
    "ideas",
    metadata,
    _id(),
    _fk("consultation_id", "consultations.id"),
    _fk("participant_id", "participants.id", nullable=True),
    sa.Column("text", CleanText, nullable=False),
    sa.Column("language", CleanString(8)),
    sa.Column("hidden_at", UtcDateTime),
    _created_at(),
)

# --- staff: not pseudonymous, they act for the city ---------------------------------------

staff = sa.Table(
    "staff",
    metadata,
    _id(),
    sa.Column("telegram_user_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("role", CleanString(16), nullable=False),
    sa.Column("display_name", CleanText, nullable=False, server_default=""),
    _created_at(),
    sa.Column("revoked_at", UtcDateTime),
)

invitations = sa.Table(
    "invitations",
    metadata,
    _id(),
    sa.Column("token", CleanString(64), nullable=False, unique=True),
    sa.Column("role", CleanString(16), nullable=False),
    _fk("created_by", "staff.id", nullable=True, ondelete=SET_NULL),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("used_at", UtcDateTime),
)

# --- the schedule and the outbox: work that must happen once ------------------------------

schedule_items = sa.Table(
    "schedule_items",
    metadata,
    _id(),
    _fk("consultation_id", "consultations.id"),
    sa.Column("kind", CleanString(16), nullable=False),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("status", CleanString(16), nullable=False),
    sa.Column("claimed_by", CleanString(64)),
    sa.Column("claimed_at", UtcDateTime),
    sa.Column("done_at", UtcDateTime),
    sa.Index(None, "status", "due_at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    sa.Column("dedupe_key", CleanString(128), nullable=False, unique=True),
    _fk("participant_id", "participants.id", nullable=True),
    sa.Column("chat_id", sa.BigInteger),
    sa.Column("payload", CleanJSON, nullable=False),
    sa.Column("status", CleanString(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("not_before", UtcDateTime),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("last_error", CleanText),
    _created_at(),
    # Added by migration 0003: which bulk send a row belongs to (progress is counted per
    # batch) and when it was marked "sending" (a row stuck there after a crash is retried).
    sa.Column("batch", CleanString(64), index=True),
    sa.Column("sending_at", UtcDateTime),
    sa.Index(None, "status", "not_before"),
)

# One row per lock name: whoever holds an unexpired row is the leader (the scheduler and the
# outbox sender run in one process at a time). An expired row can be taken over.
leader_locks = sa.Table(
    "leader_locks",
    metadata,
    sa.Column("name", CleanString(64), primary_key=True),
    sa.Column("holder", CleanString(128), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

processed_updates = sa.Table(
    "processed_updates",
    metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    _created_at("processed_at"),
    # False from the commit of the update's effects until its replies went out (bot/middlewares/
    # unit_of_work.py): a redelivery of a "False" update shows the person's screen again.
    sa.Column("replied", sa.Boolean, nullable=False, server_default=sa.true()),
)

# --- themes ---------------------------------------------------------------------------------

theme_runs = sa.Table(
    "theme_runs",
    metadata,
    _id(),
    _fk("consultation_id", "consultations.id", nullable=True),
    sa.Column("backend", CleanString(64), nullable=False),
    sa.Column("model", CleanText),
    sa.Column("k", sa.Integer, nullable=False),
    sa.Column("params", CleanJSON, nullable=False),
    _created_at(),
)

themes = sa.Table(
    "themes",
    metadata,
    _id(),
    _fk("run_id", "theme_runs.id"),
    sa.Column("label", CleanText, nullable=False),
    sa.Column("keywords", CleanJSON, nullable=False),
    sa.Column("size", sa.Integer, nullable=False, server_default="0"),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("quotes", CleanJSON, nullable=False),
    # "theme", or "other": the run's bucket for texts in no theme (see migration 0005).
    sa.Column("kind", CleanString(16), nullable=False, server_default="theme"),
)

# ``source_id`` points at answers.id or ideas.id depending on ``source``: no foreign key can
# say that, so erasure deletes a person's memberships explicitly (ParticipantRepository).
theme_memberships = sa.Table(
    "theme_memberships",
    metadata,
    sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id", ondelete=CASCADE), nullable=False),
    sa.Column("source", CleanString(16), nullable=False),
    sa.Column("source_id", sa.Integer, nullable=False),
    # The key makes (theme, source, source_id) unique: a text joins a theme at most once.
    sa.PrimaryKeyConstraint("theme_id", "source", "source_id"),
    sa.Index(None, "source", "source_id"),
)

theme_curations = sa.Table(
    "theme_curations",
    metadata,
    _id(),
    _fk("consultation_id", "consultations.id"),
    sa.Column("action", CleanString(32), nullable=False),
    sa.Column("detail", CleanJSON, nullable=False),
    _fk("staff_id", "staff.id", nullable=True, ondelete=SET_NULL),
    _created_at(),
)

# ``model`` is '' when the backend has none: NULLs would not collide in the unique key.
# ``text_hash`` is SHA-256 of the raw text, so erasing a person can drop their vectors too.
vector_cache = sa.Table(
    "vector_cache",
    metadata,
    _id(),
    sa.Column("text_hash", CleanString(64), nullable=False),
    sa.Column("backend", CleanString(64), nullable=False),
    sa.Column("model", CleanString(255), nullable=False, server_default=""),
    sa.Column("dimensions", sa.Integer, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, little-endian
    _created_at(),
    sa.UniqueConstraint("text_hash", "backend", "model"),
)

# --- statement voting (Polis style) ---------------------------------------------------------

statements = sa.Table(
    "statements",
    metadata,
    _id(),
    _fk("consultation_id", "consultations.id"),
    sa.Column("text", CleanText, nullable=False),
    sa.Column("status", CleanString(16), nullable=False),
    sa.Column("language", CleanString(8)),
    _fk("theme_id", "themes.id", nullable=True, ondelete=SET_NULL),
    # A citizen's own words go with them on erasure, like their ideas (and votes on them).
    _fk("proposed_by", "participants.id", nullable=True),
    _created_at(),
)

votes = sa.Table(
    "votes",
    metadata,
    sa.Column(
        "statement_id",
        sa.Integer,
        sa.ForeignKey("statements.id", ondelete=CASCADE),
        primary_key=True,
    ),
    sa.Column(
        "participant_id",
        sa.Integer,
        sa.ForeignKey("participants.id", ondelete=CASCADE),
        primary_key=True,
        index=True,
    ),
    sa.Column("value", sa.SmallInteger, nullable=False),
    _created_at("voted_at"),
    sa.CheckConstraint("value IN (-1, 0, 1)", name="value_is_polis_vote"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    _id(),
    sa.Column("action", CleanString(64), nullable=False),
    _fk("actor_staff_id", "staff.id", nullable=True, ondelete=SET_NULL),
    sa.Column("target", CleanText),
    sa.Column("detail", CleanJSON, nullable=False),
    _created_at("at"),
)
