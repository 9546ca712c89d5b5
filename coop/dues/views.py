from flask import Blueprint

bp = Blueprint("dues", __name__, url_prefix="/dues")
