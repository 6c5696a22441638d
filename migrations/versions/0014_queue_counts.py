"""queue counts kept by the database: tickets waiting per hall, day and service

Every live event and the kiosk carry how many wait for each service; counting them read the
whole stretch of the line on every call and every issue (hundreds of index entries at a busy
hall's peak, inside the hall lock). Triggers on `tickets` now keep `queue_counts` in step, in
the same statement as each change, whatever writes the ticket: a count is one row.

A SQLite table rebuild (Alembic's batch mode on `tickets`) drops its triggers: a migration that
rebuilds `tickets` must create them again (`create_triggers`); the tests compare the counts with
the tickets after every kind of move, so a lost trigger fails them.

Revision ID: 0014_queue_counts
Revises: 0013_line_order
Create Date: 2026-12-02 17:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_queue_counts"
down_revision = "0013_line_order"
branch_labels = None
depends_on = None

_KEY = "hall_id, service_day, service_id"


def _sqlite_join(row: str) -> str:
    return (
        f"INSERT INTO queue_counts ({_KEY}, waiting) "
        f"VALUES ({row}.hall_id, {row}.service_day, {row}.service_id, 1) "
        f"ON CONFLICT ({_KEY}) DO UPDATE SET waiting = waiting + 1;"
    )


def _sqlite_leave(row: str) -> str:
    return (
        "UPDATE queue_counts SET waiting = waiting - 1 "
        f"WHERE hall_id = {row}.hall_id AND service_day = {row}.service_day "
        f"AND service_id = {row}.service_id;"
    )


_LINE_COLUMNS = "state, service_id, service_day, hall_id"
SQLITE_TRIGGERS = {
    "tr_queue_count_insert": (
        f"AFTER INSERT ON tickets WHEN NEW.state = 'waiting' BEGIN {_sqlite_join('NEW')} END"
    ),
    "tr_queue_count_leave": (
        f"AFTER UPDATE OF {_LINE_COLUMNS} ON tickets WHEN OLD.state = 'waiting' "
        f"BEGIN {_sqlite_leave('OLD')} END"
    ),
    "tr_queue_count_join": (
        f"AFTER UPDATE OF {_LINE_COLUMNS} ON tickets WHEN NEW.state = 'waiting' "
        f"BEGIN {_sqlite_join('NEW')} END"
    ),
    "tr_queue_count_delete": (
        f"AFTER DELETE ON tickets WHEN OLD.state = 'waiting' BEGIN {_sqlite_leave('OLD')} END"
    ),
}

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION queue_count_follow() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = NEW.state AND OLD.service_id = NEW.service_id
            AND OLD.service_day = NEW.service_day AND OLD.hall_id = NEW.hall_id THEN
        RETURN NULL;  -- still in the same line, or still out of every line
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'waiting' THEN
        UPDATE queue_counts SET waiting = waiting - 1
        WHERE hall_id = OLD.hall_id AND service_day = OLD.service_day
            AND service_id = OLD.service_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state = 'waiting' THEN
        INSERT INTO queue_counts ({_KEY}, waiting)
        VALUES (NEW.hall_id, NEW.service_day, NEW.service_id, 1)
        ON CONFLICT ({_KEY}) DO UPDATE SET waiting = queue_counts.waiting + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
POSTGRES_TRIGGER = (
    f"CREATE TRIGGER tr_queue_count AFTER INSERT OR DELETE OR UPDATE OF {_LINE_COLUMNS} "
    "ON tickets FOR EACH ROW EXECUTE FUNCTION queue_count_follow()"
)


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tr_queue_count ON tickets")
        op.execute("DROP FUNCTION IF EXISTS queue_count_follow()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade():
    op.create_table(
        "queue_counts",
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall_id", "service_day", "service_id"),
    )
    op.execute(
        f"INSERT INTO queue_counts ({_KEY}, waiting) "
        f"SELECT {_KEY}, count(*) FROM tickets WHERE state = 'waiting' GROUP BY {_KEY}"
    )
    create_triggers()


def downgrade():
    drop_triggers()
    op.drop_table("queue_counts")
