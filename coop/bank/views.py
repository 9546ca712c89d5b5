from flask import Blueprint

bp = Blueprint("bank", __name__, url_prefix="/finance/bank")
