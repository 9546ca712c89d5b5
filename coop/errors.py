"""Error pages: a plain page in the user's language, never a stack trace."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from coop.extensions import db
from coop.security import ControlCharacters


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(ControlCharacters)
    def control_characters(error):
        return render_template("errors/control_characters.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        template = {403: "errors/403.html", 404: "errors/404.html"}.get(
            error.code, "errors/generic.html"
        )
        return render_template(template, error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Flask logs the traceback; the user gets a plain page.
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        return render_template("errors/500.html", error=InternalServerError()), 500
