"""themes in the database: vector bytes in vector_cache, an "other" bucket per theme run

``vector_cache.location`` (vectors kept elsewhere) becomes ``vector``: the float32 bytes
themselves, so a re-clustering reads every cached vector in a few queries and a backup holds
them. The table had no writer before this revision, so nothing is lost. ``themes.kind`` is
``theme`` or ``other``: the texts a run left in no theme are members of its ``other`` row, so
"texts not yet seen by any run" is a simple anti-join.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM vector_cache"))
    with op.batch_alter_table("vector_cache") as batch:
        batch.drop_column("location")
        batch.add_column(sa.Column("vector", sa.LargeBinary(), nullable=False))
    with op.batch_alter_table("themes") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), server_default="theme", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("themes") as batch:
        batch.drop_column("kind")
    op.execute(sa.text("DELETE FROM vector_cache"))
    with op.batch_alter_table("vector_cache") as batch:
        batch.drop_column("vector")
        batch.add_column(sa.Column("location", sa.Text(), nullable=False))
