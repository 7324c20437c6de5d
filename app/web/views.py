"""The public lookup (home page with one search box, results, an agency's page with a QR code of its short link),
open to everyone without signing in; signed-in users also see their account on the home page."""
from functools import lru_cache
import io

from flask import Blueprint, Response, render_template, request, url_for
import segno

from app import db
from app.accounts import permissions
from app.accounts.auth import current_actor
from app.registry import expiry, lookup
from app.registry.schemas import PublicEntitySchema, PublicLicenceDetailSchema
from app.registry.standing import standings
from app.reports import aggregates

bp = Blueprint("web", __name__)
PER_PAGE = 20
# The longest search text read: names and licence numbers are far shorter.
MAX_QUERY = 200
# An agency's short link, and so its QR code, never changes: a week in the browser's cache.
QR_MAX_AGE = 7 * 24 * 3600
# The years of worker reports' figures an agency's page shows: this one and those before.
YEARS_SHOWN = 5
# Made once: a marshmallow schema copies its fields at each construction, a tenth of a page's time.
PUBLIC_ENTITY, PUBLIC_LICENCE = PublicEntitySchema(), PublicLicenceDetailSchema()


@bp.get("/")
def home():
    """The landing page: the search box, and for signed-in users their account."""
    return render_template("public/home.html", actor=current_actor())


@bp.get("/search")
def search():
    """Agencies found by name or licence number; near names and what to do when none is found."""
    permissions.check(current_actor(), "registry.read")
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    page = min(max(request.args.get("page", 1, type=int), 1), 1000)
    session = db.Session()
    found, total, by = lookup.find_agencies(session, text, page=page, per_page=PER_PAGE)
    suggestions = lookup.suggest(session, text) if text and not total else []
    return render_template("public/search.html", q=text, found=found, total=total, by=by, page=page,
                           per_page=PER_PAGE, suggestions=suggestions)


@bp.get("/agencies/<int:entity_id>")
def agency(entity_id):
    """An agency's standing in plain words, public fields only, with a QR code of its short link."""
    permissions.check(current_actor(), "registry.read")
    session = db.Session()
    entity = lookup.public_agency(session, entity_id)
    # The public schemas are what anonymous API readers get: the page shows nothing more, signed in or not.
    public = PUBLIC_ENTITY.dump(entity)
    licences = [PUBLIC_LICENCE.dump(licence) for licence in entity.licences]
    authorities = {licence.authority.code: licence.authority for licence in entity.licences}
    figures = aggregates.agency_figures(session, entity_id, expiry.today().year, YEARS_SHOWN)
    return render_template("public/agency.html", agency=public, standings=standings(licences), figures=figures,
                           authorities=authorities, short_link=url_for("web.short_link", entity_id=entity_id,
                                                                       _external=True), today=expiry.today())


@bp.get("/a/<int:entity_id>")
def short_link(entity_id):
    """The agency's page at a short address, for a poster or a QR code (no redirect: one request on a slow line)."""
    return agency(entity_id)


@bp.get("/a/<int:entity_id>/qr.svg")
def qr_code(entity_id):
    """The QR code of an agency's short link: an image that never changes, so browsers keep it."""
    permissions.check(current_actor(), "registry.read")
    lookup.public_agency(db.Session(), entity_id)
    response = Response(qr_svg(url_for("web.short_link", entity_id=entity_id, _external=True)),
                        mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={QR_MAX_AGE}"
    return response


@lru_cache(maxsize=4096)
def qr_svg(link):
    """The link as a QR code (SVG: a few kilobytes, sharp at any size)."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=4, dark="#000", light="#fff", lineclass=None,
                                     xmldecl=False, nl=False)
    return out.getvalue()
