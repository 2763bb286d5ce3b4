"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=48), nullable=False),
    sa.Column('project', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('results_published', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
    sa.UniqueConstraint('slug', name=op.f('uq_consultations_slug'))
    )
    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('consent_version', sa.String(length=32), nullable=True),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_stopped', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('unreachable', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_participants_pseudonym'))
    )
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_updates'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('display_name', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('telegram_user_id', name=op.f('uq_staff_telegram_user_id'))
    )
    op.create_table('vector_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('backend', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=255), server_default='', nullable=False),
    sa.Column('dimensions', sa.Integer(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vector_cache')),
    sa.UniqueConstraint('text_hash', 'backend', 'model', name=op.f('uq_vector_cache_text_hash_backend_model'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('actor_staff_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['actor_staff_id'], ['staff.id'], name=op.f('fk_audit_log_actor_staff_id_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_actor_staff_id'), 'audit_log', ['actor_staff_id'], unique=False)
    op.create_table('contacts',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_contacts_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_contacts'))
    )
    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_ideas_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_ideas_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas'))
    )
    op.create_index(op.f('ix_ideas_consultation_id'), 'ideas', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_ideas_participant_id'), 'ideas', ['participant_id'], unique=False)
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_invitations_created_by_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token', name=op.f('uq_invitations_token'))
    )
    op.create_index(op.f('ix_invitations_created_by'), 'invitations', ['created_by'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=128), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_outbox_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    op.create_index(op.f('ix_outbox_participant_id'), 'outbox', ['participant_id'], unique=False)
    op.create_index(op.f('ix_outbox_status_not_before'), 'outbox', ['status', 'not_before'], unique=False)
    op.create_table('participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('consent_version', sa.String(length=32), nullable=True),
    sa.Column('current_question', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_preview', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('reminders_sent', sa.Integer(), server_default='0', nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_participations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participations_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participations')),
    sa.UniqueConstraint('participant_id', 'consultation_id', name=op.f('uq_participations_participant_id_consultation_id'))
    )
    op.create_index(op.f('ix_participations_consultation_id'), 'participations', ['consultation_id'], unique=False)
    op.create_table('schedule_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_schedule_items_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_items'))
    )
    op.create_index(op.f('ix_schedule_items_consultation_id'), 'schedule_items', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_schedule_items_status_due_at'), 'schedule_items', ['status', 'due_at'], unique=False)
    op.create_table('survey_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_survey_versions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_versions')),
    sa.UniqueConstraint('consultation_id', 'number', name=op.f('uq_survey_versions_consultation_id_number'))
    )
    op.create_table('theme_curations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_theme_curations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_theme_curations_staff_id_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_curations'))
    )
    op.create_index(op.f('ix_theme_curations_consultation_id'), 'theme_curations', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_theme_curations_staff_id'), 'theme_curations', ['staff_id'], unique=False)
    op.create_table('theme_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('backend', sa.String(length=64), nullable=False),
    sa.Column('model', sa.Text(), nullable=True),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_theme_runs_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_runs'))
    )
    op.create_index(op.f('ix_theme_runs_consultation_id'), 'theme_runs', ['consultation_id'], unique=False)
    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_answers_participation_id_participations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('participation_id', 'question_key', name=op.f('uq_answers_participation_id_question_key'))
    )
    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('size', sa.Integer(), server_default='0', nullable=False),
    sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('quotes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['theme_runs.id'], name=op.f('fk_themes_run_id_theme_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes'))
    )
    op.create_index(op.f('ix_themes_run_id'), 'themes', ['run_id'], unique=False)
    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_statements_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by'], ['participants.id'], name=op.f('fk_statements_proposed_by_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_statements_theme_id_themes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements'))
    )
    op.create_index(op.f('ix_statements_consultation_id'), 'statements', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_statements_proposed_by'), 'statements', ['proposed_by'], unique=False)
    op.create_index(op.f('ix_statements_theme_id'), 'statements', ['theme_id'], unique=False)
    op.create_table('theme_memberships',
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_theme_memberships_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('theme_id', 'source', 'source_id', name=op.f('pk_theme_memberships'))
    )
    op.create_index(op.f('ix_theme_memberships_source_source_id'), 'theme_memberships', ['source', 'source_id'], unique=False)
    op.create_table('votes',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=False),
    sa.Column('voted_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('value IN (-1, 0, 1)', name=op.f('ck_votes_value_is_polis_vote')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_votes_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_votes_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', 'participant_id', name=op.f('pk_votes'))
    )
    op.create_index(op.f('ix_votes_participant_id'), 'votes', ['participant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_votes_participant_id'), table_name='votes')
    op.drop_table('votes')
    op.drop_index(op.f('ix_theme_memberships_source_source_id'), table_name='theme_memberships')
    op.drop_table('theme_memberships')
    op.drop_index(op.f('ix_statements_theme_id'), table_name='statements')
    op.drop_index(op.f('ix_statements_proposed_by'), table_name='statements')
    op.drop_index(op.f('ix_statements_consultation_id'), table_name='statements')
    op.drop_table('statements')
    op.drop_index(op.f('ix_themes_run_id'), table_name='themes')
    op.drop_table('themes')
    op.drop_table('answers')
    op.drop_index(op.f('ix_theme_runs_consultation_id'), table_name='theme_runs')
    op.drop_table('theme_runs')
    op.drop_index(op.f('ix_theme_curations_staff_id'), table_name='theme_curations')
    op.drop_index(op.f('ix_theme_curations_consultation_id'), table_name='theme_curations')
    op.drop_table('theme_curations')
    op.drop_table('survey_versions')
    op.drop_index(op.f('ix_schedule_items_status_due_at'), table_name='schedule_items')
    op.drop_index(op.f('ix_schedule_items_consultation_id'), table_name='schedule_items')
    op.drop_table('schedule_items')
    op.drop_index(op.f('ix_participations_consultation_id'), table_name='participations')
    op.drop_table('participations')
    op.drop_index(op.f('ix_outbox_status_not_before'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_participant_id'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_invitations_created_by'), table_name='invitations')
    op.drop_table('invitations')
    op.drop_index(op.f('ix_ideas_participant_id'), table_name='ideas')
    op.drop_index(op.f('ix_ideas_consultation_id'), table_name='ideas')
    op.drop_table('ideas')
    op.drop_table('contacts')
    op.drop_index(op.f('ix_audit_log_actor_staff_id'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('vector_cache')
    op.drop_table('staff')
    op.drop_table('processed_updates')
    op.drop_table('participants')
    op.drop_table('consultations')
