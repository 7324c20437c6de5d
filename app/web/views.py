"""The console home page."""
from flask import Blueprint, render_template

from app.accounts.auth import current_actor

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    """The landing page: what FairRecruit is, and for signed-in users their account."""
    return render_template("home.html", actor=current_actor())
