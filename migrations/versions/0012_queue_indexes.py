"""queue indexes: today's line by day, a desk's own tickets

The line's index gains the hall-local day after the hall, so counting a service's waiting
visitors and choosing the next one read only today's entries (yesterday's leftovers are nobody's
queue); a desk's called or served ticket is found through its own index instead of a scan of
every ticket ever issued.

Revision ID: 0012_queue_indexes
Revises: 0011_video
Create Date: 2026-12-02 13:50:00

"""

from alembic import op

revision = "0012_queue_indexes"
down_revision = "0011_video"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_ticket_queue")
        batch.create_index(
            "ix_ticket_queue",
            ["hall_id", "service_day", "state", "service_id", "priority", "line_at"],
        )
        batch.create_index("ix_ticket_desk", ["desk_id", "state"])


def downgrade():
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_ticket_desk")
        batch.drop_index("ix_ticket_queue")
        batch.create_index(
            "ix_ticket_queue", ["hall_id", "state", "service_id", "priority", "line_at"]
        )
