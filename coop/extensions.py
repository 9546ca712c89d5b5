"""Extensions, created unbound and initialised in `create_app`."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so Alembic migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def one_of(column: str, enum) -> str:
    """SQL for a CHECK constraint: `column` holds one of the enum's values."""
    return f"{column} IN ({', '.join(repr(member.value) for member in enum)})"


def locked_row(model, key: dict, **defaults):
    """The row of `model` with primary key `key`, created if missing, locked until the
    transaction ends (counters and sequences).

    The row is created with an insert that ignores a conflict, so two transactions that
    both find it missing cannot both create it (the second insert waits for the first,
    then does nothing); then it is read FOR UPDATE. On SQLite the insert itself takes
    the database's write lock, which serialises the writers just as well.
    """
    from sqlalchemy import select

    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(model).values(**key, **defaults).on_conflict_do_nothing(index_elements=list(key))
    )
    query = select(model).filter_by(**key).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()
