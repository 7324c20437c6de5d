"""Many searches of the in-memory name indexes shared with processes forked from this one, on as many cores.

The children see the indexes as this process holds them (the pages are shared until written), search their
share of the items and send their results back through a pipe; this process searches a share itself. Only
work that reads memory belongs here: a child never uses the database connections it inherits, and ends with
os._exit, so nothing of this process (connections, files, atexit handlers) is closed or finalised by it.
"""
from contextlib import suppress
import gc
import os
import pickle
import select
import signal
import sys
import time
import traceback

from app.progress import counted, silent

# Fewer items than this per process are not worth a fork (a few milliseconds for a large process).
SHARE = 50
# A child still at work this many seconds after this process did its own share (or twice that share's time if
# longer) is taken for stuck.
LATE = 30


def mapped(function, items, *, processes=1, progress=silent, step="working", every=100):
    """[function(item) for item in items], in their order, computed by up to `processes` processes: this one
    and processes - 1 forked children. A child that fails (killed, out of memory), or cannot be forked, leaves its
    share to this one.
    progress: as app/progress.py, from this process's share (the children's go as fast)."""
    items = list(items)
    processes = max(1, min(processes, len(items) // SHARE))
    if processes == 1:
        return [function(item) for item in counted(items, progress, step, every)]
    children = {}
    for share in range(1, processes):
        try:
            children[share] = forked(function, items[share::processes])
        except OSError:   # no memory or processes left for a fork: this process does that share too
            pass

    def scaled(step, done, total):
        progress(step, min(done * processes, len(items)), len(items))

    results = [None] * len(items)
    started = time.monotonic()
    try:
        results[0::processes] = [function(item) for item in counted(items[0::processes], scaled, step, every)]
        # A child's share is as large as this one's: one much later is stuck (a lock another thread held when it
        # was forked, say) and is ended.
        deadline = time.monotonic() + max(LATE, 2 * (time.monotonic() - started))
        for share in range(1, processes):
            data = received(*children.pop(share), deadline) if share in children else None
            results[share::processes] = pickle.loads(data) if data else \
                [function(item) for item in items[share::processes]]
    finally:
        # After a failure here: end the children not yet waited for, so that none is left behind.
        for pid, pipe in children.values():
            os.close(pipe)
            ended(pid)
    progress(step, len(items), len(items))
    return results


def received(pid, pipe, deadline):
    """What a child sent once it ended well, or None (it failed, or was ended at the deadline)."""
    data = []
    with os.fdopen(pipe, "rb", buffering=0) as reading:
        while (waited := deadline - time.monotonic()) > 0 and select.select([reading], [], [], waited)[0]:
            chunk = reading.read(1 << 20)
            if not chunk:
                return b"".join(data) if os.waitpid(pid, 0)[1] == 0 else None
            data.append(chunk)
    ended(pid)
    return None


def ended(pid):
    """End a child and wait for it (it may have ended already)."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def forked(function, items):
    """Start a child computing [function(item) for item in items]; (its pid, the pipe its results come on)."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writing)
        return pid, reading
    # In the child. No garbage collection: freeing an inherited object (a connection) could act on the parent's
    # resources; the child is short-lived and exits without cleaning up.
    gc.disable()
    code = 0
    try:
        os.close(reading)
        data = pickle.dumps([function(item) for item in items], pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writing, "wb") as out:
            out.write(data)
    except BaseException:  # noqa: BLE001 (whatever failed, the parent does this share itself)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        code = 1
    finally:
        os._exit(code)
