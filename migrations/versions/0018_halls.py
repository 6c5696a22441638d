"""many halls on one deployment: a hall's code (its addresses), staff by hall with a role in
each (a city account works in every hall), the hall an audit entry was made in; matters handed
down to another hall (交办/转送) and followed by the city (督办)

An existing deployment's accounts become city accounts (they worked in its only hall, and keep
their role there); its hall gets the code `hall-<id>`, and its audit trail belongs to it.

Revision ID: 0018_halls
Revises: 0017_outside
Create Date: 2026-12-07 04:00:00

"""

import sqlalchemy as sa
from alembic import op

from reception.models.types import UTCDateTime

revision = "0018_halls"
down_revision = "0017_outside"
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN, the values, then a unique index: on SQLite a copy of `halls` (a
    # batch) cannot drop the old table while services, desks and tickets refer to it
    op.add_column(
        "halls",
        sa.Column("code", sa.String(length=32), nullable=False, server_default=""),
    )
    op.execute("UPDATE halls SET code = 'hall-' || CAST(id AS VARCHAR(12))")
    op.create_index("ix_halls_code", "halls", ["code"], unique=True)
    op.add_column(
        "users",
        sa.Column("all_halls", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "staff_halls",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_staff_halls_hall_id_halls", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_staff_halls_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "hall_id", name="pk_staff_halls"),
    )
    op.create_index("ix_staff_halls_hall_id", "staff_halls", ["hall_id"], unique=False)
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hall_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_audit_entries_hall_id_halls", "halls", ["hall_id"], ["id"]
        )
        batch_op.create_index("ix_audit_entries_hall_id", ["hall_id"], unique=False)
    op.execute("UPDATE audit_entries SET hall_id = (SELECT MIN(id) FROM halls)")
    # a matter handed down keeps the hall it came from; plain ADD COLUMN (see `halls` above)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE cases ADD COLUMN origin_hall_id INTEGER REFERENCES halls (id)")
    else:
        op.add_column("cases", sa.Column("origin_hall_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_cases_origin_hall_id_halls", "cases", "halls", ["origin_hall_id"], ["id"]
        )
    op.create_index("ix_cases_origin_hall_id", "cases", ["origin_hall_id"], unique=False)
    op.create_table(
        "case_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("from_hall_id", sa.Integer(), nullable=False),
        sa.Column("to_hall_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["services.id"]),
        sa.ForeignKeyConstraint(["from_hall_id"], ["halls.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["to_hall_id"], ["halls.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_handovers_case_id", "case_handovers", ["case_id"], unique=False)
    op.create_index(
        "ix_case_handovers_to_hall_id", "case_handovers", ["to_hall_id"], unique=False
    )
    op.create_table(
        "case_supervisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("alerted_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_case_supervisions_case_id", "case_supervisions", ["case_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_case_supervisions_case_id", table_name="case_supervisions")
    op.drop_table("case_supervisions")
    op.drop_index("ix_case_handovers_to_hall_id", table_name="case_handovers")
    op.drop_index("ix_case_handovers_case_id", table_name="case_handovers")
    op.drop_table("case_handovers")
    op.drop_index("ix_cases_origin_hall_id", table_name="cases")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_cases_origin_hall_id_halls", "cases", type_="foreignkey")
    op.drop_column("cases", "origin_hall_id")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_hall_id")
        batch_op.drop_constraint("fk_audit_entries_hall_id_halls", type_="foreignkey")
        batch_op.drop_column("hall_id")
    op.drop_index("ix_staff_halls_hall_id", table_name="staff_halls")
    op.drop_table("staff_halls")
    # plain DROP COLUMN (SQLite 3.35 and later): no copy of tables others refer to
    op.drop_column("users", "all_halls")
    op.drop_index("ix_halls_code", table_name="halls")
    op.drop_column("halls", "code")
