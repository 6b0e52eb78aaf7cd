"""ans timers, calendar days off, targets

Revision ID: 79b32327577b
Revises: d85a0f575741
Create Date: 2026-11-21 08:09:34.194559

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '79b32327577b'
down_revision = 'd85a0f575741'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_days_off_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days_off')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_days_off_day'))
    )
    op.create_table('calendar_half_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('blocks', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_half_days_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_half_days')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_half_days_day'))
    )
    op.create_table('calendar_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.String(length=32), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_calendar_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_settings'))
    )
    op.create_table('sla_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form', sa.Enum('FO-M11-P2-05', 'FO-M11-P2-12', 'FO-M11-P2-13', name='request_form', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('action', sa.Enum('crear', 'activar', 'retirar', 'desbloquear', 'inicializar', 'modificar_roles', name='request_action', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('priority', sa.Enum('normal', 'alta', name='priority', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('metric', sa.Enum('atencion', 'solucion', 'paso', name='sla_metric', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('target_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('target_minutes > 0', name=op.f('ck_sla_targets_positive_target')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_sla_targets_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_targets')),
    sa.UniqueConstraint('form', 'action', 'priority', 'metric', name='uq_sla_targets_form_action_priority_metric')
    )
    op.create_table('sla_timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('metric', sa.Enum('atencion', 'solucion', 'paso', name='sla_metric', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('form', sa.Enum('FO-M11-P2-05', 'FO-M11-P2-12', 'FO-M11-P2-13', name='request_form', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('action', sa.Enum('crear', 'activar', 'retirar', 'desbloquear', 'inicializar', 'modificar_roles', name='request_action', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('target_seconds', sa.Integer(), nullable=False),
    sa.Column('is_placeholder_target', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('started_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paused_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paused_seconds', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('warn_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('escalate_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('completado', 'anulado', name='sla_outcome', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('elapsed_seconds', sa.Integer(), nullable=True),
    sa.CheckConstraint("(metric = 'paso') = (step_id IS NOT NULL)", name=op.f('ck_sla_timers_step_timer_has_step')),
    sa.CheckConstraint('(stopped_at IS NULL) = (outcome IS NULL)', name=op.f('ck_sla_timers_stopped_has_outcome')),
    sa.CheckConstraint('(stopped_at IS NULL) OR (elapsed_seconds IS NOT NULL)', name=op.f('ck_sla_timers_stopped_has_elapsed')),
    sa.CheckConstraint('(stopped_at IS NULL) OR (paused_at IS NULL)', name=op.f('ck_sla_timers_stopped_not_paused')),
    sa.CheckConstraint('target_seconds > 0', name=op.f('ck_sla_timers_positive_target')),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_sla_timers_approver_id_users')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_sla_timers_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_sla_timers_request_id_access_requests')),
    sa.ForeignKeyConstraint(['step_id'], ['approval_steps.id'], name=op.f('fk_sla_timers_step_id_approval_steps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_timers'))
    )
    with op.batch_alter_table('sla_timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_timers_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_sla_timers_running_due', ['due_at'], unique=False, postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL'))
        batch_op.create_index('ix_sla_timers_stopped_at', ['stopped_at'], unique=False, postgresql_where=sa.text('stopped_at IS NOT NULL'), postgresql_include=['outcome', 'metric', 'form', 'action', 'dependency_id', 'approver_id', 'elapsed_seconds', 'target_seconds', 'is_placeholder_target'], sqlite_where=sa.text('stopped_at IS NOT NULL'))
        batch_op.create_index('uq_sla_timers_request_metric', ['request_id', 'metric'], unique=True, postgresql_where=sa.text('step_id IS NULL'), sqlite_where=sa.text('step_id IS NULL'))
        batch_op.create_index('uq_sla_timers_step', ['step_id'], unique=True, postgresql_where=sa.text('step_id IS NOT NULL'), sqlite_where=sa.text('step_id IS NOT NULL'))

    op.create_table('sla_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timer_id', sa.Integer(), nullable=False),
    sa.Column('paused_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resumed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('business_seconds', sa.Integer(), nullable=True),
    sa.CheckConstraint('(resumed_at IS NULL) = (business_seconds IS NULL)', name=op.f('ck_sla_pauses_resumed_has_seconds')),
    sa.ForeignKeyConstraint(['timer_id'], ['sla_timers.id'], name=op.f('fk_sla_pauses_timer_id_sla_timers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_pauses'))
    )
    with op.batch_alter_table('sla_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_pauses_timer_id'), ['timer_id'], unique=False)

    op.create_table('sla_pending_notices',
    sa.Column('timer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('level', sa.Enum('aviso', 'incumplimiento', 'escalamiento', name='sla_notice_level', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('notice_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('step_kind', sa.Enum('jefe', 'seguridad', 'aprobador', name='step_kind', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('dependency_id', sa.Integer(), nullable=True),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['timer_id'], ['sla_timers.id'], name=op.f('fk_sla_pending_notices_timer_id_sla_timers')),
    sa.PrimaryKeyConstraint('timer_id', 'level', name=op.f('pk_sla_pending_notices'))
    )
    with op.batch_alter_table('sla_pending_notices', schema=None) as batch_op:
        batch_op.create_index('ix_sla_pending_notices_notice_at', ['notice_at'], unique=False, postgresql_where=sa.text('notice_at IS NOT NULL'), sqlite_where=sa.text('notice_at IS NOT NULL'))
def downgrade():
    with op.batch_alter_table('sla_pending_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_pending_notices_notice_at', postgresql_where=sa.text('notice_at IS NOT NULL'), sqlite_where=sa.text('notice_at IS NOT NULL'))

    op.drop_table('sla_pending_notices')
    with op.batch_alter_table('sla_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_pauses_timer_id'))

    op.drop_table('sla_pauses')
    with op.batch_alter_table('sla_timers', schema=None) as batch_op:
        batch_op.drop_index('uq_sla_timers_step', postgresql_where=sa.text('step_id IS NOT NULL'), sqlite_where=sa.text('step_id IS NOT NULL'))
        batch_op.drop_index('uq_sla_timers_request_metric', postgresql_where=sa.text('step_id IS NULL'), sqlite_where=sa.text('step_id IS NULL'))
        batch_op.drop_index('ix_sla_timers_stopped_at', postgresql_where=sa.text('stopped_at IS NOT NULL'), postgresql_include=['outcome', 'metric', 'form', 'action', 'dependency_id', 'approver_id', 'elapsed_seconds', 'target_seconds', 'is_placeholder_target'], sqlite_where=sa.text('stopped_at IS NOT NULL'))
        batch_op.drop_index('ix_sla_timers_running_due', postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_sla_timers_request_id'))

    op.drop_table('sla_timers')
    op.drop_table('sla_targets')
    op.drop_table('calendar_settings')
    op.drop_table('calendar_half_days')
    op.drop_table('calendar_days_off')