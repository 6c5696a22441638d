"""connections to the outside: texts with a state, a gateway's answer and one per leg and kind;
consent to texts (booking, matter, ticket); a service's "turn is near" lead; the hall's
行政区划 code and its ID-card reader

Revision ID: 0017_outside
Revises: 0016_first_week
Create Date: 2026-12-07 01:00:00

"""

import sqlalchemy as sa
from alembic import op

import reception.models.types

revision = "0017_outside"
down_revision = "0016_first_week"
branch_labels = None
depends_on = None


def _flag(name):
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())


def upgrade():
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("region_code", sa.String(length=12), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "card_reader_url",
                sa.String(length=200),
                nullable=False,
                server_default="http://127.0.0.1:19196/readcard",
            )
        )
        batch_op.add_column(
            sa.Column(
                "card_reader_kind", sa.String(length=20), nullable=False, server_default="cvr100"
            )
        )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_ahead", sa.Integer(), nullable=False, server_default="0")
        )
    # a plain ADD COLUMN: a batch would copy `tickets` on SQLite and lose its queue-count
    # triggers (0014)
    op.add_column("tickets", _flag("notify"))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(_flag("sms_consent"))
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=10), nullable=False, server_default="")
        )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(_flag("notify_turn"))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hall_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("leg", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="text")
        )
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=False, server_default="{}"))
        # messages written before texts had a state were kept in the outbox, never sent
        batch_op.add_column(
            sa.Column("state", sa.String(length=10), nullable=False, server_default="kept")
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("next_try_at", reception.models.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sent_at", reception.models.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("error", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("gateway_ref", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            "fk_outbox_messages_hall_id_halls", "halls", ["hall_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_outbox_messages_ticket_id_tickets", "tickets", ["ticket_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_outbox_messages_case_id_cases", "cases", ["case_id"], ["id"]
        )
        batch_op.create_index("ix_outbox_messages_hall_id", ["hall_id"], unique=False)
        batch_op.create_index("ix_message_due", ["state", "next_try_at"], unique=False)
        batch_op.create_unique_constraint(
            "uq_message_ticket_leg_kind", ["ticket_id", "leg", "kind"]
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_message_ticket_leg_kind", type_="unique")
        batch_op.drop_index("ix_message_due")
        batch_op.drop_index("ix_outbox_messages_hall_id")
        batch_op.drop_constraint("fk_outbox_messages_case_id_cases", type_="foreignkey")
        batch_op.drop_constraint("fk_outbox_messages_ticket_id_tickets", type_="foreignkey")
        batch_op.drop_constraint("fk_outbox_messages_hall_id_halls", type_="foreignkey")
        for name in (
            "gateway_ref",
            "error",
            "sent_at",
            "next_try_at",
            "attempts",
            "state",
            "params",
            "kind",
            "case_id",
            "leg",
            "ticket_id",
            "hall_id",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("notify_turn")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("purpose")
        batch_op.drop_column("sms_consent")
    op.drop_column("tickets", "notify")  # SQLite 3.35+: a plain DROP COLUMN keeps the triggers
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("notify_ahead")
    with op.batch_alter_table("halls", schema=None) as batch_op:
        for name in ("card_reader_kind", "card_reader_url", "region_code"):
            batch_op.drop_column(name)
