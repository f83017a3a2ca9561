"""certificates, certificate settings, security policies, and the listeners' TLS references

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'certificates',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=False),
        sa.Column('type', sa.String(16), nullable=False),
        sa.Column('certificate', sa.Text(), nullable=False),
        sa.Column('private_key_sealed', sa.Text(), nullable=True),
        sa.Column('domain', sa.Text(), nullable=True),
        sa.Column('common_name', sa.String(255), nullable=False),
        sa.Column('subject_alternative_names', sa.JSON(), nullable=False),
        sa.Column('fingerprint', sa.String(128), nullable=False),
        sa.Column('expire_time', sa.DateTime(), nullable=False),
        sa.Column('admin_state_up', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(32), nullable=False),
        sa.Column('scm_certificate_id', sa.String(64), nullable=False),
        sa.Column('protection_status', sa.String(32), nullable=False),
        sa.Column('protection_reason', sa.String(255), nullable=True),
        sa.Column('enterprise_project_id', sa.String(36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_certificates_page', 'certificates', ['project_id', 'created_at', 'id'])
    op.create_table(
        'certificate_settings',
        sa.Column('project_id', sa.String(32), sa.ForeignKey('projects.id'), primary_key=True),
        sa.Column('private_key_echo', sa.Boolean(), nullable=False),
    )
    op.create_table(
        'security_policies',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=False),
        sa.Column('protocols', sa.JSON(), nullable=False),
        sa.Column('ciphers', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_security_policies_page', 'security_policies', ['project_id', 'created_at', 'id'])
    op.create_table(
        'listener_certificates',
        sa.Column('listener_id', sa.String(36), sa.ForeignKey('listeners.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('certificate_id', sa.String(36), sa.ForeignKey('certificates.id'), primary_key=True),
        sa.Column('role', sa.String(16), primary_key=True),
    )
    op.create_index('ix_listener_certificates_certificate_id', 'listener_certificates', ['certificate_id'])
    with op.batch_alter_table('listeners') as table:
        table.add_column(sa.Column('security_policy_id', sa.String(36), nullable=True))
        table.add_column(sa.Column('sni_match_algo', sa.String(16), nullable=True))
        table.create_foreign_key('fk_listeners_security_policy_id', 'security_policies', ['security_policy_id'], ['id'])
        table.create_index('ix_listeners_security_policy_id', ['security_policy_id'])


def downgrade() -> None:
    with op.batch_alter_table('listeners') as table:
        table.drop_index('ix_listeners_security_policy_id')
        table.drop_constraint('fk_listeners_security_policy_id', type_='foreignkey')
        table.drop_column('sni_match_algo')
        table.drop_column('security_policy_id')
    op.drop_index('ix_listener_certificates_certificate_id', 'listener_certificates')
    op.drop_table('listener_certificates')
    op.drop_index('ix_security_policies_page', 'security_policies')
    op.drop_table('security_policies')
    op.drop_table('certificate_settings')
    op.drop_index('ix_certificates_page', 'certificates')
    op.drop_table('certificates')
