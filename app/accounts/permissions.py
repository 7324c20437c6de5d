"""Who may read or change what: the one place that every route, page, import and command asks.

Each action has a rule: the roles and organisation kinds admitted at the door (checked before a route runs),
and, for actions on one record, a test of the actor against that record (checked by the service that has it).
The README's permission table shows these rules; tests/accounts/test_permission_matrix.py holds every route to
that table for every kind of user.
"""
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import false, or_, true

from app.errors import Forbidden, NotFound, Unauthorized

PLATFORM, BUSINESS, GOVERNMENT, CERTIFIER = "platform", "business", "government", "certification_body"
# NGOs, hotlines and unions: they receive workers' reports (and, like anyone, read and propose corrections).
CIVIL_SOCIETY = "civil_society"
KINDS = (PLATFORM, BUSINESS, GOVERNMENT, CERTIFIER, CIVIL_SOCIETY)
# Case handlers work on the worker reports their organisation receives (or a regulator is referred), and only
# on those: they are not among the registry's writers.
ROLES = ("admin", "analyst", "auditor", "registrar", "viewer", "case_handler")
# Roles that write in the registry and its evidence; viewers only read.
WRITERS = ("admin", "analyst", "auditor", "registrar")


def platform_staff(actor):
    """The platform's admins and analysts look after the whole registry."""
    return actor.organisation_kind == PLATFORM and actor.role in ("admin", "analyst")


def platform_admin(actor):
    return actor.organisation_kind == PLATFORM and actor.role == "admin"


def manages_authority(actor, authority_id):
    """Registrars and admins of a regulator tied to the authority, and platform admins."""
    if platform_admin(actor):
        return True
    return (actor.organisation_kind == GOVERNMENT and actor.role in ("registrar", "admin")
            and authority_id in actor.authority_ids)


def licensing_authorities(entity):
    """The authorities that have licensed an entity (any licence on record, whatever its status)."""
    return {licence.authority_id for licence in entity.licences}


def licenses(actor, entity):
    """The actor is a regulator (any role) of an authority that licenses the entity: its jurisdiction."""
    return actor.organisation_kind == GOVERNMENT and bool(actor.authority_ids & licensing_authorities(entity))


def stewards(actor, entity):
    """The platform, registrars of an authority licensing the entity, and the organisation that registered it."""
    if platform_staff(actor):
        return True
    if actor.role in ("registrar", "admin") and licenses(actor, entity):
        return True
    return (entity.registered_by_organisation_id is not None
            and entity.registered_by_organisation_id == actor.organisation_id
            and actor.role in ("admin", "analyst", "registrar"))


def stewarded(actor, registered_by, licensed_by):
    """`stewards` as a SQL condition, for lists: given the registering organisation column, and a
    function turning a set of authority ids into "the entity holds a licence of one of them"."""
    if platform_staff(actor):
        return true()
    conditions = []
    if actor.role in ("registrar", "admin") and actor.organisation_kind == GOVERNMENT and actor.authority_ids:
        conditions.append(licensed_by(sorted(actor.authority_ids)))
    if actor.role in ("admin", "analyst", "registrar") and actor.organisation_id is not None:
        conditions.append(registered_by == actor.organisation_id)
    return or_(*conditions) if conditions else false()


def audits_readable(actor, performer, licensed_by):
    """`reads_audit` as a SQL condition, for lists: given the performing organisation column, and a function
    turning a set of authority ids into "the audited entity holds a licence of one of them"."""
    if actor.organisation_kind == PLATFORM:
        return true()
    conditions = [performer == actor.organisation_id]
    if actor.organisation_kind == GOVERNMENT and actor.authority_ids:
        conditions.append(licensed_by(sorted(actor.authority_ids)))
    return or_(*conditions)


def certifies(actor, entity):
    """The platform, and the certification body that certifies the entity (or any, while none does)."""
    if platform_staff(actor):
        return True
    return (actor.organisation_kind == CERTIFIER and actor.role in ("admin", "auditor")
            and entity.certified_by_organisation_id in (None, actor.organisation_id))


def decides_hits(actor, entity):
    """The platform, and regulators for entities they license."""
    if actor.organisation_kind == PLATFORM:
        return True
    return licenses(actor, entity)


def records_licence(actor, licence):
    """Registrars of the issuing authority and platform admins."""
    return manages_authority(actor, licence.authority_id)


def own_organisation(actor, row):
    """Rows of an organisation's private layer belong to that organisation only."""
    return row.organisation_id == actor.organisation_id


def recorder(actor, row):
    """The organisation that recorded a piece of shared evidence (a finding), and the platform."""
    return platform_staff(actor) or (row.recorded_by_organisation_id is not None
                                     and row.recorded_by_organisation_id == actor.organisation_id)


def records_audits(actor, entity):
    """Certification bodies and businesses (their own auditors) audit; on the platform, its admins."""
    return actor.organisation_kind != PLATFORM or actor.role == "admin"


def reads_audit(actor, audit):
    """The organisation that performed an audit, regulators licensing the audited entity, and the platform.

    `audit` is an Audit or anything with the performer's `organisation_id` and the `entity` (a finding's
    oversight, app/audits/actions.py).
    """
    return (actor.organisation_kind == PLATFORM or audit.organisation_id == actor.organisation_id
            or licenses(actor, audit.entity))


def performs(actor, audit):
    """Admins and auditors of the organisation that performed an audit, and platform admins."""
    return platform_admin(actor) or (audit.organisation_id is not None
                                     and audit.organisation_id == actor.organisation_id
                                     and actor.role in ("admin", "auditor"))


def completes(actor, audit):
    """Anyone who writes in the organisation that performed the audit, and the platform's admins and analysts."""
    return platform_staff(actor) or (audit.organisation_id is not None
                                     and audit.organisation_id == actor.organisation_id)


def verifies(actor, audit):
    """The auditors (and admins) of the organisation that performed the audit: verification is their judgement.
    Findings the operator recorded (no organisation) are the platform's: its admins verify them."""
    if audit.organisation_id is None:
        return platform_admin(actor)
    return audit.organisation_id == actor.organisation_id


def proposer_or_steward(actor, change):
    """The organisation that proposed a change, and the stewards of its entity."""
    return change.proposed_by_organisation_id == actor.organisation_id or stewards(actor, change.entity)


def task_reader(actor, task):
    """A review task's owning organisation, and the platform's admins and analysts."""
    return platform_staff(actor) or task.organisation_id == actor.organisation_id


def tasks_readable(actor, owner):
    """`task_reader` as a SQL condition, for lists: given the owning organisation column."""
    return true() if platform_staff(actor) else owner == actor.organisation_id


def receives(actor, report):
    """The organisation a worker report was sent to (its case handlers, by the rule's roles)."""
    return report.receiving_organisation_id == actor.organisation_id


def referred_to(actor, report):
    """A regulator the receiving organisation referred the report to."""
    return any(referral.regulator_id == actor.organisation_id for referral in report.referrals)


def user_admin(actor, user):
    """Admins of the user's organisation; platform admins for everyone."""
    return platform_admin(actor) or (actor.role == "admin" and user.organisation_id == actor.organisation_id)


@dataclass(frozen=True)
class Rule:
    """Who may do one action: in plain words, the roles and kinds admitted, and the test on the record."""

    who: str
    roles: tuple | None = ROLES          # None: anyone, signed in or not
    kinds: tuple = KINDS
    record: Callable | None = None


SIGNED_IN = Rule("signed-in users")
RULES = {
    "registry.read": Rule("anyone; anonymous readers see public fields only", roles=None),
    "registry.export": SIGNED_IN,
    "entity.register": Rule("admins, analysts and registrars", roles=("admin", "analyst", "registrar")),
    "entity.edit": Rule("stewards: platform admins and analysts, admins and registrars of an authority that "
                        "licenses it, admins, analysts and registrars of the organisation that registered it",
                        roles=("admin", "analyst", "registrar"), record=stewards),
    "entity.withdraw": Rule("stewards (as entity.edit)", roles=("admin", "analyst", "registrar"), record=stewards),
    "entity.restore": Rule("platform admins", roles=("admin",), kinds=(PLATFORM,)),
    "entity.certify": Rule("platform admins and analysts; admins and auditors of the certification body that "
                           "certifies it (any certification body while none does)",
                           roles=("admin", "analyst", "auditor"), kinds=(PLATFORM, CERTIFIER), record=certifies),
    "change.propose": Rule("anyone who writes (admins, analysts, auditors, registrars)", roles=WRITERS),
    "change.read": Rule("the proposing organisation and the entity's stewards", record=proposer_or_steward),
    "change.decide": Rule("the entity's stewards", roles=("admin", "analyst", "registrar"), record=stewards),
    "licence.record": Rule("registrars and admins of the issuing authority, platform admins",
                           roles=("admin", "registrar"), kinds=(PLATFORM, GOVERNMENT), record=records_licence),
    "authority.create": Rule("platform admins", roles=("admin",), kinds=(PLATFORM,)),
    "relationship.read": SIGNED_IN,
    "relationship.create": Rule("admins, analysts and registrars", roles=("admin", "analyst", "registrar")),
    "evidence.read": SIGNED_IN,
    "evidence.record": Rule("anyone who writes (admins, analysts, auditors, registrars)", roles=WRITERS),
    "finding.close": Rule("the organisation that recorded the finding (its admins, analysts, auditors, registrars), "
                          "platform admins and analysts", roles=WRITERS, record=recorder),
    "auditing.record": Rule("admins and auditors of certification bodies and of businesses (a brand's own "
                            "auditors), platform admins", roles=("admin", "auditor"),
                            kinds=(PLATFORM, BUSINESS, CERTIFIER), record=records_audits),
    "auditing.read": Rule("the organisation that performed the audit, regulators that license the audited entity, "
                          "the platform (others get 404)", record=reads_audit),
    "auditing.change": Rule("admins and auditors of the organisation that performed the audit, platform admins",
                            roles=("admin", "auditor"), kinds=(PLATFORM, BUSINESS, CERTIFIER), record=performs),
    "action.complete": Rule("the organisation that performed the audit (its admins, analysts, auditors, "
                            "registrars), platform admins and analysts", roles=WRITERS, record=completes),
    "action.verify": Rule("admins and auditors of the organisation that performed the audit (platform admins for "
                          "findings the operator recorded)", roles=("admin", "auditor"),
                          kinds=(PLATFORM, BUSINESS, CERTIFIER), record=verifies),
    "score.read": SIGNED_IN,
    "score.compute": Rule("anyone who writes", roles=WRITERS),
    "private.read": Rule("the organisation's own users (others get 404)", record=own_organisation),
    "private.write": Rule("the organisation's admins, analysts and auditors (others get 404)",
                          roles=("admin", "analyst", "auditor"), record=own_organisation),
    "watchlist.read": SIGNED_IN,
    "watchlist.import": Rule("platform admins and analysts", roles=("admin", "analyst"), kinds=(PLATFORM,)),
    "screen.name": SIGNED_IN,
    "screen.entity": Rule("the platform and regulators (admins, analysts, auditors, registrars)",
                          roles=WRITERS, kinds=(PLATFORM, GOVERNMENT)),
    "hit.read": Rule("the platform and regulators (others see confirmed hits in the entity's score, and the "
                     "watchlist status of entities they follow)", kinds=(PLATFORM, GOVERNMENT)),
    "hit.follow": Rule("signed-in users, for entities their organisation follows (open hits read as a possible "
                       "match under review)"),
    "hit.decide": Rule("platform admins and analysts; admins, analysts and registrars of regulators that "
                       "license the entity", roles=("admin", "analyst", "registrar"), kinds=(PLATFORM, GOVERNMENT),
                       record=decides_hits),
    "task.read": Rule("the owning organisation's users; platform admins and analysts read every organisation's "
                      "(others get 404)", record=task_reader),
    "task.work": Rule("the owning organisation's admins, analysts, auditors and registrars", roles=WRITERS,
                      record=own_organisation),
    "account.self": SIGNED_IN,
    # The console (/console): every signed-in user has one; these say which parts each one sees.
    "console.read": Rule("signed-in users: each sees the parts of the dashboard below that concern them"),
    "console.portfolio": Rule("users of businesses and of the platform: their own organisation's portfolio, and "
                              "its export", kinds=(PLATFORM, BUSINESS)),
    "console.licences": Rule("users of regulators (not their case handlers): their authorities' licences and "
                             "the hits on the entities they license", roles=("admin", "analyst", "auditor",
                                                                             "registrar", "viewer"),
                             kinds=(GOVERNMENT,)),
    "console.audits": Rule("admins and auditors of certification bodies and of businesses: the audits their "
                           "organisation performed", roles=("admin", "auditor"), kinds=(BUSINESS, CERTIFIER)),
    "console.reports": Rule("case handlers: how many reports their organisation received, by state",
                            roles=("case_handler",)),
    "user.manage": Rule("admins, for their organisation's users (platform admins: everyone's)", roles=("admin",),
                        record=user_admin),
    "organisation.create": Rule("platform admins", roles=("admin",), kinds=(PLATFORM,)),
    "notification.manage": Rule("the organisation's admins (others get 404)", roles=("admin",),
                                record=own_organisation),
    "audit.read": Rule("admins: platform admins read everything, others what concerns their organisation",
                       roles=("admin",)),
    "report.submit": Rule("anyone, without an account: a worker sends a report, and with its receipt code checks "
                          "it, adds to it or withdraws it", roles=None),
    "report.figures": Rule("anyone: the public figures identify no one", roles=None),
    "report.file": Rule("case handlers, for their own organisation (a partner NGO, hotline or union files what "
                        "workers told it)", roles=("case_handler",)),
    "report.handle": Rule("case handlers of the organisation that received the report (others get 404)",
                          roles=("case_handler",), record=receives),
    "report.referred": Rule("case handlers of a regulator the report was referred to (others get 404)",
                            roles=("case_handler",), kinds=(GOVERNMENT,), record=referred_to),
}


def admitted(actor, action):
    """True if the actor passes the door of the action (role and organisation kind), whatever the record."""
    rule = RULES[action]
    if rule.roles is None:
        return True
    return actor is not None and actor.role in rule.roles and actor.organisation_kind in rule.kinds


def allowed(actor, action, record=None):
    """True if the actor may do the action (to the record, when the action concerns one)."""
    rule = RULES[action]
    if not admitted(actor, action):
        return False
    return record is None or rule.record is None or rule.record(actor, record)


def check(actor, action, record=None, *, hide=False, what=None):
    """Raise unless the actor may do the action: Unauthorized when anonymous, Forbidden (or NotFound-like
    `hide`, for private rows of another organisation) otherwise."""
    if allowed(actor, action, record):
        return
    rule = RULES[action]
    if actor is None:
        raise Unauthorized("Sign in or send an API token to use this.")
    if hide:
        raise NotFound(f"No {what or 'such record'}.")
    where = record.id if record is not None else "{id}"
    hint = (f" Propose a correction instead (POST /api/v1/entities/{where}/change-requests)."
            if action == "entity.edit" and admitted(actor, "change.propose") else "")
    article = "an" if actor.role[0] in "aeiou" else "a"
    raise Forbidden(f"{what or 'This'} is for {rule.who} ({action}); you are {article} {actor.role} of a "
                    f"{actor.organisation_kind.replace('_', ' ')} organisation.{hint}")
