"""supervision: alert acknowledgement, wait and pause alerts, hall follow-up settings

Revision ID: 0009_supervision
Revises: 0008_ratings
Create Date: 2026-11-24 01:00:42.184447

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_supervision"
down_revision = "0008_ratings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("desk_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_alerts_service", "services", ["service_id"], ["id"])
        batch_op.create_foreign_key("fk_alerts_acknowledged_by", "users", ["acknowledged_by"], ["id"])
        batch_op.create_foreign_key("fk_alerts_desk", "desks", ["desk_id"], ["id"])

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_case_registered", ["hall_id", "registered_on"], unique=False)

    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("follow_up_days", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.add_column(
            sa.Column("pause_alert_minutes", sa.Integer(), nullable=False, server_default="15")
        )


def downgrade():
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("pause_alert_minutes")
        batch_op.drop_column("follow_up_days")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_case_registered")

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_alerts_desk", type_="foreignkey")
        batch_op.drop_constraint("fk_alerts_acknowledged_by", type_="foreignkey")
        batch_op.drop_constraint("fk_alerts_service", type_="foreignkey")
        batch_op.drop_column("acknowledged_by")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("desk_id")
        batch_op.drop_column("service_id")
