"""the hall's first week: who rated through which device and why, for which video unit, a rating alert tied to its
rating, a password given by someone else changed at first login, a unit's staff present

Revision ID: 0016_first_week
Revises: 0015_named_desk_index
Create Date: 2026-12-06 20:00:00

"""

import sqlalchemy as sa
from alembic import op

import reception.models.types

revision = "0016_first_week"
down_revision = "0015_named_desk_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reasons", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            "fk_ratings_device_id_display_devices", "display_devices", ["device_id"], ["id"]
        )
        batch_op.add_column(sa.Column("remote_unit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_ratings_remote_unit_id_remote_units", "remote_units", ["remote_unit_id"], ["id"]
        )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_unit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_appointments_remote_unit_id_remote_units",
            "remote_units",
            ["remote_unit_id"],
            ["id"],
        )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_alerts_rating_id_ratings", "ratings", ["rating_id"], ["id"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("present_until", reception.models.types.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("present_until")
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_appointments_remote_unit_id_remote_units", type_="foreignkey")
        batch_op.drop_column("remote_unit_id")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_alerts_rating_id_ratings", type_="foreignkey")
        batch_op.drop_column("rating_id")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ratings_remote_unit_id_remote_units", type_="foreignkey")
        batch_op.drop_column("remote_unit_id")
        batch_op.drop_constraint("fk_ratings_device_id_display_devices", type_="foreignkey")
        batch_op.drop_column("reasons")
        batch_op.drop_column("device_id")
