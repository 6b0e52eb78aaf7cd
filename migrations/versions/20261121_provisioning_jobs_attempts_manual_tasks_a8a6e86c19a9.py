"""provisioning jobs, attempts, manual tasks

Revision ID: a8a6e86c19a9
Revises: 126c8f49b807
Create Date: 2026-11-21 07:00:33.068488

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'a8a6e86c19a9'
down_revision = '126c8f49b807'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('manual_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('is_closed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('(NOT is_closed) OR (closed_by_id IS NOT NULL AND note IS NOT NULL)', name=op.f('ck_manual_tasks_closed_has_note')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_manual_tasks_closed_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_manual_tasks_request_id_access_requests')),
    sa.ForeignKeyConstraint(['system_id'], ['target_systems.id'], name=op.f('fk_manual_tasks_system_id_target_systems')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_tasks')),
    sa.UniqueConstraint('request_id', 'system_id', name='uq_manual_tasks_request_system')
    )
    with op.batch_alter_table('manual_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manual_tasks_request_id'), ['request_id'], unique=False)

    op.create_table('provisioning_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('crear', 'activar', 'retirar', 'desbloquear', 'inicializar', 'modificar_roles', name='request_action', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('pendiente', 'en_curso', 'exitoso', 'fallido', 'resuelto_manual', name='job_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=True),
    sa.Column('next_attempt_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('password_sent_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_provisioning_jobs_request_id_access_requests')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_provisioning_jobs_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['system_id'], ['target_systems.id'], name=op.f('fk_provisioning_jobs_system_id_target_systems')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provisioning_jobs')),
    sa.UniqueConstraint('request_id', 'system_id', name='uq_provisioning_jobs_request_system')
    )
    with op.batch_alter_table('provisioning_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provisioning_jobs_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_provisioning_jobs_state_next', ['state', 'next_attempt_at'], unique=False)

    op.create_table('provisioning_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('started_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('succeeded', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['provisioning_jobs.id'], name=op.f('fk_provisioning_attempts_job_id_provisioning_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provisioning_attempts'))
    )
    with op.batch_alter_table('provisioning_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provisioning_attempts_job_id'), ['job_id'], unique=False)



def downgrade():
    with op.batch_alter_table('provisioning_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provisioning_attempts_job_id'))

    op.drop_table('provisioning_attempts')
    with op.batch_alter_table('provisioning_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_provisioning_jobs_state_next')
        batch_op.drop_index(batch_op.f('ix_provisioning_jobs_request_id'))

    op.drop_table('provisioning_jobs')
    with op.batch_alter_table('manual_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manual_tasks_request_id'))

    op.drop_table('manual_tasks')
