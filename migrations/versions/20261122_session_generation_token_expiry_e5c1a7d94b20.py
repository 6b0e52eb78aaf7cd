"""session generation per user, API token expiry

Revision ID: e5c1a7d94b20
Revises: b94ec9d92013
Create Date: 2026-11-22 09:00:00.000000

Existing tokens keep working for 90 days from the upgrade (their owners see the expiry and can
issue new ones); existing sessions end, since their cookies carry no session generation.
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'e5c1a7d94b20'
down_revision = 'b94ec9d92013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default=sa.text('0'), nullable=False))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', portal.db.UTCDateTime(timezone=True), nullable=True))
    tokens = sa.table('api_tokens', sa.column('expires_at', portal.db.UTCDateTime(timezone=True)))
    op.execute(tokens.update().values(expires_at=portal.db.utcnow() + timedelta(days=90)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=portal.db.UTCDateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
