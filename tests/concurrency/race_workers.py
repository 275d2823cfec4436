"""What each racing desk process does (imported by spawned processes: module-level functions).
Each opens its own context (engine, connections) after it starts, then waits at the barrier."""

from __future__ import annotations


def open_desk(url: str, desk: str, **settings):
    from eventdesk.logs import tame_escpos_import

    tame_escpos_import()
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings

    return open_context(url, Settings(db=url, desk=desk, **settings))


def scan_codes(barrier, url: str, desk: str, codes: list[str]) -> list[dict]:
    """Check every code in at this desk, as fast as the desk can; the answers as dicts."""
    from eventdesk.services.checkin import check_in

    context = open_desk(url, desk)
    context.event()
    barrier.wait()
    answers = [check_in(context, code).as_dict() for code in codes]
    context.engine.dispose()
    return answers
