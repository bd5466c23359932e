"""calls: a caller the provider bridged straight from the queue is answered, QueueTime after entering it

Revision ID: 208a2248d57e
Revises: 5c0e2a9d41b7
Create Date: 2026-12-09 10:00:00.000000

Someone who dequeues a caller with `<Dial><Queue>` (counselors can, from the provider's side)
answers them, but only a counselor the service dialed used to set `answered_at`: such calls were
offered and neither answered nor abandoned. The call record's merge now sets their answer time
(helpline.call_merge.answer_time); here the calls already bridged get it too. `answered_at` is a
counted column, so the rollup triggers take each of these calls out of the unanswered rows and
count it among the answered ones as it is updated, in this transaction: the rollups need no
recount of their own, and the figures of calls purged since stay as they are.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '208a2248d57e'
down_revision = '5c0e2a9d41b7'
branch_labels = None
depends_on = None

# `enqueued_at` + `wait_seconds` seconds, in each database's storage of moments (SQLite: text,
# "YYYY-MM-DD HH:MM:SS.ffffff"; datetime() moves the whole seconds and drops the fraction).
ANSWER_TIME = {
    "sqlite": "datetime(enqueued_at, '+' || wait_seconds || ' seconds') || substr(enqueued_at, 20)",
    "postgresql": "enqueued_at + wait_seconds * INTERVAL '1 second'",
}


def upgrade():
    answer_time = ANSWER_TIME[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE calls SET answered_at = {answer_time} "
        "WHERE queue_result = 'bridged' AND answered_at IS NULL AND enqueued_at IS NOT NULL AND wait_seconds IS NOT NULL"
    )


def downgrade():
    # Back to no answer time for the bridged calls no dialed counselor answered (a dialed
    # counselor's answer sets the talk time with it), as the merge before this revision left them.
    op.execute("UPDATE calls SET answered_at = NULL WHERE queue_result = 'bridged' AND talk_seconds IS NULL AND answered_at IS NOT NULL")
