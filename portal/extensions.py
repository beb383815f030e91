"""Flask extensions, created unbound and initialised by ``create_app``.

Flask-Migrate is not among them: :mod:`portal.core.migrations` sets it up
where migrations run (``migrate`` here is that module's, made on first use).
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Deterministic constraint names so that Alembic migrations are the same on
# SQLite and PostgreSQL and constraints can be dropped by name later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def __getattr__(name: str):
    if name == "migrate":  # imports Alembic: only when asked for
        from portal.core import migrations

        return migrations.get()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
