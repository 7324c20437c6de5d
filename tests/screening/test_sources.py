"""Watchlist sources: created on first import, read with their versions, changes and current entries."""
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.accounts.models import AuditEvent
from app.errors import Forbidden, Invalid, NotFound
from app.screening import service
from app.screening.importer import import_watchlist
from app.screening.models import WatchlistSource

DATA = Path(__file__).resolve().parent.parent / "data" / "screening" / "sources"


def load(session, name, *files, actor=OPERATOR, **source):
    """Import fixture files as the next version of source `name`."""
    return import_watchlist(session, name, source.pop("fmt", "generic-csv"), [DATA / f for f in files], actor=actor,
                            **source)


def test_a_new_source_takes_its_kind_title_and_publisher(session):
    load(session, "np-banned", "banned_v1.csv", kind="banned_agency", title="Banned agencies (DoFE)",
         publisher="Department of Foreign Employment, Nepal")
    source = service.get_source(session, "np-banned")
    assert (source.kind, source.title, source.publisher, source.format) == (
        "banned_agency", "Banned agencies (DoFE)", "Department of Foreign Employment, Nepal", "generic-csv")
    untitled = load(session, "internal-watch", "banned_v1.csv", kind="internal").source
    assert untitled.title == "internal-watch"


def test_a_new_source_needs_a_kind_a_format_and_a_slug_name(session):
    with pytest.raises(Invalid) as raised:
        import_watchlist(session, "Banned Agencies!", None, [DATA / "banned_v1.csv"], actor=OPERATOR)
    assert set(raised.value.errors) == {"source", "kind", "format"}
    with pytest.raises(Invalid) as wrong_kind:
        load(session, "np-banned", "banned_v1.csv", kind="naughty")
    assert "banned_agency" in wrong_kind.value.errors["kind"][0]
    assert session.scalar(select(WatchlistSource)) is None


def test_a_known_source_keeps_its_format(session):
    load(session, "np-banned", "banned_v1.csv", kind="banned_agency")
    again = import_watchlist(session, "np-banned", None, [DATA / "banned_v2.csv"], actor=OPERATOR)
    assert again.version.number == 2 and again.version.format == "generic-csv"
    with pytest.raises(Invalid) as other:
        load(session, "np-banned", "banned_v2.csv", fmt="opensanctions-csv")
    assert "imported as generic-csv" in other.value.errors["format"][0]


def test_only_platform_staff_import_lists_shared_by_everyone(session, make_user):
    business_analyst = actor_for(session, make_user("analyst"))
    with pytest.raises(Forbidden):
        load(session, "np-banned", "banned_v1.csv", kind="banned_agency", actor=business_analyst)
    platform_analyst = actor_for(session, make_user("analyst", kind="platform"))
    version = load(session, "np-banned", "banned_v1.csv", kind="banned_agency", actor=platform_analyst).version
    assert version.imported_by == platform_analyst.user_id


def test_sources_versions_and_changes_are_listed(session):
    load(session, "np-banned", "banned_v1.csv", kind="banned_agency")
    load(session, "np-banned", "banned_v2.csv")
    load(session, "a-internal", "banned_v1.csv", kind="internal")
    assert [(s.name, s.current_version.number) for s in service.list_sources(session)] == [("a-internal", 1),
                                                                                          ("np-banned", 2)]
    versions, total = service.list_versions(session, "np-banned", page=1, per_page=1)
    assert total == 2 and [v.number for v in versions] == [2]
    second = service.get_version(session, "np-banned", 2)
    assert [c.entry.entry_id for c in service.version_changes(session, second.id, "removed")] == ["NP-B-002"]
    rows, total = service.change_page(session, second.id, per_page=2)
    assert total == 3 and len(rows) == 2
    with pytest.raises(NotFound):
        service.get_version(session, "np-banned", 3)
    with pytest.raises(NotFound):
        service.get_source(session, "ofac-sdn")


def test_current_entries_leave_out_removed_ones_and_filter_by_source(session):
    banned = load(session, "np-banned", "banned_v1.csv", kind="banned_agency").source
    load(session, "np-banned", "banned_v2.csv")
    other = load(session, "a-internal", "banned_v1.csv", kind="internal").source
    listed = [(row.source_id, row.entry_id, row.revision) for row in service.current_entries(session, [banned.id])]
    assert listed == [(banned.id, "NP-B-001", 1), (banned.id, "NP-B-003", 1), (banned.id, "NP-B-004", 2),
                      (banned.id, "NP-B-005", 1)]
    assert sum(1 for row in service.current_entries(session) if row.source_id == other.id) == 4


def test_entries_are_searched_by_name_alias_or_id(session):
    load(session, "np-banned", "banned_v1.csv", kind="banned_agency")
    load(session, "np-banned", "banned_v2.csv")
    assert [e.entry_id for e in service.list_entries(session, "np-banned", "gulf dream manpower")[0]] == ["NP-B-004"]
    assert [e.entry_id for e in service.list_entries(session, "np-banned", "NP-B-003")[0]] == ["NP-B-003"]
    removed, total = service.list_entries(session, "np-banned", removed=True)
    assert total == 1 and removed[0].removed_version.number == 2


def test_each_import_is_in_the_audit_log(session):
    version = load(session, "np-banned", "banned_v1.csv", kind="banned_agency").version
    session.commit()  # the audit log is written as the transaction commits
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type.like("watchlist_%"))).all()
    created = next(e for e in events if e.object_type == "watchlist_versions" and e.action == "create")
    assert created.object_id == str(version.id) and created.after["added"] == 4
    assert {(e.object_type, e.action) for e in events} == {("watchlist_sources", "create"),
                                                            ("watchlist_sources", "update"),
                                                            ("watchlist_versions", "create")}
