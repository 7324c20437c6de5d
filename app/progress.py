"""Progress of long services (imports, re-scoring): they take a `progress(step, done, total)` callback and
call it as they go; commands show it on a terminal (app/cli.py: progress_bars), everyone else passes nothing.

`step` names the stage in plain words ("checking rows"); `total` may be None when it is not known ahead.
"""


def silent(step, done, total):
    """Report nothing (the default of every service)."""


def counted(items, progress, step, every=1000):
    """Yield the items, reporting how many went by every `every` items and at the end; out of how many when
    the items can be counted ahead (a list), out of None otherwise (a parser's generator)."""
    total = len(items) if hasattr(items, "__len__") else None
    progress(step, 0, total)
    done = 0
    for done, item in enumerate(items, start=1):
        yield item
        if done % every == 0:
            progress(step, done, total)
    progress(step, done, total)
