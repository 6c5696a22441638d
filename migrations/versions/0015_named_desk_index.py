"""tickets sent to a desk by name: an index of those tickets only

`ix_ticket_target` held every ticket, most with no named desk. On a PostgreSQL database without
statistics yet (a new hall's first hours) the planner could read call-next's service branch
(`target_desk_id IS NULL`, the line of a service) through it: every waiting ticket with no named
desk, then a sort, inside the hall lock. Kept to the tickets that name a desk, the index cannot
answer that branch at all, which then takes the line's own index in calling order, whatever the
statistics say. It also stays as small as the day's transfers: issuing, calling and finishing a
ticket no desk named write no entry into it.

Revision ID: 0015_named_desk_index
Revises: 0014_queue_counts
Create Date: 2026-12-04 19:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015_named_desk_index"
down_revision = "0014_queue_counts"
branch_labels = None
depends_on = None

COLUMNS = ["target_desk_id", "hall_id", "service_day", "state"]
NAMED = sa.text("target_desk_id IS NOT NULL")


def upgrade():
    op.drop_index("ix_ticket_target", table_name="tickets")
    op.create_index(
        "ix_ticket_target", "tickets", COLUMNS, postgresql_where=NAMED, sqlite_where=NAMED
    )


def downgrade():
    op.drop_index("ix_ticket_target", table_name="tickets")
    op.create_index("ix_ticket_target", "tickets", COLUMNS)
