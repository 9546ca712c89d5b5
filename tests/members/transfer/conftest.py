import pytest

from coop.extensions import db
from tests import factories


@pytest.fixture
def app(app_factory, tmp_path):
    """The app with the waiting uploads in the test's own folder."""
    app = app_factory(MEMBER_IMPORT_DIR=str(tmp_path / "member_imports"))
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def board(client, login_as):
    """A board member who reads the site in English."""
    return login_as(factories.create_user(roles=["board"], locale="en"))
