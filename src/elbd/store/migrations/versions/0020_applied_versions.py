"""placements.applied_version: the configuration version the holding node has brought to its data plane

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('placements', sa.Column('applied_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    op.drop_column('placements', 'applied_version')
