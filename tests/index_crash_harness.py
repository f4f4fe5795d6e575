"""Kill an index writer with SIGKILL in the middle of its commit, once per kill point (tests only).

    python -m tests.index_crash_harness      (CATALOGUE_* settings name the catalogue)

The parent builds the app once; each round forks a child that logs a change of every offer (as a
bulk edit would), withdraws one published offer and publishes the one withdrawn the round before
(so the index has something real to catch up with), then brings the index up to date with
`index sync` or `index rebuild` and kills itself with SIGKILL at the round's point: just before or
after the n-th time Whoosh's storage creates, renames or deletes a file, or the n-th os.replace
(state.json, the `current` link). After each round the parent searches the index as the crash left
it, then syncs it and compares it with the database. One JSON line per round on stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update
from whoosh.filedb.filestore import FileStorage

from catalogue import create_app, indexing
from catalogue.extensions import db
from catalogue.models import IndexChange, Offer

# (command, operation, n-th time, before or after it)
KILL_POINTS = [
    ("sync", "create_file", 1, "before"),  # the first new file of the commit
    ("sync", "create_file", 6, "before"),  # segment files half written
    ("sync", "rename_file", 1, "before"),  # new TOC written, not yet in place
    ("sync", "rename_file", 1, "after"),  # new TOC in place, old segments not yet deleted
    ("sync", "delete_file", 3, "after"),  # the merge's clean-up half done
    ("sync", "replace", 1, "before"),  # committed, applied sequence number not yet recorded
    ("rebuild", "create_file", 4, "before"),  # the new generation half written
    ("rebuild", "rename_file", 2, "after"),  # new generation committed, no state.json yet
    ("rebuild", "replace", 2, "before"),  # state.json written, `current` not yet switched
    ("rebuild", "replace", 2, "after"),  # switched, old generations not yet removed
]


def _arm(operation: str, nth: int, when: str) -> None:
    """Make the n-th call of `operation` kill this process before or after it runs."""
    owner: Any = os if operation == "replace" else FileStorage
    original: Callable[..., Any] = getattr(owner, operation)
    calls = 0

    def dying(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls == nth and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, operation, dying)


def _change_the_catalogue(withdraw: int, publish: int | None) -> None:
    """Log a change of every offer, withdraw one and publish another: not yet in the index."""
    db.session.execute(update(Offer).where(Offer.id == withdraw).values(status="withdrawn"))
    if publish is not None:
        db.session.execute(update(Offer).where(Offer.id == publish).values(status="published"))
    every = list(db.session.execute(select(Offer.id)).scalars())
    db.session.execute(insert(IndexChange), [{"offer_id": offer_id} for offer_id in every])
    db.session.commit()


def _child(app: Any, point: tuple[str, str, int, str], withdraw: int, publish: int | None) -> None:
    command, operation, nth, when = point
    os.setpgid(0, 0)  # the parent cleans up any helper process of the build with the group
    with app.app_context():
        _change_the_catalogue(withdraw, publish)
        _arm(operation, nth, when)
        if command == "sync":
            indexing.apply_pending_changes()
        else:
            indexing.rebuild_index()


def _after_the_crash(app: Any) -> dict[str, Any]:
    """Search the index as the crash left it, then sync and compare it with the database."""
    with app.app_context():
        index = indexing.get_index()
        try:
            found = indexing.search(indexing.SearchRequest(text="Roboter"))
            every = indexing.search(indexing.SearchRequest())
            indexing.apply_pending_changes()
            drift = indexing.check_index()
        except Exception as exc:
            return {"error": repr(exc)}
        finally:
            index.close()
            db.session.remove()
            db.engine.dispose()
    return {
        "roboter": found.total,
        "all": every.total,
        "drift": drift.total,
        "pending": drift.pending,
    }


def main() -> None:
    app = create_app()
    with app.app_context():
        # Withdrawn one per round, each published again in the next.
        published = list(
            db.session.execute(
                select(Offer.id).where(Offer.status == "published").order_by(Offer.id)
            ).scalars()
        )[: len(KILL_POINTS)]
        db.session.remove()
        db.engine.dispose()  # no connection may be shared with a child
    for number, point in enumerate(KILL_POINTS):
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _child(app, point, published[number], published[number - 1] if number else None)
            except BaseException as exc:
                print(json.dumps({"child_error": repr(exc)}), flush=True)
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        command, operation, nth, when = point
        print(
            json.dumps(
                {
                    "point": f"{command} {when} {operation} #{nth}",
                    "outcome": "killed" if killed else f"exit {os.waitstatus_to_exitcode(status)}",
                    **_after_the_crash(app),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
