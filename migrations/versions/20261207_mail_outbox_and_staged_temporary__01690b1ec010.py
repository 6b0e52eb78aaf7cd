"""mail outbox; temporary passwords staged in it before the directory is changed

Revision ID: 01690b1ec010
Revises: 81bc9fb659a3
Create Date: 2026-12-07 05:00:29.966050

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '01690b1ec010'
down_revision = '81bc9fb659a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('template', sa.String(length=200), nullable=True),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('sealed', sa.Text(), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('retenido', 'pendiente', 'enviando', 'enviado', 'fallido', name='mail_state', native_enum=False, create_constraint=True, length=40), server_default='pendiente', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('body IS NOT NULL OR template IS NOT NULL', name=op.f('ck_outbox_mails_has_content')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_mails_message_id'))
    )
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_mails_state_next', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('provisioning_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_mail_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('password_stamp', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_provisioning_jobs_password_mail_id_outbox_mails'), 'outbox_mails', ['password_mail_id'], ['id'])



def downgrade():
    with op.batch_alter_table('provisioning_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_provisioning_jobs_password_mail_id_outbox_mails'), type_='foreignkey')
        batch_op.drop_column('password_stamp')
        batch_op.drop_column('password_mail_id')

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mails_state_next')

    op.drop_table('outbox_mails')
