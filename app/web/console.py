"""The console: the signed-in landing page, a dashboard with the parts that concern the user's role (a portfolio,
a regulator's licences and hit queue, an auditor's audits, a case handler's counts), and the portfolio's export."""
from flask import Blueprint, Response, render_template, request
from flask_babel import gettext

from app import db
from app.accounts import permissions
from app.accounts.auth import current_actor
from app.audits import dashboard as audit_dashboard
from app.errors import Invalid
from app.registry import dashboard, expiry, jurisdiction, portfolio_export
from app.registry.vocab import LICENCE_STATUSES
from app.reports import dashboard as report_dashboard
from app.web import console_forms as forms

bp = Blueprint("console_web", __name__)
PER_PAGE = 50
# Who may see which part of the dashboard (app/accounts/permissions.py).
PARTS = ("portfolio", "licences", "audits", "reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/console")
def home():
    """The dashboard: each part the user's role may see, with its filters read from the query string."""
    actor = current_actor()
    permissions.check(actor, "console.read", what="The console")
    session = db.Session()
    today = expiry.today()
    parts = [part for part in PARTS if permissions.allowed(actor, f"console.{part}")]
    context, errors = {"actor": actor, "parts": parts, "today": today, "typed": request.args}, {}
    if "portfolio" in parts:
        context["portfolio"] = portfolio(session, actor, today, errors)
    if "licences" in parts:
        context["licences"] = licences(session, actor, today, errors)
    if "audits" in parts:
        context["audits"] = audits(session, actor, today, errors)
    if "reports" in parts:
        context["reports"] = report_dashboard.counts_by_state(session, actor.organisation_id)
    return render_template("console/dashboard.html", errors=errors, **context), 422 if errors else 200


@bp.get("/console/export")
def export():
    """The portfolio as the dashboard filters it, all pages, as CSV or XLSX."""
    actor = current_actor()
    permissions.check(actor, "console.portfolio", what="Exporting a portfolio")
    session = db.Session()
    today = expiry.today()
    tiers = dashboard.known_tiers(session)
    shown, errors = forms.parse(forms.portfolio_schema([*tiers, dashboard.UNSCORED]), request.args)
    if errors:
        raise Invalid(gettext("Check the filters: nothing was exported."), errors)
    rows = dashboard.filtered(dashboard.portfolio_rows(session, actor.organisation_id, today), filters(shown))
    name = f"portfolio-{today.isoformat()}.{shown['format']}"
    if shown["format"] == "xlsx":
        body, mimetype = portfolio_export.to_xlsx(rows), XLSX
    else:
        body, mimetype = portfolio_export.to_csv(rows), "text/csv"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def filters(shown):
    """The portfolio filters among the parsed query string's values."""
    return {"tier": shown.get("tier"), "country": shown.get("country"), "text": shown.get("q"),
            "expiring": shown["expiring"], "open_hits": shown["hits"]}


def portfolio(session, actor, today, errors):
    """The organisation's followed entities: all rows for the tier chart, the filtered page for the table."""
    tiers = dashboard.known_tiers(session)
    shown, problems = forms.parse(forms.portfolio_schema([*tiers, dashboard.UNSCORED]), request.args)
    errors.update(problems)
    rows = dashboard.portfolio_rows(session, actor.organisation_id, today)
    passing = dashboard.filtered(rows, filters(shown))
    page = shown["page"]
    return {"rows": passing[(page - 1) * PER_PAGE:page * PER_PAGE], "total": len(passing), "all": len(rows),
            "page": page, "per_page": PER_PAGE, "tiers": tiers, "counts": dashboard.tier_counts(rows, tiers),
            "shown": shown, "query": {name: value for name, value in request.args.items()
                                      if name in ("tier", "country", "q", "expiring", "hits") and value}}


def licences(session, actor, today, errors):
    """The regulator's authorities' licences by status and expiry, a filtered page of them, and its hit queue."""
    shown, problems = forms.parse(forms.licence_schema(), request.args)
    errors.update(problems)
    ids = actor.authority_ids
    if not ids:
        return {"authorities": False}
    rows, total = jurisdiction.list_licences(session, ids, today, status=shown.get("status"),
                                             expiry=shown.get("expiry"), text=shown.get("lq"),
                                             page=shown["lpage"], per_page=PER_PAGE)
    hits, hit_total = jurisdiction.hit_queue(session, ids)
    return {"authorities": True, "statuses": jurisdiction.status_counts(session, ids, today),
            "expiry": jurisdiction.expiry_counts(session, ids, today), "rows": rows, "total": total,
            "page": shown["lpage"], "per_page": PER_PAGE, "shown": shown, "hits": hits, "hit_total": hit_total,
            "choices": LICENCE_STATUSES, "effective": expiry.effective_status}


def audits(session, actor, today, errors):
    """The audits the user's organisation performed, with their findings and corrective actions."""
    shown, problems = forms.parse(forms.audit_schema(), request.args)
    errors.update(problems)
    rows, total = audit_dashboard.performed(session, actor.organisation_id, today, state=shown.get("astate"),
                                            page=shown["apage"], per_page=PER_PAGE)
    return {"rows": rows, "total": total, "page": shown["apage"], "per_page": PER_PAGE, "shown": shown}
