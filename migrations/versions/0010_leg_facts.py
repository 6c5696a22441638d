"""leg facts: the visit's legs rolled up from the event log for the reports

Revision ID: 0010_leg_facts
Revises: 0009_supervision
Create Date: 2026-11-24 01:16:28.988687

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_leg_facts"
down_revision = "0009_supervision"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "leg_rollups",
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"]),
        sa.PrimaryKeyConstraint("hall_id"),
    )
    op.create_table(
        "leg_facts",
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("leg", sa.Integer(), nullable=False),
        sa.Column("entered", sa.DateTime(), nullable=False),
        sa.Column("called", sa.DateTime(), nullable=True),
        sa.Column("started", sa.DateTime(), nullable=True),
        sa.Column("ended", sa.DateTime(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("desk_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("wait", sa.Integer(), nullable=True),
        sa.Column("service", sa.Integer(), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("hall_id", "service_day", "ticket_id", "leg"),
        sa.UniqueConstraint("ticket_id", "leg", name="uq_leg_facts_leg"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "day_percentiles",
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("wait_p50", sa.Integer(), nullable=True),
        sa.Column("wait_p90", sa.Integer(), nullable=True),
        sa.Column("service_p50", sa.Integer(), nullable=True),
        sa.Column("service_p90", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"]),
        sa.PrimaryKeyConstraint("hall_id", "service_day", "service_id"),
    )
    with op.batch_alter_table("leg_facts", schema=None) as batch_op:
        batch_op.create_index("ix_leg_facts_wait", ["hall_id", "service_day", "wait"])
        batch_op.create_index("ix_leg_facts_service", ["hall_id", "service_day", "service"])


def downgrade():
    with op.batch_alter_table("leg_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_leg_facts_service")
        batch_op.drop_index("ix_leg_facts_wait")
    op.drop_table("day_percentiles")
    op.drop_table("leg_facts")
    op.drop_table("leg_rollups")
