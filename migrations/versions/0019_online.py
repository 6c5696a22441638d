"""the online door (网上信访): matters sent from a phone with their attachments (encrypted), the
one-time codes that confirm a phone, requests for material, ratings of a reply, and the failed
look-ups the limits count

Revision ID: 0019_online
Revises: 0018_halls
Create Date: 2026-12-07 06:02:24.760681

"""

import sqlalchemy as sa
from alembic import op

import reception.models.types

# revision identifiers, used by Alembic.
revision = "0019_online"
down_revision = "0018_halls"
branch_labels = None
depends_on = None


def upgrade():
    # how each matter came (信访形式): every matter registered so far was a visit (plain ADD
    # COLUMN: a copy of `cases` could not drop the table others refer to on SQLite)
    op.add_column(
        "cases",
        sa.Column("form", sa.String(length=10), nullable=False, server_default="visit"),
    )
    op.create_table(
        "online_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("remote_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("online_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_online_attempts_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_online_attempts_remote_hash"), ["remote_hash"], unique=False
        )

    op.create_table(
        "phone_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("remote_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", reception.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["halls.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phone_codes", schema=None) as batch_op:
        batch_op.create_index("ix_phone_codes_phone", ["phone_hash", "sent_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_phone_codes_remote_hash"), ["remote_hash"], unique=False
        )

    op.create_table(
        "online_petitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("received_at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("name", reception.models.types.Encrypted(), nullable=False),
        sa.Column("id_number", reception.models.types.Encrypted(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("phone", reception.models.types.Encrypted(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("remote_hash", sa.String(length=64), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("accusation", sa.Boolean(), nullable=False),
        sa.Column("place", reception.models.types.Encrypted(), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("representatives", reception.models.types.Encrypted(), nullable=False),
        sa.Column("query_hash", sa.String(length=64), nullable=False),
        sa.Column("link", sa.String(length=8), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", reception.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["services.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["halls.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link"),
        sa.UniqueConstraint("query_hash"),
    )
    with op.batch_alter_table("online_petitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_online_petitions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_online_petitions_hall_id"), ["hall_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_online_petitions_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_online_petitions_phone_hash"), ["phone_hash"], unique=False
        )

    op.create_table(
        "reply_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("unit_level", sa.String(length=10), nullable=False),
        sa.Column("office_level", sa.String(length=10), nullable=False),
        sa.Column("at", reception.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "stage", name="uq_reply_rating_stage"),
    )
    with op.batch_alter_table("reply_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_ratings_case_id"), ["case_id"], unique=False)

    op.create_table(
        "material_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_at", reception.models.types.UTCDateTime(), nullable=True),
        sa.Column("answer", reception.models.types.Encrypted(), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["online_petitions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("material_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_material_requests_petition_id"), ["petition_id"], unique=False
        )

    op.create_table(
        "online_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("at", reception.models.types.UTCDateTime(), nullable=False),
        sa.Column("name", reception.models.types.Encrypted(), nullable=False),
        sa.Column("mimetype", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["material_requests.id"],
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["online_petitions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("online_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_online_files_petition_id"), ["petition_id"], unique=False
        )



def downgrade():
    op.drop_column("cases", "form")  # plain DROP COLUMN (SQLite 3.35 and later)
    with op.batch_alter_table("online_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_online_files_petition_id"))

    op.drop_table("online_files")
    with op.batch_alter_table("material_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_material_requests_petition_id"))

    op.drop_table("material_requests")
    with op.batch_alter_table("reply_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_ratings_case_id"))

    op.drop_table("reply_ratings")
    with op.batch_alter_table("online_petitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_online_petitions_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_online_petitions_id_hash"))
        batch_op.drop_index(batch_op.f("ix_online_petitions_hall_id"))
        batch_op.drop_index(batch_op.f("ix_online_petitions_case_id"))

    op.drop_table("online_petitions")
    with op.batch_alter_table("phone_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_codes_remote_hash"))
        batch_op.drop_index("ix_phone_codes_phone")

    op.drop_table("phone_codes")
    with op.batch_alter_table("online_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_online_attempts_remote_hash"))
        batch_op.drop_index(batch_op.f("ix_online_attempts_at"))

    op.drop_table("online_attempts")
