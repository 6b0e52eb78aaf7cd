"""report indexes: breached timers, open requests by state and filing

The ANS report reads a period's worst breaches and the open requests by age from index-only scans.

Revision ID: b94ec9d92013
Revises: 0214d13fe0e0
Create Date: 2026-11-21 09:28:19.263683

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'b94ec9d92013'
down_revision = '0214d13fe0e0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.create_index('ix_access_requests_state_filed_at', ['state', 'filed_at'], unique=False, postgresql_include=['dependency_id'])

    with op.batch_alter_table('sla_timers', schema=None) as batch_op:
        batch_op.create_index('ix_sla_timers_breached_stopped_at', ['stopped_at'], unique=False, postgresql_where=sa.text('stopped_at IS NOT NULL AND elapsed_seconds > target_seconds'), postgresql_include=['outcome', 'metric', 'dependency_id', 'request_id', 'id', 'elapsed_seconds', 'target_seconds'], sqlite_where=sa.text('stopped_at IS NOT NULL AND elapsed_seconds > target_seconds'))


def downgrade():
    with op.batch_alter_table('sla_timers', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_timers_breached_stopped_at', postgresql_where=sa.text('stopped_at IS NOT NULL AND elapsed_seconds > target_seconds'), postgresql_include=['outcome', 'metric', 'dependency_id', 'request_id', 'id', 'elapsed_seconds', 'target_seconds'], sqlite_where=sa.text('stopped_at IS NOT NULL AND elapsed_seconds > target_seconds'))

    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_access_requests_state_filed_at', postgresql_include=['dependency_id'])
