"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 06:10:47.751443
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handoff_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('channel_user_id', sa.String(length=128), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('transcript', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('agent_replies', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_tickets'))
    )
    with op.batch_alter_table('handoff_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_tickets_channel_user_id'), ['channel_user_id'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('gender', sa.String(length=2), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('hukou_region', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('id_number', name=op.f('uq_persons_id_number')),
    sa.UniqueConstraint('ref', name=op.f('uq_persons_ref'))
    )
    op.create_table('access_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('channel_user_id', sa.String(length=128), nullable=True),
    sa.Column('accessed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['persons.id'], name=op.f('fk_access_audit_actor_id_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['persons.id'], name=op.f('fk_access_audit_subject_id_persons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_audit'))
    )
    with op.batch_alter_table('access_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_audit_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_audit_subject_id'), ['subject_id'], unique=False)

    op.create_table('account_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('institution', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_account_transactions_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_transactions'))
    )
    with op.batch_alter_table('account_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_account_transactions_person_time', ['person_id', 'occurred_at'], unique=False)

    op.create_table('channel_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('channel_user_id', sa.String(length=128), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('bound_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_channel_bindings_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_bindings')),
    sa.UniqueConstraint('channel', 'channel_user_id', name=op.f('uq_channel_bindings_channel'))
    )
    with op.batch_alter_table('channel_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_bindings_person_id'), ['person_id'], unique=False)

    op.create_table('chronic_qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('disease', sa.String(length=50), nullable=False),
    sa.Column('institution', sa.String(length=100), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_chronic_qualifications_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chronic_qualifications'))
    )
    with op.batch_alter_table('chronic_qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chronic_qualifications_person_id'), ['person_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('claim_no', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('stage_on', sa.Date(), nullable=False),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('reject_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_claims_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('claim_no', name=op.f('uq_claims_claim_no'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_person_id'), ['person_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('insurance_type', sa.String(length=10), nullable=False),
    sa.Column('region', sa.String(length=50), nullable=False),
    sa.Column('employer', sa.String(length=100), nullable=True),
    sa.Column('start_month', sa.Date(), nullable=False),
    sa.Column('end_month', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_enrolments_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_person_id'), ['person_id'], unique=False)

    op.create_table('family_authorisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['persons.id'], name=op.f('fk_family_authorisations_member_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['persons.id'], name=op.f('fk_family_authorisations_owner_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_authorisations'))
    )
    with op.batch_alter_table('family_authorisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_authorisations_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_authorisations_owner_id'), ['owner_id'], unique=False)

    op.create_table('personal_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_personal_accounts_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_accounts')),
    sa.UniqueConstraint('person_id', name=op.f('uq_personal_accounts_person_id'))
    )
    op.create_table('remote_care_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('filing_type', sa.String(length=20), nullable=False),
    sa.Column('destination', sa.String(length=50), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_remote_care_filings_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remote_care_filings'))
    )
    with op.batch_alter_table('remote_care_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_care_filings_person_id'), ['person_id'], unique=False)

    op.create_table('transfer_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('from_region', sa.String(length=50), nullable=False),
    sa.Column('to_region', sa.String(length=50), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('stage_dates', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_transfer_applications_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_applications'))
    )
    with op.batch_alter_table('transfer_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_applications_person_id'), ['person_id'], unique=False)

    op.create_table('verification_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('channel_user_id', sa.String(length=128), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_verification_attempts_person_id_persons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_attempts'))
    )
    with op.batch_alter_table('verification_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_verification_attempts_user_time', ['channel', 'channel_user_id', 'attempted_at'], unique=False)

    op.create_table('contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('base', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('employer_part', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('personal_part', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('paid_by', sa.String(length=10), nullable=False),
    sa.Column('paid_at', sa.Date(), nullable=False),
    sa.Column('back_payment', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_contributions_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_contributions_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributions')),
    sa.UniqueConstraint('enrolment_id', 'month', name=op.f('uq_contributions_enrolment_id'))
    )
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contributions_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contributions_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contributions_person_id'))
        batch_op.drop_index(batch_op.f('ix_contributions_enrolment_id'))

    op.drop_table('contributions')
    with op.batch_alter_table('verification_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_attempts_user_time')

    op.drop_table('verification_attempts')
    with op.batch_alter_table('transfer_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_applications_person_id'))

    op.drop_table('transfer_applications')
    with op.batch_alter_table('remote_care_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_care_filings_person_id'))

    op.drop_table('remote_care_filings')
    op.drop_table('personal_accounts')
    with op.batch_alter_table('family_authorisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_authorisations_owner_id'))
        batch_op.drop_index(batch_op.f('ix_family_authorisations_member_id'))

    op.drop_table('family_authorisations')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_person_id'))

    op.drop_table('enrolments')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_person_id'))

    op.drop_table('claims')
    with op.batch_alter_table('chronic_qualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chronic_qualifications_person_id'))

    op.drop_table('chronic_qualifications')
    with op.batch_alter_table('channel_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_bindings_person_id'))

    op.drop_table('channel_bindings')
    with op.batch_alter_table('account_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_account_transactions_person_time')

    op.drop_table('account_transactions')
    with op.batch_alter_table('access_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_audit_subject_id'))
        batch_op.drop_index(batch_op.f('ix_access_audit_actor_id'))

    op.drop_table('access_audit')
    op.drop_table('persons')
    with op.batch_alter_table('handoff_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_tickets_channel_user_id'))

    op.drop_table('handoff_tickets')
