"""The on-disk layout: generation directories, the `current` pointer and the state file.

    <root>/current -> gen-7          symlink, replaced atomically by a rebuild
    <root>/gen-7/                    one complete Whoosh index ...
    <root>/gen-7/state.json          ... and the change-log sequence number applied to it

A rebuild writes a new generation beside the current one and then repoints `current`; readers
resolve `current` per search, so they switch at their next search, and a search running during
the swap finishes on the generation it started with.
"""

import json
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import try_for

CURRENT_LINK = "current"
STATE_FILE = "state.json"
_GENERATION_NAME = re.compile(r"^gen-(\d+)$")
# Serialises the read-modify-write of the state file between processes.
_STATE_LOCK = "STATE_LOCK"


def current_name(root: Path) -> str | None:
    """Return the name of the current generation, or None when there is none."""
    try:
        name = os.readlink(root / CURRENT_LINK)
    except OSError:
        return None
    if not _GENERATION_NAME.match(name) or not (root / name).is_dir():
        return None
    return name


def new_generation_dir(root: Path) -> Path:
    """Create and return an empty directory for a generation newer than every existing one."""
    root.mkdir(parents=True, exist_ok=True)
    number = max(_numbers(root), default=0) + 1
    while True:
        path = root / f"gen-{number}"
        try:
            # mkdir is atomic: two processes rebuilding at once never share a directory.
            path.mkdir()
        except FileExistsError:
            number += 1
        else:
            return path


def switch_current(root: Path, name: str) -> str | None:
    """Point `current` at generation `name` atomically; return the previous generation's name."""
    previous = current_name(root)
    temporary = root / f".{CURRENT_LINK}-{uuid.uuid4().hex}"
    # A relative target keeps the index valid when the whole directory is moved.
    os.symlink(name, temporary)
    os.replace(temporary, root / CURRENT_LINK)
    return previous


def remove_old_generations(root: Path, keep: set[str]) -> None:
    """Remove generations older than every generation in `keep` (best effort).

    Newer ones are left alone: another process may be building one right now.
    """
    oldest_kept = min((_number(name) for name in keep), default=0)
    for path in root.iterdir():
        match = _GENERATION_NAME.match(path.name)
        if match and path.name not in keep and int(match.group(1)) < oldest_kept:
            # On Windows a file another process has open cannot be removed; a later rebuild
            # tries again.
            shutil.rmtree(path, ignore_errors=True)


def remove_generation(path: Path) -> None:
    """Remove one generation directory (best effort), e.g. after a failed build."""
    shutil.rmtree(path, ignore_errors=True)


def read_state(generation_dir: Path) -> dict[str, Any]:
    """Return the generation's state (`applied_seq`, `schema_version`, `build_id`)."""
    with open(generation_dir / STATE_FILE, encoding="utf-8") as file:
        state = json.load(file)
    if not isinstance(state, dict):
        raise ValueError(f"{generation_dir / STATE_FILE} does not hold an object")
    return state


def new_build_id() -> str:
    """A name for one build of a generation, different from every other build's."""
    return uuid.uuid4().hex


def write_state(
    generation_dir: Path, *, applied_seq: int, schema_version: int, build_id: str | None
) -> None:
    """Write the generation's state atomically (temporary file + os.replace).

    `build_id` tells this build from another of the same name: when the whole index directory
    was removed and built again, `gen-1` is a different index than the `gen-1` a process has
    open (None for states written before build ids existed).
    """
    state = {"applied_seq": applied_seq, "schema_version": schema_version, "build_id": build_id}
    temporary = generation_dir / f".{STATE_FILE}-{uuid.uuid4().hex}"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(state, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, generation_dir / STATE_FILE)


def raise_applied_seq(generation_dir: Path, seq: int, *, timeout: float) -> bool:
    """Record `seq` as applied if it is larger than the recorded one; return whether it was.

    The file lock keeps two processes that finish applying at the same moment from writing
    their numbers in the wrong order. If the lock stays busy the number is not recorded, which
    is harmless: the rows are applied again later, and applying is idempotent.
    """
    lock = FileStorage(str(generation_dir)).lock(_STATE_LOCK)
    if not _acquire(lock, timeout):
        return False
    try:
        state = read_state(generation_dir)
        if seq <= state["applied_seq"]:
            return False
        write_state(
            generation_dir,
            applied_seq=seq,
            schema_version=state["schema_version"],
            build_id=state.get("build_id"),
        )
        return True
    finally:
        lock.release()


def _acquire(lock: Any, timeout: float) -> bool:
    return bool(try_for(lock.acquire, timeout=timeout, delay=0.05))


def _number(name: str) -> int:
    match = _GENERATION_NAME.match(name)
    return int(match.group(1)) if match else 0


def _numbers(root: Path) -> list[int]:
    return [_number(path.name) for path in root.iterdir() if _GENERATION_NAME.match(path.name)]
