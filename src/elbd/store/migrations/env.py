from alembic import context
from sqlalchemy import create_engine

from elbd.store.models import Base

url = context.config.get_main_option("sqlalchemy.url")
if url is None:
    raise RuntimeError("store/migrate.py names the database in the sqlalchemy.url option")
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
