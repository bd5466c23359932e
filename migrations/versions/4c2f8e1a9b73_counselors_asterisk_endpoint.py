"""A counselor's Asterisk endpoint (PJSIP/201), originated to when they take a caller there.

Revision ID: 4c2f8e1a9b73
Revises: 208a2248d57e
Create Date: 2026-12-08 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4c2f8e1a9b73"
down_revision = "208a2248d57e"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("endpoint", sa.String(length=80), nullable=True))


def downgrade():
    # In place on SQLite too (3.35 and later): a batch copy of users would drop the table, which
    # the rows referring to users refuse.
    op.execute("ALTER TABLE users DROP COLUMN endpoint")
