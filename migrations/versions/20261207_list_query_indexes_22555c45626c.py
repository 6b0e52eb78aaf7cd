"""list query indexes: every request list and the audit page read their page in index order

The queues sorted by priority read an index on (priority, filed_at, id); the approvers' queue
("por aprobar") reads the requests in approval, a small share of all, from a partial index. The
API's keyset orders that differ from the page's ("antiguas" with the drafts last, "estado" then
the newest id) get their own indexes. The audit page lists the newest first by (occurred_at, id),
whole, by action or by object: its three indexes end in that order. The PostgreSQL-only indexes
use NULLS LAST, which SQLite's indexes lack, like the other queue order indexes.

JIT compilation off for the database: the planner's cost of a queue page grows with the table
(it cannot tell how soon the approvers' filter finds 25 rows), and past ``jit_above_cost`` each
page spent about 0.35 s compiling its expressions at 1,000,000 requests, for a page that runs in
5 ms. A role that may not alter the database leaves it on, with a notice.

Revision ID: 22555c45626c
Revises: a9fbaf8735c5
Create Date: 2026-12-07 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '22555c45626c'
down_revision = 'a9fbaf8735c5'
branch_labels = None
depends_on = None

RECENT = [sa.text('filed_at DESC NULLS LAST'), sa.text('id DESC')]
JIT = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I {}', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'jit unchanged: this role may not alter the database';
END
$$
"""


def upgrade():
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.create_index('ix_access_requests_oldest', ['filed_at', 'id'], unique=False)
        batch_op.create_index('ix_access_requests_requester_oldest', ['requester_id', 'filed_at', 'id'], unique=False)
        batch_op.create_index('ix_access_requests_state_id', ['state', sa.text('id DESC')], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_occurred_at')
        batch_op.drop_index('ix_audit_events_action')
        batch_op.drop_index('ix_audit_events_object')
        batch_op.create_index('ix_audit_events_recent', ['occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_action', ['action', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id', 'occurred_at', 'id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_access_requests_priority_recent', 'access_requests', ['priority', *RECENT], unique=False)
        op.create_index(
            'ix_access_requests_approval_recent',
            'access_requests',
            RECENT,
            unique=False,
            postgresql_where=sa.text("state IN ('radicada', 'en_aprobacion')"),
        )
        op.execute(JIT.format('SET jit = off'))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(JIT.format('RESET jit'))
        op.drop_index('ix_access_requests_approval_recent', table_name='access_requests')
        op.drop_index('ix_access_requests_priority_recent', table_name='access_requests')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_object')
        batch_op.drop_index('ix_audit_events_action')
        batch_op.drop_index('ix_audit_events_recent')
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_audit_events_action', ['action'], unique=False)
        batch_op.create_index('ix_audit_events_occurred_at', ['occurred_at'], unique=False)

    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_access_requests_state_id')
        batch_op.drop_index('ix_access_requests_requester_oldest')
        batch_op.drop_index('ix_access_requests_oldest')
