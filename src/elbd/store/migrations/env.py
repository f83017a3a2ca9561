from alembic import context
from sqlalchemy import create_engine, text

from elbd.store.models import Base

# Processes that start together on one PostgreSQL database (API replicas, agents) would each apply the
# same migrations, and all but one fail; under this lock, held to the end of the migrations'
# transaction, the first applies them and the others then find the schema current. SQLite takes one
# server (store/serving_lock.py) and serializes writers itself.
MIGRATION_LOCK = 0x656C626D  # "elbm"

url = context.config.get_main_option("sqlalchemy.url")
if url is None:
    raise RuntimeError("store/migrate.py names the database in the sqlalchemy.url option")
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
engine.dispose()
