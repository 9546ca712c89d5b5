"""Where the benchmark keeps its data, and the app it measures.

SQLite: one file per scale under `bench/out/` (git-ignored).
PostgreSQL: the dedicated database `coop_bench` (created when missing), one schema per
scale (`scale_0_1`, `scale_1`, chosen through `search_path`), dropped and recreated
before every generation; both scales can then be measured side by side. Override the
server with `BENCH_POSTGRES_URL=postgresql+psycopg://user@host:port/coop_bench`.
"""

import os
import re
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from config import Config

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/coop_bench"


def database_url(kind: str, scale: float) -> str:
    """The SQLAlchemy URL for `kind` ("sqlite", "postgres" or a URL) at `scale`."""
    if kind == "sqlite":
        return f"sqlite:///{OUT_DIR / f'bench-{scale:g}.sqlite'}"
    if kind == "postgres":
        base = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
        schema = "scale_" + f"{scale:g}".replace(".", "_")
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)
    return kind


def _postgres_schema(url: str) -> str:
    options = make_url(url).query.get("options", "")
    found = re.search(r"search_path=(\w+)", options if isinstance(options, str) else "")
    return found.group(1) if found else "public"


def dialect_of(url: str) -> str:
    return make_url(url).get_backend_name()


def bench_config(url: str) -> type[Config]:
    """Production settings (not TestConfig), pointed at the bench database."""

    class BenchConfig(Config):
        ENV_NAME = "bench"
        SECRET_KEY = "bench-only-not-secret"  # noqa: S105 - never deployed
        SQLALCHEMY_DATABASE_URI = url
        MAIL_BACKEND = "outbox"
        INVOICES_DIR = str(OUT_DIR / "invoices")
        # The Flask test client speaks plain HTTP.
        SESSION_COOKIE_SECURE = False
        REMEMBER_COOKIE_SECURE = False

    return BenchConfig


def make_app(url: str):
    from coop import create_app

    return create_app(bench_config(url))


def reset_database(url: str) -> None:
    """Leave an empty database behind: no tables, no alembic_version."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:":
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if backend == "postgresql":
        _ensure_postgres_database(url)
        schema = _postgres_schema(url)
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        finally:
            engine.dispose()
        return
    raise ValueError(f"unsupported database: {backend}")


def _ensure_postgres_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing odd database name {name!r}")
    maintenance = create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with maintenance.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        maintenance.dispose()
