"""operator tables: turns, feedback, surveys, review queue, operators (issue 14)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ops_turns',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('intent', sa.String(length=40), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('faq_key', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reply_ms', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ops_turns')))
    op.create_index(op.f('ix_ops_turns_at'), 'ops_turns', ['at'], unique=False)
    op.create_table('ops_operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ops_operators')),
    sa.UniqueConstraint('name', name=op.f('uq_ops_operators_name')))
    op.create_table('ops_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('turn_id', sa.String(length=32), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['turn_id'], ['ops_turns.id'], name=op.f('fk_ops_feedback_turn_id_ops_turns'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ops_feedback')))
    op.create_index(op.f('ix_ops_feedback_at'), 'ops_feedback', ['at'], unique=False)
    op.create_index(op.f('ix_ops_feedback_turn_id'), 'ops_feedback', ['turn_id'], unique=False)
    op.create_table('ops_surveys',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['handoff_tickets.id'],
                            name=op.f('fk_ops_surveys_ticket_id_handoff_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ops_surveys')))
    op.create_index(op.f('ix_ops_surveys_asked_at'), 'ops_surveys', ['asked_at'], unique=False)
    op.create_table('ops_review_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('turn_id', sa.String(length=32), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('predicted_intent', sa.String(length=40), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('label_intent', sa.String(length=40), nullable=True),
    sa.Column('label_faq_key', sa.String(length=100), nullable=True),
    sa.Column('new_answer_needed', sa.Boolean(), nullable=False),
    sa.Column('labelled_by', sa.String(length=60), nullable=True),
    sa.Column('labelled_at', sa.DateTime(), nullable=True),
    sa.Column('exported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['turn_id'], ['ops_turns.id'], name=op.f('fk_ops_review_items_turn_id_ops_turns'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ops_review_items')))
    op.create_index(op.f('ix_ops_review_items_at'), 'ops_review_items', ['at'], unique=False)
    op.create_index(op.f('ix_ops_review_items_turn_id'), 'ops_review_items', ['turn_id'], unique=False)


def downgrade() -> None:
    op.drop_table('ops_review_items')
    op.drop_table('ops_surveys')
    op.drop_table('ops_feedback')
    op.drop_table('ops_operators')
    op.drop_index(op.f('ix_ops_turns_at'), table_name='ops_turns')
    op.drop_table('ops_turns')
