"""the line's index in calling order; tickets sent to a desk by name

The line's index keeps each service's waiting tickets in the order they are called (priority
first, highest first, then place in line, then id), so call-next takes the first entry the desk
may serve instead of reading and sorting every waiting ticket of the hall; tickets sent to a
desk by name get their own small index.

Revision ID: 0013_line_order
Revises: 0012_queue_indexes
Create Date: 2026-12-02 17:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013_line_order"
down_revision = "0012_queue_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_ticket_queue", table_name="tickets")
    op.create_index(
        "ix_ticket_queue",
        "tickets",
        ["hall_id", "service_day", "state", "service_id", sa.text("priority DESC"), "line_at", "id"],
    )
    op.create_index(
        "ix_ticket_target", "tickets", ["target_desk_id", "hall_id", "service_day", "state"]
    )


def downgrade():
    op.drop_index("ix_ticket_target", table_name="tickets")
    op.drop_index("ix_ticket_queue", table_name="tickets")
    op.create_index(
        "ix_ticket_queue",
        "tickets",
        ["hall_id", "service_day", "state", "service_id", "priority", "line_at"],
    )
