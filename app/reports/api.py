"""Reports API: a worker's report without an account, partners' intake and import, case handling, referrals,
and the public figures. Thin: parse, call the service, commit once, answer."""
from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from app import db
from app.accounts import throttle
from app.accounts.auth import current_actor, require
from app.errors import Invalid
from app.openapi import file_upload
from app.registry import tables
from app.registry.names import licence_key, name_key
from app.reports import aggregates, case_schemas, importer, intake, keys, schemas, service
from app.reports.crypto import new_receipt

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="Worker reports: confidential intake, case handling, and public figures")


def keyring():
    """This installation's master keys, read again whenever their file changes (`reports rotate-key`)."""
    stamp = keys.stamp(current_app.config, current_app.instance_path)
    cached = current_app.extensions.get("report_keys")
    if cached is None or cached[0] != stamp:
        cached = current_app.extensions["report_keys"] = (
            stamp, keys.load(current_app.config, current_app.instance_path))
    return cached[1]


def limits():
    return current_app.config["REPORTS_ATTACHMENT_MAX_BYTES"], current_app.config["REPORTS_MAX_ATTACHMENTS"]


def agency_named():
    """The agency an intake (JSON or the form) names, as the per-agency limit's key (one agency flooded from many
    addresses)."""
    if request.form:
        agency = {"entity_id": request.form.get("agency_id"), "licence_number": request.form.get("agency_licence"),
                  "name": request.form.get("agency_name")}
    else:
        body = request.get_json(silent=True)
        agency = body.get("agency") if isinstance(body, dict) else None
    if not isinstance(agency, dict):
        return "-"
    for field, normal in (("entity_id", str), ("licence_number", licence_key), ("name", name_key)):
        if agency.get(field) not in (None, ""):
            return f"{field}:{normal(str(agency[field]))[:100]}"
    return "-"


def taken(response):
    return response.status_code == 201


# Reports taken count (a worker correcting a mistyped field is not slowed down); a robot's trap answer too. The
# API and the form (app/reports/views.py) share these counters.
INTAKE_LIMITS = throttle.limited(
    throttle.limiter.shared_limit(lambda: current_app.config["REPORTS_ADDRESS_LIMITS"], "report-address",
                                  methods=["POST"], deduct_when=taken),
    throttle.limiter.shared_limit(lambda: current_app.config["REPORTS_AGENCY_LIMITS"], "report-agency",
                                  key_func=agency_named, methods=["POST"], deduct_when=taken))
# Only wrong receipt codes count: guessing one (125 random bits) is hopeless, and slower still.
RECEIPT_LIMITS = throttle.limited(throttle.limiter.shared_limit(
    "20 per minute; 200 per day", "report-receipt", methods=["POST"], deduct_when=lambda r: r.status_code == 404))


@blp.route("/reports/receivers", methods=["GET"])
@require("report.submit")
@blp.response(200, schemas.ReceiverSchema(many=True))
def list_receivers():
    """The organisations that take workers' reports (send yours to one of them)."""
    return intake.receivers(db.Session())


@blp.route("/reports/intake", methods=["POST"])
@require("report.submit")
@INTAKE_LIMITS
@blp.arguments(schemas.IntakeSchema)
@blp.response(201, schemas.ReceiptGivenSchema)
def send_report(data):
    """Send a report, without an account. Keep the receipt code: it is shown once, and lets you check the
    report, add to it, or withdraw it and have your personal data erased."""
    if data.pop("website", None):
        return {"receipt": new_receipt()}  # a robot filled the trap: it learns nothing, nothing is stored
    session = db.Session()
    intake.check_receiver(session, data["receiver_id"])
    _, receipt = intake.submit(session, keyring(), data, receiver_id=data.pop("receiver_id"), channel="public",
                               limits=limits())
    session.commit()
    return {"receipt": receipt}


@blp.route("/reports/receipt/status", methods=["POST"])
@require("report.submit")
@RECEIPT_LIMITS
@blp.arguments(schemas.ReceiptSchema)
@blp.response(200, schemas.StatusSchema)
def receipt_status(data):
    """Where your report stands (the receipt code goes in the body, never in an address)."""
    return intake.status(db.Session(), data["receipt"])


@blp.route("/reports/receipt/additions", methods=["POST"])
@require("report.submit")
@RECEIPT_LIMITS
@blp.arguments(schemas.AdditionSchema)
@blp.response(200, schemas.StatusSchema)
def add_to_report(data):
    """Add to your account of what happened, or send pictures or documents."""
    session = db.Session()
    answer = intake.add_information(session, keyring(), data["receipt"], data, limits=limits())
    session.commit()
    return answer


@blp.route("/reports/receipt/withdrawal", methods=["POST"])
@require("report.submit")
@RECEIPT_LIMITS
@blp.arguments(schemas.ReceiptSchema)
@blp.response(200, schemas.StatusSchema)
def withdraw_report(data):
    """Withdraw your report: what you said, your contact details and attachments are erased for good."""
    session = db.Session()
    answer = intake.withdraw(session, data["receipt"])
    session.commit()
    return answer


@blp.route("/reports/figures", methods=["GET"])
@require("report.figures")
@blp.arguments(schemas.FiguresQuerySchema, location="query")
@blp.response(200, schemas.FiguresSchema)
def public_figures(args):
    """Reports by category per agency (kind=agency, subject: its id) or corridor (kind=corridor, subject: NP-QA)
    and year. A figure is shown only where enough distinct workers reported, and none that is withheld can be
    worked out from the totals ("all")."""
    return aggregates.read_figures(db.Session(), args["kind"], args.get("year"), args.get("subject"))


@blp.route("/reports")
class Reports(MethodView):
    @require("report.handle")
    @blp.arguments(case_schemas.ReportQuerySchema, location="query")
    @blp.response(200, case_schemas.ReportPageSchema)
    def get(self, args):
        """The reports your organisation received, newest first (no confidential part)."""
        rows, total = service.list_reports(db.Session(), current_actor(), state=args.get("state"),
                                           agency_entity_id=args.get("agency_entity_id"), page=args["page"],
                                           per_page=args["per_page"])
        return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}

    @require("report.file")
    @blp.arguments(schemas.ReportSchema)
    @blp.response(201, schemas.FiledSchema)
    def post(self, data):
        """File a report a worker gave your organisation; give them the receipt code (shown once)."""
        session, actor = db.Session(), current_actor()
        report, receipt = intake.submit(session, keyring(), data, receiver_id=actor.organisation_id,
                                        channel="partner", limits=limits(), actor=actor)
        session.commit()
        return {"id": report.id, "receipt": receipt}


@blp.route("/reports/import", methods=["POST"])
@require("report.file")
@blp.doc(requestBody=file_upload("The reports: CSV, JSON or XLSX (told apart by the file name's extension)"))
@blp.response(200, schemas.ReportImportSchema)
def import_reports():
    """Import reports your organisation took (all rows or none; problems by row and column). Each row's receipt
    code is in the answer, once."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("Send the file as multipart form field 'file'.", {"file": ["missing"]})
    session = db.Session()
    report = importer.import_reports(session, keyring(), current_actor(), upload.read(),
                                     fmt=tables.detect_format(upload.filename))
    session.commit()
    return report


@blp.route("/reports/<int:report_id>")
class ReportItem(MethodView):
    @require("report.handle")
    @blp.response(200, case_schemas.ReportCaseSchema)
    def get(self, report_id):
        """The case: answers, consent, history, referrals, attachments (their types), likely duplicates."""
        session = db.Session()
        return service.case_of(session, service.get_report(session, current_actor(), report_id))

    @require("report.handle")
    @blp.arguments(case_schemas.ReportUpdateSchema)
    @blp.response(200, case_schemas.ReportCaseSchema)
    def patch(self, data, report_id):
        """Assign the case, link it to registered entities, or mark it a duplicate (send the version you read)."""
        session = db.Session()
        report = service.update_report(session, current_actor(), report_id, data)
        session.commit()
        return report


@blp.route("/reports/<int:report_id>/state", methods=["POST"])
@require("report.handle")
@blp.arguments(case_schemas.StateSchema)
@blp.response(200, case_schemas.ReportCaseSchema)
def change_state(data, report_id):
    """Move the case: received -> triaged -> referred or investigating -> resolved -> closed."""
    session = db.Session()
    report = service.change_state(session, current_actor(), report_id, data)
    session.commit()
    return report


@blp.route("/reports/<int:report_id>/verification", methods=["POST"])
@require("report.handle")
@blp.arguments(case_schemas.ReportVerificationSchema)
@blp.response(200, case_schemas.ReportCaseSchema)
def verify(data, report_id):
    """Record which categories you verified: they become scoring facts of the linked agency."""
    session = db.Session()
    report = service.verify(session, current_actor(), report_id, data)
    session.commit()
    return report


@blp.route("/reports/<int:report_id>/referrals", methods=["POST"])
@require("report.handle")
@blp.arguments(case_schemas.ReferralSchema)
@blp.response(201, case_schemas.ReferralSchema)
def refer(data, report_id):
    """Refer the report to a regulator (only if the worker agreed); its case handlers then read it."""
    session = db.Session()
    referral = service.refer(session, current_actor(), report_id, data["regulator_id"])
    session.commit()
    return referral


@blp.route("/reports/<int:report_id>/confidential", methods=["GET"])
@db.writes  # the read is logged
@require("report.handle")
@blp.response(200, case_schemas.ConfidentialSchema)
def read_confidential(report_id):
    """The worker's account, contact details, additions, internal notes and attachment names. Every read is
    in the audit log."""
    session = db.Session()
    found = service.read_confidential(session, keyring(), current_actor(), report_id)
    session.commit()
    return found


@blp.route("/reports/<int:report_id>/notes", methods=["POST"])
@require("report.handle")
@blp.arguments(case_schemas.CaseNoteSchema)
@blp.response(201, case_schemas.CaseNoteSchema)
def add_note(data, report_id):
    """An internal note on the case (stored sealed; read with the confidential part)."""
    session = db.Session()
    note = service.add_note(session, keyring(), current_actor(), report_id, data["text"])
    session.commit()
    return note


@blp.route("/reports/<int:report_id>/attachments/<int:attachment_id>", methods=["GET"])
@db.writes  # the read is logged
@require("report.handle", "report.referred")
@blp.response(200, description="The file, as cleaned on the way in", content_type="application/octet-stream")
def read_attachment(report_id, attachment_id):
    """One attachment (a logged read)."""
    session = db.Session()
    media_type, content = service.read_attachment(session, keyring(), current_actor(), report_id, attachment_id)
    session.commit()
    extension = {"image/jpeg": "jpg", "image/png": "png"}.get(media_type, "pdf")
    return Response(content, mimetype=media_type, headers={
        "Content-Disposition": f'attachment; filename="report-{report_id}-{attachment_id}.{extension}"'})


@blp.route("/referrals", methods=["GET"])
@require("report.referred")
@blp.response(200, case_schemas.ReferralListSchema(many=True))
def list_referrals():
    """The reports referred to your regulator."""
    return service.list_referrals(db.Session(), current_actor())


@blp.route("/referrals/<int:report_id>", methods=["GET"])
@db.writes  # the read is logged
@require("report.referred")
@blp.response(200, case_schemas.ReferralViewSchema)
def read_referral(report_id):
    """A referred report, as far as the worker's consent goes (a logged read)."""
    session = db.Session()
    found = service.read_referral(session, keyring(), current_actor(), report_id)
    session.commit()
    return found
