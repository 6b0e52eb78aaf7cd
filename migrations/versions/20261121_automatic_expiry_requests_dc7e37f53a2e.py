"""automatic expiry requests

Revision ID: dc7e37f53a2e
Revises: 20d5a968cf45
Create Date: 2026-11-21 08:15:27.935303

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'dc7e37f53a2e'
down_revision = '20d5a968cf45'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_automatic', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('origin_request_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expiry_warned_at', portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_access_requests_origin_request_id'), ['origin_request_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_access_requests_origin_request_id_access_requests'), 'access_requests', ['origin_request_id'], ['id'])
        batch_op.create_index('ix_access_requests_exception_approved', ['approved_at'], unique=False, postgresql_where=sa.text('is_exception'), sqlite_where=sa.text('is_exception'))



def downgrade():
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_access_requests_exception_approved', postgresql_where=sa.text('is_exception'), sqlite_where=sa.text('is_exception'))
        batch_op.drop_constraint(batch_op.f('fk_access_requests_origin_request_id_access_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_access_requests_origin_request_id'))
        batch_op.drop_column('expiry_warned_at')
        batch_op.drop_column('origin_request_id')
        batch_op.drop_column('is_automatic')

