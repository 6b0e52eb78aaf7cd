"""enlace designations and handovers

Revision ID: d85a0f575741
Revises: a8a6e86c19a9
Create Date: 2026-11-21 07:31:41.072021

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'd85a0f575741'
down_revision = 'a8a6e86c19a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('designations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('designated_by_id', sa.Integer(), nullable=False),
    sa.Column('act_type', sa.Enum('resolucion', 'acto_administrativo', 'comunicacion_oficial', name='act_type', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('act_number', sa.String(length=60), nullable=False),
    sa.Column('act_date', sa.Date(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('vigente', 'reemplazada', 'revocada', name='designation_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('act_filename', sa.String(length=255), nullable=False),
    sa.Column('act_size', sa.Integer(), nullable=False),
    sa.Column('act_sha256', sa.String(length=64), nullable=False),
    sa.Column('act_content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'vigente') OR (end_date IS NOT NULL)", name=op.f('ck_designations_ended_has_end_date')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_designations_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['designated_by_id'], ['users.id'], name=op.f('fk_designations_designated_by_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_designations_person_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_designations'))
    )
    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_designations_dependency_id'), ['dependency_id'], unique=False)
        batch_op.create_index('uq_designations_one_vigente', ['dependency_id'], unique=True, postgresql_where=sa.text("status = 'vigente'"), sqlite_where=sa.text("status = 'vigente'"))

    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('previous_designation_id', sa.Integer(), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('is_completed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(NOT is_completed) OR (completed_by_id IS NOT NULL AND completed_at IS NOT NULL)', name=op.f('ck_handovers_completed_has_who')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['users.id'], name=op.f('fk_handovers_completed_by_id_users')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_handovers_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['designation_id'], ['designations.id'], name=op.f('fk_handovers_designation_id_designations')),
    sa.ForeignKeyConstraint(['previous_designation_id'], ['designations.id'], name=op.f('fk_handovers_previous_designation_id_designations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers')),
    sa.UniqueConstraint('designation_id', name=op.f('uq_handovers_designation_id'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handovers_dependency_id'), ['dependency_id'], unique=False)



def downgrade():
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handovers_dependency_id'))

    op.drop_table('handovers')
    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.drop_index('uq_designations_one_vigente', postgresql_where=sa.text("status = 'vigente'"), sqlite_where=sa.text("status = 'vigente'"))
        batch_op.drop_index(batch_op.f('ix_designations_dependency_id'))

    op.drop_table('designations')
