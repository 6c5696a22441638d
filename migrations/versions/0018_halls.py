"""many halls on one deployment: a hall's code (its addresses), staff by hall with a role in
each (a city account works in every hall), the hall an audit entry was made in

An existing deployment's accounts become city accounts (they worked in its only hall, and keep
their role there); its hall gets the code `hall-<id>`, and its audit trail belongs to it.

Revision ID: 0018_halls
Revises: 0017_outside
Create Date: 2026-12-07 04:00:00

"""

import sqlalchemy as sa
from alembic import op

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


def downgrade():
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
