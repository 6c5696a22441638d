"""video reception: remote units, sessions, recordings

Revision ID: 0011_video
Revises: 0010_leg_facts
Create Date: 2026-11-24 05:48:41.705408

"""

import sqlalchemy as sa
from alembic import op

import reception.models.types


# revision identifiers, used by Alembic.
revision = "0011_video"
down_revision = "0010_leg_facts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "remote_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["halls.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("remote_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_remote_units_hall_id"), ["hall_id"], unique=False)

    op.create_table(
        "video_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("leg", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("remote_unit_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("remote_staff_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("recording", sa.Boolean(), nullable=False),
        sa.Column("created_at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("answer_by", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", reception.models.types.UTCDateTime(), nullable=True),
        sa.Column("ended_at", reception.models.types.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("recording_purged_at", reception.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["desk_id"],
            ["desks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["halls.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["remote_staff_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["remote_unit_id"],
            ["remote_units.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("video_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_video_session_unit_state", ["remote_unit_id", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_video_sessions_hall_id"), ["hall_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_video_sessions_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "recording_chunks",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["video_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "seq"),
    )
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("video_answer_seconds", sa.Integer(), nullable=False, server_default="60")
        )
        batch_op.add_column(
            sa.Column("video_recording", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "recording_retention_days", sa.Integer(), nullable=False, server_default="180"
            )
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_unit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_tickets_remote_unit", "remote_units", ["remote_unit_id"], ["id"]
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_unit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_users_remote_unit", "remote_units", ["remote_unit_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("fk_users_remote_unit", type_="foreignkey")
        batch_op.drop_column("remote_unit_id")

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tickets_remote_unit", type_="foreignkey")
        batch_op.drop_column("remote_unit_id")

    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("recording_retention_days")
        batch_op.drop_column("video_recording")
        batch_op.drop_column("video_answer_seconds")

    op.drop_table("recording_chunks")
    with op.batch_alter_table("video_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_sessions_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_video_sessions_hall_id"))
        batch_op.drop_index("ix_video_session_unit_state")

    op.drop_table("video_sessions")
    with op.batch_alter_table("remote_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remote_units_hall_id"))

    op.drop_table("remote_units")
