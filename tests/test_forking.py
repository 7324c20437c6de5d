"""Searches shared with forked processes (app/forking.py): the same results in the same order as one process,
a failed child's share done here, and the database connection of this process untouched by the children."""
import os
import time

import pytest
from sqlalchemy import select, text

from app import forking
from app.registry.models import Entity


@pytest.fixture
def small_shares(monkeypatch):
    """Fork for a handful of items (a share is normally tens of them)."""
    monkeypatch.setattr(forking, "SHARE", 1)


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_the_results_come_back_complete_and_in_order(small_shares, processes):
    items = list(range(37))
    pids = forking.mapped(lambda n: (n * n, os.getpid()), items, processes=processes)

    assert [square for square, _ in pids] == [n * n for n in items]
    assert len({pid for _, pid in pids}) == processes   # each process took a share


def test_a_child_that_fails_leaves_its_share_to_this_process(small_shares, capfd):
    parent = os.getpid()

    def only_here(n):
        if os.getpid() != parent:
            raise RuntimeError("the child ran out of memory")
        return -n

    assert forking.mapped(only_here, range(10), processes=3) == [-n for n in range(10)]
    assert "the child ran out of memory" in capfd.readouterr().err


def test_a_child_stuck_is_ended_and_its_share_done_here(small_shares, monkeypatch):
    parent = os.getpid()
    monkeypatch.setattr(forking, "LATE", 0.5)

    def stuck_there(n):
        if os.getpid() != parent:
            time.sleep(60)   # as on a lock that another thread of the parent held when it forked
        return n * 2

    started = time.monotonic()
    assert forking.mapped(stuck_there, range(6), processes=2) == [n * 2 for n in range(6)]
    assert time.monotonic() - started < 10


def test_a_share_that_cannot_be_forked_is_done_here(small_shares, monkeypatch):
    def no_fork(function, items):
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(forking, "forked", no_fork)
    assert forking.mapped(lambda n: n + 1, range(9), processes=3) == list(range(1, 10))


def test_a_failure_here_ends_the_children_and_is_raised(small_shares, monkeypatch):
    parent, children = os.getpid(), []

    def recorded(function, items):
        pid, pipe = started(function, items)
        children.append(pid)
        return pid, pipe

    def failing_here(n):
        if os.getpid() == parent and n == 3:
            raise ValueError("bad item")
        return n

    started = forking.forked
    monkeypatch.setattr(forking, "forked", recorded)
    with pytest.raises(ValueError, match="bad item"):
        forking.mapped(failing_here, range(12), processes=3)
    assert len(children) == 2
    for pid in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)   # ended and waited for: not even a zombie is left


def test_progress_counts_every_item(small_shares):
    seen = []
    forking.mapped(str, range(20), processes=2, progress=lambda step, done, total: seen.append((step, done, total)),
                   step="searching", every=3)
    assert seen[0] == ("searching", 0, 20) and seen[-1] == ("searching", 20, 20)
    assert all(done <= total for _, done, total in seen)


def test_the_children_leave_this_process_s_open_transaction_as_it_was(small_shares, session, make_agency):
    agency = make_agency(legal_name="Forked Lantern Overseas Pvt Ltd")
    session.execute(text("SELECT 1"))

    forking.mapped(lambda n: n + 1, range(40), processes=2)

    # The same connection, in the same transaction, still answers and still sees the uncommitted agency.
    assert session.scalar(select(Entity.legal_name).where(Entity.id == agency.id)) == agency.legal_name
