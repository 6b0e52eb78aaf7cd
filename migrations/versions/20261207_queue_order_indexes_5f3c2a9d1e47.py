"""queue order indexes: the request lists in their default order, behind each queue's filter

Every request list (the queues, the API list) reads its page in the order of one of these
indexes and stops, instead of sorting every matching request. PostgreSQL only: SQLite has no
NULLS LAST in an index.

Revision ID: 5f3c2a9d1e47
Revises: 01690b1ec010
Create Date: 2026-12-07 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f3c2a9d1e47'
down_revision = '01690b1ec010'
branch_labels = None
depends_on = None

RECENT = [sa.text('filed_at DESC NULLS LAST'), sa.text('id DESC')]
INDEXES = {
    'ix_access_requests_recent': [],
    'ix_access_requests_requester_recent': ['requester_id'],
    'ix_access_requests_dependency_recent': ['dependency_id'],
    'ix_access_requests_state_recent': ['state'],
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, columns in INDEXES.items():
        op.create_index(name, 'access_requests', [*columns, *RECENT], unique=False)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name in reversed(INDEXES):
        op.drop_index(name, table_name='access_requests')
