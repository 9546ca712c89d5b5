"""The coop app: administration for a Dutch wijkcoöperatie."""

import logging
from importlib import import_module
from pathlib import Path

from flask import Flask, has_request_context, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_from_env
from coop import cli, errors, locking, security, templating, web
from coop.accounts.services import load_user_from_session_id
from coop.args import BoundedIntegerConverter
from coop.extensions import babel, csrf, db, login_manager, migrate
from coop.forms import share_wtforms_catalogue

MODEL_MODULES = (
    "coop.audit",
    "coop.mail",
    "coop.accounts.models",
    "coop.settings.models",
    "coop.members.models",
    "coop.dues.models",
    "coop.governance.models",
    "coop.ledger.models",
    "coop.meetings.models",
    "coop.directdebit.models",
    "coop.funders.models",
    "coop.bank.models",
    "coop.donations.models",
    "coop.payments.models",
    "coop.volunteers.models",
    "coop.activities.models",
    "coop.kpis.models",
)
# Modules that only connect signal receivers across domains of one layer.
RECEIVER_MODULES = ("coop.main.receivers",)
BLUEPRINT_MODULES = (
    "coop.accounts.views",
    "coop.dashboard.views",
    "coop.settings.views",
    "coop.admin.views",
    "coop.main.views",
    "coop.members.views",
    "coop.members.views.transfer",
    "coop.dues.views",
    "coop.dues.views.pay",
    "coop.ledger.views",
    "coop.funders.views",
    "coop.bank.views",
    "coop.portal.views",
    "coop.governance.views",
    "coop.meetings.views",
    "coop.meetings.views.portal",
    "coop.directdebit.views",
    "coop.payments.views",
    "coop.donations.views",
    "coop.volunteers.views",
    "coop.volunteers.job_views",
    "coop.volunteers.gift_views",
    "coop.kpis.views",
    "coop.kpis.funder_views",
    "coop.activities.views",
    "coop.activities.calendar",
)


def create_app(config=None) -> Flask:
    """Build the app. `config` is a config class or object; default: from COOP_ENV."""

    config = config or config_from_env()
    data_dir = getattr(config, "DATA_DIR", None)
    app = Flask(
        __name__,
        template_folder=str(_shipped_or_checkout("templates")),
        static_folder="static",
        # Unset: Flask's choice, `instance/` beside the package in a checkout and
        # `<prefix>/var/coop-instance` when installed.
        instance_path=str(Path(data_dir).resolve()) if data_dir else None,
    )
    app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: export SECRET_KEY=<a long random string>")
    _configure_data_dir(app, explicit=bool(data_dir))
    _configure_database(app)
    locking.install()

    app.url_map.converters["int"] = BoundedIntegerConverter
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.config["INVOICES_DIR"]).mkdir(parents=True, exist_ok=True)
    if not app.config["DATA_DIR_EXPLICIT"] and not app.debug and not app.testing:
        app.logger.warning("DATA_DIR is not set: files the app writes go to %s",
                           app.instance_path)

    for module in MODEL_MODULES + RECEIVER_MODULES:
        import_module(module)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(_shipped_or_checkout("migrations")), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    _configure_login(app)

    app.before_request(share_wtforms_catalogue)

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(module).bp)

    errors.register(app)
    web.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
    return app


def _shipped_or_checkout(name: str) -> Path:
    """`templates/` and `migrations/` sit beside the package in a checkout; the package
    build (setup.py) copies them into it, so an installed app finds them there."""
    package = Path(__file__).resolve().parent
    shipped = package / name
    return shipped if shipped.is_dir() else package.parent / name


def _configure_data_dir(app: Flask, explicit: bool) -> None:
    """Put every file the app writes under DATA_DIR (the instance path), unless a
    setting names another place."""
    data_dir = Path(app.instance_path)
    app.config["DATA_DIR"] = str(data_dir)
    app.config["DATA_DIR_EXPLICIT"] = explicit
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{data_dir / 'coop.sqlite'}"
    if not app.config.get("MEMBER_IMPORT_DIR"):
        app.config["MEMBER_IMPORT_DIR"] = str(data_dir / "member_imports")
    if not app.config.get("INVOICES_DIR"):
        checkout_archive = Path(__file__).resolve().parent.parent / "invoices"
        in_checkout = (checkout_archive.parent / "pyproject.toml").is_file()
        app.config["INVOICES_DIR"] = str(
            checkout_archive if in_checkout and not explicit else data_dir / "invoices")


def _configure_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite://":
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {})["timeout"] = app.config[
            "SQLITE_BUSY_TIMEOUT_SECONDS"
        ]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Foreign keys are off by default in SQLite; the rules rely on them.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def select_locale() -> str:
    languages = ("nl", "en")
    if not has_request_context():  # CLI commands and background work: the default
        return "nl"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return "nl"


def _configure_login(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session_id)

