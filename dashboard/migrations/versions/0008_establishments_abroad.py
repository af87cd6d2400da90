"""establishments abroad: country, NUTS-3 region, foreign registration number, town; commune optional

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:00:00

A site across the border (Luxembourg, Saarland, Wallonia…) has no French commune and no SIRET: it keeps its
country (ISO 3166-1 alpha-2, 'FR' for every existing row), the NUTS-3 region its point lies in, its national
registration number and its town; `commune_code` becomes nullable (NULL exactly for the sites abroad).
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('establishments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country', sa.String(length=2), server_default='FR', nullable=False))
        batch_op.add_column(sa.Column('nuts3_code', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('foreign_id', sa.String(length=17), nullable=True))
        batch_op.add_column(sa.Column('locality', sa.String(length=100), nullable=True))
        batch_op.alter_column('commune_code', existing_type=sa.String(length=5), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM establishment_capabilities WHERE establishment_id IN "
               "(SELECT id FROM establishments WHERE commune_code IS NULL)")
    op.execute("DELETE FROM establishment_certifications WHERE establishment_id IN "
               "(SELECT id FROM establishments WHERE commune_code IS NULL)")
    op.execute("DELETE FROM establishments WHERE commune_code IS NULL")
    with op.batch_alter_table('establishments', schema=None) as batch_op:
        batch_op.alter_column('commune_code', existing_type=sa.String(length=5), nullable=False)
        batch_op.drop_column('locality')
        batch_op.drop_column('foreign_id')
        batch_op.drop_column('nuts3_code')
        batch_op.drop_column('country')
