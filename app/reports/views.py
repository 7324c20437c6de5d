"""The public report form (no account, no script needed) and the receipt page where a worker checks the report,
adds to it, or withdraws it. Same services and limits as the API; every answer is no-store."""
from flask import Blueprint, make_response, render_template, request

from app import db
from app.accounts import permissions
from app.accounts.auth import current_actor
from app.errors import Invalid, NotFound
from app.registry import lookup
from app.reports import form, intake
from app.reports.api import INTAKE_LIMITS, RECEIPT_LIMITS, keyring, limits
from app.reports.crypto import new_receipt
from app.reports.vocab import PAYEES

bp = Blueprint("reports_web", __name__)


def page(template, status=200, **context):
    """A report page: never cached or kept by a browser or proxy (it may show a receipt code or the account)."""
    context.setdefault("errors", {})
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def uploads():
    """The files chosen in the form, as the intake service takes them (name, bytes)."""
    return [{"name": file.filename[:200], "content": file.read()}
            for file in request.files.getlist("attachments") if file.filename]


def form_page(session, errors=None, status=200):
    """The form, with what was typed kept (the files must be chosen again) and the problems beside the fields."""
    agency = None
    agency_id = request.values.get("agency_id") or request.args.get("agency")
    if agency_id and agency_id.isdigit() and len(agency_id) < 10:  # an id, not a number too big for the column
        try:
            agency = lookup.public_agency(session, int(agency_id))
        except NotFound:
            agency = None
    return page("reports/form.html", status, values=request.form, errors=errors or {}, agency=agency,
                receivers=intake.receivers(session), origins=form.ORIGINS, destinations=form.DESTINATIONS,
                payees=PAYEES, flags=form.FLAGS, fee_rows=range(form.FEE_ROWS), limits=limits())


@bp.get("/report")
def report_form():
    """The report form; ?agency=<id> (the agency page's link) names the agency already."""
    permissions.check(current_actor(), "report.submit")
    return form_page(db.Session())


@bp.post("/report")
@INTAKE_LIMITS
def send_report():
    """Take the report; the receipt code is on the answer only (201), never in an address."""
    permissions.check(current_actor(), "report.submit")
    session = db.Session()
    data, problems = form.read_report(request.form)
    if data is not None and data.pop("website", None):
        return page("reports/receipt.html", 201, receipt=new_receipt())  # a robot filled the trap: nothing stored
    if data is not None:
        data["attachments"] = uploads()
        try:
            intake.check_receiver(session, data["receiver_id"])
            _, receipt = intake.submit(session, keyring(), data, receiver_id=data.pop("receiver_id"),
                                       channel="public", limits=limits())
        except Invalid as err:
            session.rollback()
            problems = err.errors or {"_schema": [err.message]}
        else:
            session.commit()
            return page("reports/receipt.html", 201, receipt=receipt)
    return form_page(session, form.beside_fields(problems, limits()), 422)


@bp.route("/report/receipt", methods=["GET", "POST"])
@RECEIPT_LIMITS
def receipt():
    """With the receipt code: the report's status, and forms to add to it or withdraw it (POST only: the code
    never goes in an address)."""
    permissions.check(current_actor(), "report.submit")
    if request.method == "GET":
        return page("reports/check.html")
    session = db.Session()
    code, action = form.given(request.form, "receipt"), request.form.get("action", "status")
    try:
        if action == "add":
            found = add(session, code)
        elif action == "withdraw" and request.form.get("confirm"):
            found = intake.withdraw(session, code)
        else:
            found = intake.status(session, code)
            if action == "withdraw":
                return page("reports/check.html", 422, found=found, receipt=code,
                            errors=form.beside_fields({"confirm": []}, limits()))
    except NotFound:
        session.rollback()
        return page("reports/check.html", 404, errors=form.beside_fields({"receipt": []}, limits()))
    except Invalid as err:
        session.rollback()
        return page("reports/check.html", 422, found=intake.status(session, code), receipt=code,
                    errors=form.beside_fields(err.errors or {"more": []}, limits()))
    session.commit()
    return page("reports/check.html", found=found, receipt=code, done=action)


def add(session, code):
    """More of the account or attachments, from the receipt page."""
    current = intake.status(session, code)
    if current["withdrawn"]:
        return current
    data = {"account": form.given(request.form, "account"), "attachments": uploads()}
    if not data["account"] and not data["attachments"]:
        raise Invalid("Nothing to add.", {"more": []})
    if len(data["account"]) > 20_000:
        raise Invalid("Too long.", {"account": []})
    return intake.add_information(session, keyring(), code, data, limits=limits())
