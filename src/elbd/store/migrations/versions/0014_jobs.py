"""jobs: the records of operations the API runs as jobs (batch deletes of listeners and load balancers)

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'jobs',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('job_type', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('resource_id', sa.String(36), nullable=True),
        sa.Column('sub_jobs', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_jobs_page', 'jobs', ['project_id', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_jobs_page', 'jobs')
    op.drop_table('jobs')
