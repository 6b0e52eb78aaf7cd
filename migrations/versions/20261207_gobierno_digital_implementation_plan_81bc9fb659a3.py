"""gobierno digital implementation plan: scores, gaps, work plan, projects, indicators, risks,
milestones, the enlaces' checklists; the profesional_gd role

Revision ID: 81bc9fb659a3
Revises: 3f8d2b6c1e47
Create Date: 2026-12-07 04:05:35.335017

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '81bc9fb659a3'
down_revision = '3f8d2b6c1e47'
branch_labels = None
depends_on = None

ROLES_BEFORE = (
    'enlace', 'jefe', 'aprobador', 'seguridad', 'agente', 'secretario', 'secretaria_tecnica', 'integrante',
    'control_interno', 'admin',
)
ROLES_AFTER = ROLES_BEFORE + ('profesional_gd',)


def _role_check(roles):
    """Replace the CHECK constraint of ``role_assignments.role`` (a non-native enum) with ``roles``."""
    condition = "role IN ({})".format(", ".join(f"'{r}'" for r in roles))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilds the table; it cannot reflect the expression index, so it is set aside and made again
        op.drop_index('uq_role_assignments_user_role_dependency', table_name='role_assignments')
        with op.batch_alter_table('role_assignments', recreate='always') as batch_op:
            batch_op.drop_constraint(op.f('ck_role_assignments_role'), type_='check')
            batch_op.create_check_constraint(op.f('ck_role_assignments_role'), condition)
        op.create_index(
            'uq_role_assignments_user_role_dependency',
            'role_assignments',
            ['user_id', 'role', sa.text('coalesce(dependency_id, 0)')],
            unique=True,
        )
    else:
        op.drop_constraint(op.f('ck_role_assignments_role'), 'role_assignments', type_='check')
        op.create_check_constraint(op.f('ck_role_assignments_role'), 'role_assignments', condition)


def upgrade():
    _role_check(ROLES_AFTER)
    op.create_table('gd_duty_checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('due_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('overdue_notified_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_gd_duty_checklists_dependency_id_dependencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_duty_checklists')),
    sa.UniqueConstraint('dependency_id', 'period_start', name='uq_gd_duty_checklists_period')
    )
    with op.batch_alter_table('gd_duty_checklists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_duty_checklists_dependency_id'), ['dependency_id'], unique=False)
        batch_op.create_index('ix_gd_duty_checklists_due', ['due_at'], unique=False)

    op.create_table('gd_analysis_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vigencia', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gd_analysis_sessions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_analysis_sessions'))
    )
    with op.batch_alter_table('gd_analysis_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_analysis_sessions_vigencia'), ['vigencia'], unique=False)

    op.create_table('gd_duty_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.Enum('comite', 'portal_web', 'suit', 'datos_abiertos', name='gd_duty', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('answer', sa.Enum('cumple', 'no_cumple', 'no_aplica', name='gd_duty_answer', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence_url', sa.String(length=500), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(answer IS NULL) = (answered_at IS NULL)', name=op.f('ck_gd_duty_items_answered_has_time')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_gd_duty_items_answered_by_id_users')),
    sa.ForeignKeyConstraint(['checklist_id'], ['gd_duty_checklists.id'], name=op.f('fk_gd_duty_items_checklist_id_gd_duty_checklists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_duty_items')),
    sa.UniqueConstraint('checklist_id', 'duty', name='uq_gd_duty_items_duty')
    )
    with op.batch_alter_table('gd_duty_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_duty_items_checklist_id'), ['checklist_id'], unique=False)

    op.create_table('gd_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vigencia', sa.Integer(), nullable=False),
    sa.Column('instrument', sa.Enum('furag', 'itd', 'iga', 'propio', name='gd_instrument', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('component', sa.Enum('arquitectura', 'seguridad_privacidad', 'cultura_apropiacion', 'servicios_ciudadanos_digitales', 'servicios_procesos_inteligentes', 'decisiones_basadas_datos', 'estado_abierto', name='gd_component', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('maximum', sa.Float(), nullable=False),
    sa.Column('threshold_percent', sa.Integer(), nullable=False),
    sa.Column('identified_by_id', sa.Integer(), nullable=True),
    sa.Column('identified_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['identified_by_id'], ['users.id'], name=op.f('fk_gd_gaps_identified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_gaps')),
    sa.UniqueConstraint('vigencia', 'instrument', 'code', name='uq_gd_gaps_item')
    )
    with op.batch_alter_table('gd_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_gaps_vigencia'), ['vigencia'], unique=False)

    op.create_table('gd_score_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_gd_score_imports_imported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_score_imports'))
    )
    op.create_table('gd_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('gap_threshold_percent', sa.Integer(), nullable=False),
    sa.Column('milestone_late_days', sa.Integer(), nullable=False),
    sa.Column('measurement_due_days', sa.Integer(), nullable=False),
    sa.Column('duty_periodicity', sa.Enum('mensual', 'trimestral', 'semestral', 'anual', name='gd_periodicity', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('duty_due_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('gap_threshold_percent BETWEEN 1 AND 100', name=op.f('ck_gd_settings_threshold_range')),
    sa.CheckConstraint('id = 1', name=op.f('ck_gd_settings_single_row')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_gd_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_settings'))
    )
    op.create_table('gd_work_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vigencia', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('borrador', 'en_revision', 'aprobado', name='gd_plan_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state <> 'aprobado') OR (approved_at IS NOT NULL AND approved_by_id IS NOT NULL)", name=op.f('ck_gd_work_plans_approved_has_who')),
    sa.CheckConstraint("(state <> 'en_revision') OR (submitted_at IS NOT NULL)", name=op.f('ck_gd_work_plans_review_has_submission')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_gd_work_plans_approved_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gd_work_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_gd_work_plans_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_work_plans')),
    sa.UniqueConstraint('vigencia', name=op.f('uq_gd_work_plans_vigencia'))
    )
    op.create_table('gd_analysis_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['gd_analysis_sessions.id'], name=op.f('fk_gd_analysis_attendees_session_id_gd_analysis_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_gd_analysis_attendees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_analysis_attendees')),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_gd_analysis_attendees_person')
    )
    with op.batch_alter_table('gd_analysis_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_analysis_attendees_session_id'), ['session_id'], unique=False)

    op.create_table('gd_budget_availabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gd_budget_availabilities_amount_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['gd_work_plans.id'], name=op.f('fk_gd_budget_availabilities_plan_id_gd_work_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_budget_availabilities')),
    sa.UniqueConstraint('plan_id', 'number', name='uq_gd_budget_availabilities_number')
    )
    with op.batch_alter_table('gd_budget_availabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_budget_availabilities_plan_id'), ['plan_id'], unique=False)

    op.create_table('gd_plan_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('gap_id', sa.Integer(), nullable=True),
    sa.Column('component', sa.Enum('arquitectura', 'seguridad_privacidad', 'cultura_apropiacion', 'servicios_ciudadanos_digitales', 'servicios_procesos_inteligentes', 'decisiones_basadas_datos', 'estado_abierto', name='gd_component', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('deliverable', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('pendiente', 'en_curso', 'terminada', 'cancelada', name='gd_activity_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('assigned_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_gd_plan_activities_dates_ordered')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_gd_plan_activities_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['gap_id'], ['gd_gaps.id'], name=op.f('fk_gd_plan_activities_gap_id_gd_gaps')),
    sa.ForeignKeyConstraint(['plan_id'], ['gd_work_plans.id'], name=op.f('fk_gd_plan_activities_plan_id_gd_work_plans')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_gd_plan_activities_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_plan_activities'))
    )
    with op.batch_alter_table('gd_plan_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_plan_activities_dependency_id'), ['dependency_id'], unique=False)
        batch_op.create_index('ix_gd_plan_activities_open', ['status', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_gd_plan_activities_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gd_plan_activities_responsible_id'), ['responsible_id'], unique=False)

    op.create_table('gd_plan_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('humano', 'economico', 'tecnologico', 'tecnico', 'logistico', name='gd_resource_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('(amount IS NULL) OR (amount >= 0)', name=op.f('ck_gd_plan_resources_amount_not_negative')),
    sa.ForeignKeyConstraint(['plan_id'], ['gd_work_plans.id'], name=op.f('fk_gd_plan_resources_plan_id_gd_work_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_plan_resources'))
    )
    with op.batch_alter_table('gd_plan_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_plan_resources_plan_id'), ['plan_id'], unique=False)

    op.create_table('gd_plan_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('approved_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_gd_plan_versions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['gd_work_plans.id'], name=op.f('fk_gd_plan_versions_plan_id_gd_work_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_plan_versions')),
    sa.UniqueConstraint('plan_id', 'number', name='uq_gd_plan_versions_number')
    )
    with op.batch_alter_table('gd_plan_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_plan_versions_plan_id'), ['plan_id'], unique=False)

    op.create_table('gd_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vigencia', sa.Integer(), nullable=False),
    sa.Column('instrument', sa.Enum('furag', 'itd', 'iga', 'propio', name='gd_instrument', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('component', sa.Enum('arquitectura', 'seguridad_privacidad', 'cultura_apropiacion', 'servicios_ciudadanos_digitales', 'servicios_procesos_inteligentes', 'decisiones_basadas_datos', 'estado_abierto', name='gd_component', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('maximum', sa.Float(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('maximum > 0', name=op.f('ck_gd_scores_maximum_positive')),
    sa.CheckConstraint('score >= 0 AND score <= maximum', name=op.f('ck_gd_scores_score_range')),
    sa.ForeignKeyConstraint(['import_id'], ['gd_score_imports.id'], name=op.f('fk_gd_scores_import_id_gd_score_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_scores')),
    sa.UniqueConstraint('vigencia', 'instrument', 'code', name='uq_gd_scores_item')
    )
    with op.batch_alter_table('gd_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_scores_import_id'), ['import_id'], unique=False)
        batch_op.create_index('ix_gd_scores_vigencia_component', ['vigencia', 'component'], unique=False)

    op.create_table('gd_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('component', sa.Enum('arquitectura', 'seguridad_privacidad', 'cultura_apropiacion', 'servicios_ciudadanos_digitales', 'servicios_procesos_inteligentes', 'decisiones_basadas_datos', 'estado_abierto', name='gd_component', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=True),
    sa.Column('vigencia', sa.Integer(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(end_date IS NULL) OR (end_date >= start_date)', name=op.f('ck_gd_projects_dates_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gd_projects_created_by_id_users')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_gd_projects_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_gd_projects_initiative_id_initiatives')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_gd_projects_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_projects')),
    sa.UniqueConstraint('initiative_id', name=op.f('uq_gd_projects_initiative_id'))
    )
    with op.batch_alter_table('gd_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_projects_dependency_id'), ['dependency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gd_projects_vigencia'), ['vigencia'], unique=False)

    op.create_table('gd_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('object', sa.Text(), nullable=False),
    sa.Column('contractor', sa.String(length=200), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_gd_contracts_dates_ordered')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_gd_contracts_value_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['gd_projects.id'], name=op.f('fk_gd_contracts_project_id_gd_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_contracts')),
    sa.UniqueConstraint('project_id', 'number', name='uq_gd_contracts_number')
    )
    with op.batch_alter_table('gd_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_contracts_project_id'), ['project_id'], unique=False)

    op.create_table('gd_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('formula', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('direction', sa.Enum('ascendente', 'descendente', name='gd_indicator_direction', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('periodicity', sa.Enum('mensual', 'trimestral', 'semestral', 'anual', name='gd_periodicity', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('vigencia', sa.Integer(), nullable=False),
    sa.Column('component', sa.Enum('arquitectura', 'seguridad_privacidad', 'cultura_apropiacion', 'servicios_ciudadanos_digitales', 'servicios_procesos_inteligentes', 'decisiones_basadas_datos', 'estado_abierto', name='gd_component', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gd_indicators_created_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['gd_projects.id'], name=op.f('fk_gd_indicators_project_id_gd_projects')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_gd_indicators_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_indicators'))
    )
    with op.batch_alter_table('gd_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_indicators_responsible_id'), ['responsible_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gd_indicators_vigencia'), ['vigencia'], unique=False)

    op.create_table('gd_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('progress_percent', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('late_alerted_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(progress_percent = 100) = (completed_on IS NOT NULL)', name=op.f('ck_gd_milestones_completed_has_date')),
    sa.CheckConstraint('progress_percent BETWEEN 0 AND 100', name=op.f('ck_gd_milestones_progress_range')),
    sa.CheckConstraint('weight BETWEEN 1 AND 100', name=op.f('ck_gd_milestones_weight_range')),
    sa.ForeignKeyConstraint(['project_id'], ['gd_projects.id'], name=op.f('fk_gd_milestones_project_id_gd_projects')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_gd_milestones_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_milestones'))
    )
    with op.batch_alter_table('gd_milestones', schema=None) as batch_op:
        batch_op.create_index('ix_gd_milestones_open', ['progress_percent', 'planned_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_gd_milestones_project_id'), ['project_id'], unique=False)

    op.create_table('gd_risks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vigencia', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('consequence', sa.Text(), nullable=False),
    sa.Column('category', sa.Enum('gestion', 'corrupcion', 'seguridad_informacion', name='gd_risk_category', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('component', sa.Enum('arquitectura', 'seguridad_privacidad', 'cultura_apropiacion', 'servicios_ciudadanos_digitales', 'servicios_procesos_inteligentes', 'decisiones_basadas_datos', 'estado_abierto', name='gd_component', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('treatment', sa.Enum('reducir', 'compartir', 'evitar', 'aceptar', name='gd_risk_treatment', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(category <> 'corrupcion') OR (impact >= 3)", name=op.f('ck_gd_risks_corruption_impact')),
    sa.CheckConstraint('impact BETWEEN 1 AND 5', name=op.f('ck_gd_risks_impact_scale')),
    sa.CheckConstraint('probability BETWEEN 1 AND 5', name=op.f('ck_gd_risks_probability_scale')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gd_risks_created_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['gd_projects.id'], name=op.f('fk_gd_risks_project_id_gd_projects')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_gd_risks_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_risks'))
    )
    with op.batch_alter_table('gd_risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_risks_vigencia'), ['vigencia'], unique=False)

    op.create_table('gd_contract_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('deliverables', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_gd_contract_reports_percent_range')),
    sa.ForeignKeyConstraint(['contract_id'], ['gd_contracts.id'], name=op.f('fk_gd_contract_reports_contract_id_gd_contracts')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_gd_contract_reports_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_contract_reports'))
    )
    with op.batch_alter_table('gd_contract_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_contract_reports_contract_id'), ['contract_id'], unique=False)

    op.create_table('gd_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('remind_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overdue_notified_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(value IS NULL) = (reported_at IS NULL)', name=op.f('ck_gd_measurements_reported_has_time')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_gd_measurements_period_ordered')),
    sa.ForeignKeyConstraint(['indicator_id'], ['gd_indicators.id'], name=op.f('fk_gd_measurements_indicator_id_gd_indicators')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_gd_measurements_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_measurements')),
    sa.UniqueConstraint('indicator_id', 'period_start', name='uq_gd_measurements_period')
    )
    with op.batch_alter_table('gd_measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_measurements_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index('ix_gd_measurements_pending', ['reported_at', 'due_at'], unique=False)

    op.create_table('gd_milestone_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_gd_milestone_progress_percent_range')),
    sa.ForeignKeyConstraint(['milestone_id'], ['gd_milestones.id'], name=op.f('fk_gd_milestone_progress_milestone_id_gd_milestones')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_gd_milestone_progress_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_milestone_progress'))
    )
    with op.batch_alter_table('gd_milestone_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_milestone_progress_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('gd_risk_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('pendiente', 'en_curso', 'terminada', name='gd_risk_action_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_gd_risk_actions_dates_ordered')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_gd_risk_actions_responsible_id_users')),
    sa.ForeignKeyConstraint(['risk_id'], ['gd_risks.id'], name=op.f('fk_gd_risk_actions_risk_id_gd_risks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_risk_actions'))
    )
    with op.batch_alter_table('gd_risk_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_risk_actions_risk_id'), ['risk_id'], unique=False)

    op.create_table('gd_risk_controls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('control_type', sa.Enum('preventivo', 'detectivo', 'correctivo', name='gd_control_type', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('implementation', sa.Enum('automatico', 'manual', name='gd_control_implementation', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('execution', sa.Enum('fuerte', 'moderada', 'debil', name='gd_control_execution', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('is_documented', sa.Boolean(), nullable=False),
    sa.Column('is_continuous', sa.Boolean(), nullable=False),
    sa.Column('has_evidence', sa.Boolean(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['risk_id'], ['gd_risks.id'], name=op.f('fk_gd_risk_controls_risk_id_gd_risks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_risk_controls'))
    )
    with op.batch_alter_table('gd_risk_controls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_risk_controls_risk_id'), ['risk_id'], unique=False)

    op.create_table('gd_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('acta', 'informe_avance', 'evidencia', name='gd_document_purpose', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('analysis_session_id', sa.Integer(), nullable=True),
    sa.Column('contract_report_id', sa.Integer(), nullable=True),
    sa.Column('duty_item_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(CASE WHEN analysis_session_id IS NULL THEN 0 ELSE 1 END + CASE WHEN contract_report_id IS NULL THEN 0 ELSE 1 END + CASE WHEN duty_item_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_gd_documents_one_owner')),
    sa.ForeignKeyConstraint(['analysis_session_id'], ['gd_analysis_sessions.id'], name=op.f('fk_gd_documents_analysis_session_id_gd_analysis_sessions')),
    sa.ForeignKeyConstraint(['contract_report_id'], ['gd_contract_reports.id'], name=op.f('fk_gd_documents_contract_report_id_gd_contract_reports')),
    sa.ForeignKeyConstraint(['duty_item_id'], ['gd_duty_items.id'], name=op.f('fk_gd_documents_duty_item_id_gd_duty_items')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_gd_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gd_documents'))
    )
    with op.batch_alter_table('gd_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gd_documents_analysis_session_id'), ['analysis_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gd_documents_contract_report_id'), ['contract_report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gd_documents_duty_item_id'), ['duty_item_id'], unique=False)



def downgrade():
    op.execute("DELETE FROM role_assignments WHERE role = 'profesional_gd'")
    _role_check(ROLES_BEFORE)
    with op.batch_alter_table('gd_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_documents_duty_item_id'))
        batch_op.drop_index(batch_op.f('ix_gd_documents_contract_report_id'))
        batch_op.drop_index(batch_op.f('ix_gd_documents_analysis_session_id'))

    op.drop_table('gd_documents')
    with op.batch_alter_table('gd_risk_controls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_risk_controls_risk_id'))

    op.drop_table('gd_risk_controls')
    with op.batch_alter_table('gd_risk_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_risk_actions_risk_id'))

    op.drop_table('gd_risk_actions')
    with op.batch_alter_table('gd_milestone_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_milestone_progress_milestone_id'))

    op.drop_table('gd_milestone_progress')
    with op.batch_alter_table('gd_measurements', schema=None) as batch_op:
        batch_op.drop_index('ix_gd_measurements_pending')
        batch_op.drop_index(batch_op.f('ix_gd_measurements_indicator_id'))

    op.drop_table('gd_measurements')
    with op.batch_alter_table('gd_contract_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_contract_reports_contract_id'))

    op.drop_table('gd_contract_reports')
    with op.batch_alter_table('gd_risks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_risks_vigencia'))

    op.drop_table('gd_risks')
    with op.batch_alter_table('gd_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_milestones_project_id'))
        batch_op.drop_index('ix_gd_milestones_open')

    op.drop_table('gd_milestones')
    with op.batch_alter_table('gd_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_indicators_vigencia'))
        batch_op.drop_index(batch_op.f('ix_gd_indicators_responsible_id'))

    op.drop_table('gd_indicators')
    with op.batch_alter_table('gd_contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_contracts_project_id'))

    op.drop_table('gd_contracts')
    with op.batch_alter_table('gd_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_projects_vigencia'))
        batch_op.drop_index(batch_op.f('ix_gd_projects_dependency_id'))

    op.drop_table('gd_projects')
    with op.batch_alter_table('gd_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_gd_scores_vigencia_component')
        batch_op.drop_index(batch_op.f('ix_gd_scores_import_id'))

    op.drop_table('gd_scores')
    with op.batch_alter_table('gd_plan_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_plan_versions_plan_id'))

    op.drop_table('gd_plan_versions')
    with op.batch_alter_table('gd_plan_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_plan_resources_plan_id'))

    op.drop_table('gd_plan_resources')
    with op.batch_alter_table('gd_plan_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_plan_activities_responsible_id'))
        batch_op.drop_index(batch_op.f('ix_gd_plan_activities_plan_id'))
        batch_op.drop_index('ix_gd_plan_activities_open')
        batch_op.drop_index(batch_op.f('ix_gd_plan_activities_dependency_id'))

    op.drop_table('gd_plan_activities')
    with op.batch_alter_table('gd_budget_availabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_budget_availabilities_plan_id'))

    op.drop_table('gd_budget_availabilities')
    with op.batch_alter_table('gd_analysis_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_analysis_attendees_session_id'))

    op.drop_table('gd_analysis_attendees')
    op.drop_table('gd_work_plans')
    op.drop_table('gd_settings')
    op.drop_table('gd_score_imports')
    with op.batch_alter_table('gd_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_gaps_vigencia'))

    op.drop_table('gd_gaps')
    with op.batch_alter_table('gd_duty_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_duty_items_checklist_id'))

    op.drop_table('gd_duty_items')
    with op.batch_alter_table('gd_analysis_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gd_analysis_sessions_vigencia'))

    op.drop_table('gd_analysis_sessions')
    with op.batch_alter_table('gd_duty_checklists', schema=None) as batch_op:
        batch_op.drop_index('ix_gd_duty_checklists_due')
        batch_op.drop_index(batch_op.f('ix_gd_duty_checklists_dependency_id'))

    op.drop_table('gd_duty_checklists')
