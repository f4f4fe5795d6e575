"""the language of a membership application, for the mail that answers it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Applications made so far were answered in German, the catalogue's default language.
    op.add_column(
        'membership_applications',
        sa.Column('language', sa.String(length=5), nullable=False, server_default='de'),
    )


def downgrade():
    with op.batch_alter_table('membership_applications') as batch_op:
        batch_op.drop_column('language')
