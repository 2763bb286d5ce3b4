"""outbox batches and sending times; leader locks for the scheduler and the sender

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("batch", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_outbox_batch"), ["batch"], unique=False)
    op.create_table(
        "leader_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leader_locks")),
    )


def downgrade() -> None:
    op.drop_table("leader_locks")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_batch"))
        batch.drop_column("sending_at")
        batch.drop_column("batch")
