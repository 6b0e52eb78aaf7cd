"""keyed audit chain (chain_version), append-only audit table on PostgreSQL

Revision ID: 3f8d2b6c1e47
Revises: e5c1a7d94b20
Create Date: 2026-11-22 09:30:00.000000

Events written before this revision keep their plain SHA-256 links (chain_version 1); every later
event is an HMAC-SHA256 link keyed with AUDIT_HMAC_KEY (chain_version 2), and the first keyed
event's link covers the hash of the last plain one, so the older part cannot be rewritten
without breaking it. Nothing is re-hashed: the history stays as it was written.
On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of audit_events.
"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '3f8d2b6c1e47'
down_revision = 'e5c1a7d94b20'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_no_update_delete ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('chain_version')
