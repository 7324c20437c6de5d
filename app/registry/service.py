"""Registry use cases: agencies, employers, licences, relationships, authorities."""
from sqlalchemy import or_, select

from app.accounts import permissions
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.registry.models import (Address, Alias, Authority, Entity, EntitySector, Identifier, Licence,
                                 LicenceDestination, LicenceSector, LicenceStatusChange, Person, Relationship, Role)
from app.registry import listing
from app.registry.names import licence_key, name_key

LIST_FIELDS = ("aliases", "identifiers", "addresses", "sectors", "people")
SCALAR_FIELDS = ("legal_name", "country", "website", "certification_status", "certification_valid_until")
CERTIFICATION_FIELDS = ("certification_status", "certification_valid_until")
# The profile: what stewards edit and others propose corrections to (certification and licences have their own).
PROFILE_FIELDS = ("legal_name", "country", "website", *LIST_FIELDS)


def get_entity(session, entity_id, kind=None, *, withdrawn=False):
    """The live agency or employer with this id (or a withdrawn one, when asked), or NotFound."""
    entity = session.get(Entity, entity_id)
    if entity is None or (entity.deleted_at is not None and not withdrawn) or (kind and entity.kind != kind):
        raise NotFound(f"No {kind or 'entity'} with id {entity_id}.")
    return entity


def check_changes(actor, entity, data, what):
    """Refuse fields the actor may not change: the profile is the stewards', certification the certifier's."""
    if any(field in data for field in PROFILE_FIELDS):
        permissions.check(actor, "entity.edit", entity, what=what)
    if any(field in data and data[field] != getattr(entity, field) for field in CERTIFICATION_FIELDS):
        permissions.check(actor, "entity.certify", entity, what="Setting the certification status")
        if actor.organisation_kind == permissions.CERTIFIER:
            entity.certified_by_organisation_id = actor.organisation_id


def referenced_entity(session, entity_id, field):
    """The live entity a body field refers to, or Invalid naming the field (the URL itself was found)."""
    try:
        return get_entity(session, entity_id)
    except NotFound as err:
        raise Invalid(err.message, {field: [f"No agency or employer with id {entity_id}."]}) from None


def check_version(obj, sent):
    """Refuse an update made from a stale read."""
    if sent != obj.version:
        raise Conflict(f"This record changed since you read it (you sent version {sent}, it is now "
                       f"{obj.version}); read it again and re-apply your change.", {"version": ["stale"]})


def find_duplicate(session, kind, country, legal_name, exclude_id=None):
    """The id of another live entity of this kind and country with the same folded name, if any."""
    query = select(Entity.id).where(Entity.kind == kind, Entity.country == country,
                                    Entity.name_key == name_key(legal_name), Entity.deleted_at.is_(None))
    if exclude_id:
        query = query.where(Entity.id != exclude_id)
    return session.scalar(query)


def authorities_by_code(session):
    """All licensing authorities keyed by code."""
    return {a.code: a for a in session.scalars(select(Authority))}


def resolve_authority(session, code, path):
    """The authority with this code, or Invalid naming the field and the known codes."""
    authority = session.scalar(select(Authority).where(Authority.code == code))
    if authority is None:
        known = ", ".join(sorted(authorities_by_code(session))) or "none yet"
        raise Invalid(f"Unknown licensing authority {code!r}.", {path: [f"Unknown authority {code!r}; known: {known}."]})
    return authority


def apply_lists(session, entity, data):
    """Replace the entity's aliases, identifiers, addresses, sectors and people with those given."""
    if "aliases" in data:
        entity.aliases = [Alias(name=a["name"], name_key=name_key(a["name"]), kind=a["kind"]) for a in data["aliases"]]
    if "identifiers" in data:
        entity.identifiers = [Identifier(scheme=i["scheme"], value=i["value"].strip()) for i in data["identifiers"]]
    if "addresses" in data:
        entity.addresses = [Address(**a) for a in data["addresses"]]
    if "sectors" in data:
        entity.sectors = [EntitySector(sector=s) for s in dict.fromkeys(data["sectors"])]
    if "people" in data:
        known = {(r.person.name_key, r.person.nationality): r.person for r in entity.roles}
        roles = []
        for p in data["people"]:
            key = (name_key(p["name"]), p.get("nationality"))
            person = known.get(key) or Person(name=p["name"], name_key=key[0], nationality=key[1])
            known[key] = person
            roles.append(Role(person=person, role=p["role"], since=p.get("since"), until=p.get("until")))
        entity.roles = roles


def create_entity(session, actor, kind, data):
    """Register an agency or employer with its names, people and licences."""
    duplicate = find_duplicate(session, kind, data["country"], data["legal_name"])
    if duplicate:
        raise Conflict(f"A {kind} named {data['legal_name']!r} in {data['country']} is registered already "
                       f"(id {duplicate}).", {"legal_name": ["already registered"]})
    entity = Entity(kind=kind, name_key=name_key(data["legal_name"]),
                    registered_by_organisation_id=actor.organisation_id if actor else None,
                    **{k: data.get(k) for k in SCALAR_FIELDS if k not in CERTIFICATION_FIELDS})
    if actor is not None and data.get("certification_status"):
        check_changes(actor, entity, {"certification_status": data["certification_status"]}, None)
    entity.certification_status = data.get("certification_status")
    session.add(entity)
    apply_lists(session, entity, data)
    session.flush()
    for index, licence in enumerate(data.get("licences", [])):
        add_licence(session, actor, entity, licence, prefix=f"licences[{index}].")
    return entity


def update_entity(session, actor, entity_id, kind, data):
    """Change an entity's fields; list fields given replace the old lists."""
    entity = get_entity(session, entity_id, kind)
    if actor is not None:
        check_changes(actor, entity, data, "Changing this record's profile")
    check_version(entity, data.pop("version"))
    if "legal_name" in data or "country" in data:
        duplicate = find_duplicate(session, kind, data.get("country", entity.country),
                                   data.get("legal_name", entity.legal_name), exclude_id=entity.id)
        if duplicate:
            raise Conflict(f"Another {kind} with that name and country exists (id {duplicate}).",
                           {"legal_name": ["already registered"]})
    # One flush, so one update raises the version once (loading the old lists would flush the scalars early).
    with session.no_autoflush:
        for field in SCALAR_FIELDS:
            if field in data:
                setattr(entity, field, data[field])
        entity.name_key = name_key(entity.legal_name)
        apply_lists(session, entity, data)
        if session.is_modified(entity) or any(f in data for f in LIST_FIELDS):
            # A list change alone does not touch the entity row; bump it so readers see a new version.
            entity.updated_at = utcnow()
    session.flush()
    return entity


def withdraw_entity(session, actor, entity_id, kind=None, version=None, reason=None):
    """Withdraw a record: it leaves public reads and lists, keeps its history and hits; the platform restores."""
    entity = get_entity(session, entity_id, kind)
    permissions.check(actor, "entity.withdraw", entity, what="Withdrawing this record")
    if version is not None:
        check_version(entity, version)
    entity.deleted_at, entity.withdrawn_by_user_id, entity.withdrawn_reason = utcnow(), actor.user_id, reason
    session.flush()
    return entity


def restore_entity(session, actor, entity_id):
    """Bring a withdrawn record back (platform admins); a live record with its name took its place: 409."""
    entity = get_entity(session, entity_id, withdrawn=True)
    permissions.check(actor, "entity.restore", entity, what="Restoring a withdrawn record")
    if entity.deleted_at is None:
        raise Conflict(f"The {entity.kind} {entity_id} is not withdrawn.", {"entity_id": ["not withdrawn"]})
    duplicate = find_duplicate(session, entity.kind, entity.country, entity.legal_name)
    if duplicate:
        raise Conflict(f"Another {entity.kind} with this name and country was registered since (id {duplicate}).",
                       {"legal_name": ["already registered"]})
    entity.deleted_at, entity.withdrawn_by_user_id, entity.withdrawn_reason = None, None, None
    session.flush()
    return entity


def list_entities(session, kind, filters, *, page=1, per_page=50, sort="legal_name", near=frozenset()):
    """One page of entity summaries matching the filters, and the total count (near: see Listing.search)."""
    return listing.current(session).search(kind, filters, sort=sort, page=page, per_page=per_page, near=near)


def add_licence(session, actor, entity, data, prefix=""):
    """Record a licence of an entity; its first status opens the status history."""
    authority = resolve_authority(session, data["authority"], f"{prefix}authority")
    if actor is not None and not permissions.manages_authority(actor, authority.id):
        permissions.check(actor, "licence.record", Licence(authority_id=authority.id),
                          what=f"Recording a {authority.code} licence")
    key = licence_key(data["number"])
    clash = session.scalar(select(Licence.entity_id).where(Licence.authority_id == authority.id,
                                                           Licence.number_key == key))
    if clash:
        raise Conflict(f"{authority.code} licence {data['number']} is registered already (entity {clash}).",
                       {f"{prefix}number": ["duplicate licence number for this authority"]})
    licence = Licence(entity=entity, authority=authority, number=data["number"].strip(), number_key=key,
                      type=data.get("type", "full"), status=data["status"], status_raw=data.get("status_raw"),
                      valid_from=data.get("valid_from"), valid_until=data.get("valid_until"),
                      conditions=data.get("conditions"))
    licence.destinations = [LicenceDestination(country=c) for c in dict.fromkeys(data.get("destinations", []))]
    licence.sectors = [LicenceSector(sector=s) for s in dict.fromkeys(data.get("sectors", []))]
    session.add(licence)
    session.flush()
    session.add(LicenceStatusChange(licence_id=licence.id, status=licence.status, status_raw=licence.status_raw,
                                    effective_on=licence.valid_from, reason="recorded",
                                    recorded_by_user_id=actor.user_id if actor else None))
    session.flush()
    return licence


def get_licence(session, licence_id):
    """The licence with this id (of a live entity), or NotFound."""
    licence = session.get(Licence, licence_id)
    if licence is None or licence.entity.deleted_at is not None:
        raise NotFound(f"No licence with id {licence_id}.")
    return licence


def update_licence(session, actor, licence_id, data):
    """Correct a licence's details (not its status: see change_licence_status)."""
    licence = get_licence(session, licence_id)
    permissions.check(actor, "licence.record", licence, what=f"Changing a {licence.authority.code} licence")
    check_version(licence, data.pop("version"))
    if "destinations" in data:
        licence.destinations = [LicenceDestination(country=c) for c in dict.fromkeys(data.pop("destinations"))]
    if "sectors" in data:
        licence.sectors = [LicenceSector(sector=s) for s in dict.fromkeys(data.pop("sectors"))]
    for field, value in data.items():
        setattr(licence, field, value)
    if licence.valid_from and licence.valid_until and licence.valid_until < licence.valid_from:
        raise Invalid("The licence would end before it starts.",
                      {"valid_until": [f"valid_until ({licence.valid_until}) is before valid_from ({licence.valid_from})."]})
    session.flush()
    return licence


def change_licence_status(session, actor, licence_id, data):
    """Set a licence's status, appending to its history; only the issuing authority's registrars (or admins)."""
    licence = get_licence(session, licence_id)
    permissions.check(actor, "licence.record", licence, what=f"Changing a {licence.authority.code} licence's status")
    check_version(licence, data["version"])
    licence.status = data["status"]
    licence.status_raw = data.get("status_raw")
    session.add(LicenceStatusChange(licence_id=licence.id, status=data["status"], status_raw=data.get("status_raw"),
                                    effective_on=data.get("effective_on"), reason=data.get("reason"),
                                    reason_public=data.get("reason_public", False), recorded_by_user_id=actor.user_id))
    session.flush()
    return licence


def create_authority(session, actor, data):
    """Add a licensing authority (platform admins)."""
    permissions.check(actor, "authority.create", what="Adding a licensing authority")
    if session.scalar(select(Authority.id).where(Authority.code == data["code"])):
        raise Conflict(f"Authority {data['code']} exists already.", {"code": ["already exists"]})
    authority = Authority(**data)
    session.add(authority)
    session.flush()
    return authority


def add_relationship(session, actor, data):
    """Record that an employer uses an agency, or an agency a sub-agent, on a corridor."""
    client = referenced_entity(session, data["client_id"], "client_id")
    provider = referenced_entity(session, data["provider_id"], "provider_id")
    expected = ("employer", "agency") if data["kind"] == "employer_uses_agency" else ("agency", "agency")
    if (client.kind, provider.kind) != expected:
        raise Invalid(f"{data['kind']} links a {expected[0]} to an {expected[1]}.",
                      {"client_id": [f"is a {client.kind}"], "provider_id": [f"is a {provider.kind}"]})
    if client.id == provider.id:
        raise Invalid("An entity cannot be its own provider.", {"provider_id": ["same as client_id"]})
    relationship = Relationship(**data)
    session.add(relationship)
    session.flush()
    return relationship


def list_relationships(session, entity_id):
    """Relationships where the entity is client or provider."""
    return session.scalars(select(Relationship).where(
        or_(Relationship.client_id == entity_id, Relationship.provider_id == entity_id)).order_by(Relationship.id)).all()
