"""users: a session token, part of what a session cookie names its user by

Revision ID: 5c0e2a9d41b7
Revises: 29e628f87f7e
Create Date: 2026-12-07 03:40:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c0e2a9d41b7'
down_revision = '29e628f87f7e'
branch_labels = None
depends_on = None


def upgrade():
    # NOT NULL with an empty default, so SQLite can add it in place; an empty token names no
    # session (`auth.load_user`), and each existing user gets a token of their own here. Every
    # session cookie from before names its user by id alone and ends: everyone logs in again.
    op.add_column("users", sa.Column("session_token", sa.String(length=64), nullable=False, server_default=""))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    connection = op.get_bind()
    for user_id in connection.scalars(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_urlsafe(24)))
    if connection.dialect.name == "postgresql":
        op.alter_column("users", "session_token", server_default=None)


def downgrade():
    # In place on SQLite too (3.35 and later): a batch copy of users would drop the table, which
    # the rows referring to users refuse.
    op.execute("ALTER TABLE users DROP COLUMN session_token")
