"""practice sheets of the circles of excellence and their review history

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:40:00

`practice_sheets.circle_id` names the circle a sheet belongs to (`circles.id`, set to NULL when the circle goes).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('practice_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_siret', sa.String(length=20), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('problem', sa.String(length=6000), nullable=False),
    sa.Column('actions', sa.String(length=6000), nullable=False),
    sa.Column('results', sa.String(length=6000), nullable=False),
    sa.Column('themes', sa.String(length=400), nullable=False),
    sa.Column('capabilities', sa.String(length=400), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_practice_sheets_circle_id_circles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['user_accounts.id'], name=op.f('fk_practice_sheets_created_by_user_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_sheets'))
    )
    with op.batch_alter_table('practice_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_sheets_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_sheets_site_siret'), ['site_siret'], unique=False)
        batch_op.create_index('ix_practice_sheets_status_updated', ['status', 'updated_at'], unique=False)

    op.create_table('practice_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_user', sa.Integer(), nullable=True),
    sa.Column('by_label', sa.String(length=300), nullable=False),
    sa.Column('from_status', sa.String(length=10), nullable=False),
    sa.Column('to_status', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['by_user'], ['user_accounts.id'], name=op.f('fk_practice_reviews_by_user_user_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sheet_id'], ['practice_sheets.id'], name=op.f('fk_practice_reviews_sheet_id_practice_sheets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_reviews'))
    )
    with op.batch_alter_table('practice_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_reviews_sheet_id'), ['sheet_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('practice_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_reviews_sheet_id'))

    op.drop_table('practice_reviews')
    with op.batch_alter_table('practice_sheets', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_sheets_status_updated')
        batch_op.drop_index(batch_op.f('ix_practice_sheets_site_siret'))
        batch_op.drop_index(batch_op.f('ix_practice_sheets_circle_id'))

    op.drop_table('practice_sheets')
