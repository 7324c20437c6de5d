"""Worker reports and their case files. Contact details, the worker's own account, additions, internal notes
and attachments are stored sealed with the report's data key (app/reports/crypto.py); nothing else here is
personal, and the audit log copies only the case-handling fields."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Audited, Base, utcnow

SEALED = ("sealed_account", "sealed_contact", "wrapped_key")


class Report(Base):
    """One worker's report about a recruiter, as received, and its handling by the receiving organisation."""

    __tablename__ = "reports"
    __audited__ = Audited(
        ("receiving_organisation_id", "channel", "state", "assigned_to_user_id", "agency_entity_id",
         "employer_entity_id", "duplicate_of_id", "verified_categories", "verified_at", "withdrawn_at",
         "consent_regulator", "consent_figures", "consent_contact"),
        redacted=SEALED, private_to="receiving_organisation_id")
    __table_args__ = (Index("ix_reports_receiver_state", "receiving_organisation_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receiving_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    channel: Mapped[str] = mapped_column(String(10))
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The agency as the worker named it: picked from the registry, by licence number, or in their own words.
    agency_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    agency_licence_number: Mapped[str | None] = mapped_column(String(100))
    agency_name: Mapped[str | None] = mapped_column(String(300))
    employer_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    employer_name: Mapped[str | None] = mapped_column(String(300))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    period_from: Mapped[date | None]
    period_until: Mapped[date | None]
    # Structured answers; blank is "not said".
    fees: Mapped[list | None] = mapped_column(JSON)
    documents_kept: Mapped[bool | None]
    contract: Mapped[str | None] = mapped_column(String(12))
    wages_withheld: Mapped[bool | None]
    deceived: Mapped[bool | None]
    threats_or_violence: Mapped[bool | None]
    in_debt: Mapped[bool | None]
    # The categories the answers fall under (app/reports/vocab.py), sorted and joined with commas.
    categories: Mapped[str] = mapped_column(String(200), default="")
    consent_regulator: Mapped[bool] = mapped_column(default=False)
    consent_figures: Mapped[bool] = mapped_column(default=False)
    consent_contact: Mapped[bool] = mapped_column(default=False)
    # Envelope encryption: the data key wrapped by master key `key_id`; erasure removes both.
    key_id: Mapped[str | None] = mapped_column(String(20))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_account: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_contact: Mapped[bytes | None] = mapped_column(LargeBinary)
    # SHA-256 of the receipt code shown once to the reporter.
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A keyed digest telling reports of one reporter apart from others' (public figures count distinct reporters).
    reporter_key: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(15), default="received")
    assigned_to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    # What a case handler found true, as categories: only these become scoring facts.
    verified_categories: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[datetime | None]
    verified_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    history: Mapped[list["ReportStateChange"]] = relationship(order_by="ReportStateChange.id", viewonly=True)
    referrals: Mapped[list["ReportReferral"]] = relationship(order_by="ReportReferral.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class Sealed:
    """A piece of a report sealed with its data key, and when it came."""

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # The report's receiving organisation: its admins read these rows' audit events.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportAttachment(Sealed, Base):
    """A picture or PDF, checked and cleaned on the way in (app/reports/attachments.py)."""

    __tablename__ = "report_attachments"
    __audited__ = Audited(("report_id", "media_type", "size"), redacted=("sealed_name", "sealed_content"),
                          private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sealed_name: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)


class ReportAddition(Sealed, Base):
    """More of the worker's account, sent later with the receipt code."""

    __tablename__ = "report_additions"
    __audited__ = Audited(("report_id",), redacted=("sealed_text",), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    sealed_text: Mapped[bytes] = mapped_column(LargeBinary)


class ReportNote(Sealed, Base):
    """A case handler's internal note (sealed too: notes about a case repeat what the worker said)."""

    __tablename__ = "report_notes"
    __audited__ = Audited(("report_id", "by_user_id"), redacted=("sealed_text",), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sealed_text: Mapped[bytes] = mapped_column(LargeBinary)


class ReportStateChange(Base):
    """The history of a case: each move from one state to the next. Rows are only ever added."""

    __tablename__ = "report_state_changes"
    __append_only__ = True
    __audited__ = Audited(("report_id", "from_state", "to_state", "by_user_id"), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    from_state: Mapped[str | None] = mapped_column(String(15))
    to_state: Mapped[str] = mapped_column(String(15))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReportReferral(Base):
    """A report referred to a regulator, whose case handlers then read what the worker's consent allows."""

    __tablename__ = "report_referrals"
    __audited__ = Audited(("report_id", "regulator_id", "by_user_id"), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    regulator_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    referred_at: Mapped[datetime] = mapped_column(default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReportRead(Base):
    """Someone read a report's confidential part: the row exists so that the read is an audit event."""

    __tablename__ = "report_reads"
    __append_only__ = True
    __audited__ = Audited(("report_id", "reader_organisation_id", "what"), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reader_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reader_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # "confidential" (account, contact, additions, notes) or "attachment:<id>".
    what: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicFigure(Base):
    """One published cell of the public figures: reports by category, for one agency or corridor and year.

    Only cells that passed suppression are stored (app/reports/figures.py); `subject` and `category` are "all"
    for the totals.
    """

    __tablename__ = "report_figures"
    __table_args__ = (Index("ix_report_figures_lookup", "kind", "year", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))      # "agency" or "corridor"
    year: Mapped[int]
    subject: Mapped[str] = mapped_column(String(20))   # the agency's entity id or the corridor (NP-QA); "all"
    category: Mapped[str] = mapped_column(String(30))
    reports: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    min_reporters: Mapped[int]
