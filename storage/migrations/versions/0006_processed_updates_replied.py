"""processed updates: whether the update's replies went out

``processed_updates.replied`` is False from the commit of an update's effects until its replies
were sent. A redelivery of an update whose reply was lost (a network timeout on sendMessage, a
kill between commit and reply) is then told apart from a true duplicate: the bot shows the
person's current screen again instead of staying silent. Rows from before this revision count
as replied (the old behaviour).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(
            sa.Column("replied", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("replied")
