from flask import Blueprint

bp = Blueprint("funders", __name__, url_prefix="/finance/funders")
