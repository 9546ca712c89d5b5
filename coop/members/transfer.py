"""CSV import (with a preview) and CSV/XLSX exports of the member register."""

from flask import Blueprint

bp = Blueprint("member_transfer", __name__, url_prefix="/members/transfer")
