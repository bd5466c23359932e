"""The fail-open spool: webhooks kept on local disk while the database does not answer.

Each process appends to its own file (one JSON event per line; the file, and the directory
when the file is new, fsynced before the caller hears the TwiML). Replaying claims the files
(renames them, each to a name of its own) under an exclusive lock, records every event, and
deletes a file only once the database has committed all of it; the call log's dedupe keys
make replaying a file a second time harmless. An event the database refuses for its values (not
for being down) would fail every replay and hold back the events after it: it is set aside in
`unrecordable.jsonl.kept` (kept, logged, counted by the metrics), and the others are recorded.
"""

import fcntl
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from helpline.call_log import WebhookEvent

log = logging.getLogger(__name__)

_append_lock = threading.Lock()
# Events recorded per transaction when replaying.
REPLAY_BATCH = 100
SET_ASIDE = "unrecordable.jsonl.kept"
PENDING_SUFFIXES = (".jsonl", ".replaying")
# Passes over the spool a count of its backlog makes before settling for one a replay disturbed.
BACKLOG_ATTEMPTS = 5
SET_ASIDE_SUFFIXES = (".kept",)


@dataclass(frozen=True)
class Backlog:
    """What waits in the spool to be recorded: how many webhooks, and since when (the earliest
    one's arrival; None when it holds none)."""

    webhooks: int
    since: datetime | None


class Unrecordable(Exception):
    """Raised by a replay's `record_batch` when the database refused the events themselves."""


class Spool:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def append(self, event: WebhookEvent, name: str | None = None) -> None:
        """Returns once the event is on disk: the file's data and its name in the directory."""
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True)
            _fsync_directory(self.directory.parent)
        line = (event.to_json() + "\n").encode("utf-8")
        path = self.directory / (name or f"pending-{os.getpid()}.jsonl")
        with _append_lock:
            while True:
                created = not path.exists()
                # Readable too: the last byte tells whether a dead writer left half a line.
                spool_file = open(path, "a+b")
                fcntl.flock(spool_file, fcntl.LOCK_EX)
                # A replay may have claimed (renamed) the file between open and lock.
                if path.exists() and os.stat(path).st_ino == os.fstat(spool_file.fileno()).st_ino:
                    break
                spool_file.close()
            with spool_file:
                size = os.fstat(spool_file.fileno()).st_size
                if size and os.pread(spool_file.fileno(), 1, size - 1) != b"\n":
                    # A dead process of the same pid left half a line: end it, so this line
                    # stays whole (the half one was never acknowledged).
                    line = b"\n" + line
                spool_file.write(line)
                spool_file.flush()
                os.fsync(spool_file.fileno())
            if created:
                # A new file's name is durable only once its directory is synced.
                _fsync_directory(self.directory)

    def pending(self) -> bool:
        return self.directory.is_dir() and any(
            path.suffix in PENDING_SUFFIXES for path in self.directory.iterdir()
        )

    def backlog(self) -> Backlog:
        """The webhooks waiting to be recorded, from this host's processes (one a line)."""
        for _ in range(BACKLOG_ATTEMPTS):
            counted = self._count_pending()
            if counted is not None:
                return counted
        # Replays kept claiming files under the count: what it found last is close enough to show.
        return self._count_pending(partial=True)

    def _count_pending(self, partial: bool = False) -> Backlog | None:
        """One pass over the pending files; None when one of them was claimed (renamed) or
        replayed meanwhile: its webhooks, under their new name, may not have been seen."""
        count, since = 0, None
        for path in self._files(PENDING_SUFFIXES):
            try:
                with open(path, "rb") as spool_file:
                    first = spool_file.readline()
                    count += bool(first.strip()) + sum(1 for line in spool_file if line.strip())
            except FileNotFoundError:
                if not partial:
                    return None
                continue
            arrived = _received_at(first)
            if arrived is not None and (since is None or arrived < since):
                since = arrived
        return Backlog(count, since)

    def set_aside_count(self) -> int:
        """Webhooks set aside as unrecordable, for a person to look at."""
        count = 0
        for path in self._files(SET_ASIDE_SUFFIXES):
            try:
                with open(path, "rb") as spool_file:
                    count += sum(1 for line in spool_file if line.strip())
            except FileNotFoundError:
                continue
        return count

    def _files(self, suffixes: tuple[str, ...]) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return [path for path in self.directory.iterdir() if path.suffix in suffixes]

    def pending_bytes(self) -> int:
        if not self.directory.is_dir():
            return 0
        total = 0
        for path in self.directory.iterdir():
            if path.suffix in PENDING_SUFFIXES:
                try:
                    total += path.stat().st_size
                except FileNotFoundError:
                    pass  # claimed or replayed meanwhile
        return total

    @contextmanager
    def _exclusive(self, blocking: bool) -> Iterator[bool]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".replay.lock", "w") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _claim(self, path: Path) -> None:
        """Rename a pending file out of the appenders' way, waiting for a write in progress.
        The new name is unique: a file this process claimed before, whose replay failed, may
        still be waiting under the old one, and renaming onto it would lose it."""
        with open(path, "rb") as spool_file:
            fcntl.flock(spool_file, fcntl.LOCK_EX)
            path.rename(path.with_name(f"{path.stem}.{secrets.token_hex(6)}.replaying"))

    def replay(
        self, record_batch: Callable[[list[WebhookEvent]], None], *, blocking: bool = False, set_aside_too: bool = False
    ) -> int:
        """Hand every spooled event to `record_batch` (which commits); returns how many.

        When `record_batch` raises, the file stays claimed and is tried again next time; when
        it raises `Unrecordable`, the events are tried one by one and the refused set aside.
        `set_aside_too`: the events set aside before are tried again (once what kept them from
        being recorded has been put right); those still refused are set aside anew.
        """
        set_aside = self.directory / SET_ASIDE
        if not self.pending() and not (set_aside_too and set_aside.exists()):
            return 0
        replayed = 0
        with self._exclusive(blocking) as locked:
            if not locked:
                return 0
            for path in sorted(self.directory.glob("*.jsonl")):
                self._claim(path)
            if set_aside_too and set_aside.exists():
                self._claim(set_aside)
            # Also files claimed by a replay that died before deleting them: recording
            # them again is a no-op, thanks to the dedupe keys.
            for claimed in sorted(self.directory.glob("*.replaying")):
                events = _readable_events(claimed)
                # Short transactions: live webhooks write the same calls meanwhile.
                for start in range(0, len(events), REPLAY_BATCH):
                    self._record(events[start:start + REPLAY_BATCH], record_batch)
                claimed.unlink()
                replayed += len(events)
        if replayed:
            log.info("replayed %d spooled webhooks", replayed)
        return replayed

    def _record(self, events: list[WebhookEvent], record_batch: Callable[[list[WebhookEvent]], None]) -> None:
        try:
            record_batch(events)
            return
        except Unrecordable:
            if len(events) == 1:
                self._set_aside(events[0])
                return
        # Which one: each on its own.
        for event in events:
            self._record([event], record_batch)

    def _set_aside(self, event: WebhookEvent) -> None:
        # Should the replay die before deleting its file, the event is set aside again: a
        # second copy of a line for a person to read, nothing recorded twice.
        self.append(event, SET_ASIDE)
        log.critical("a spooled %s webhook for %s cannot be recorded; kept in %s", event.kind, event.call_sid, SET_ASIDE)


def _readable_events(path: Path) -> list[WebhookEvent]:
    """The file's events. A process killed while appending leaves a torn line, never
    acknowledged to the provider: it is skipped (and logged) rather than blocking the rest."""
    events = []
    for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            events.append(WebhookEvent.from_json(line.decode("utf-8")))
        except (ValueError, TypeError, KeyError):
            log.error("skipped torn line %d of %s", number, path.name)
    return events


def _received_at(line: bytes) -> datetime | None:
    """When a spooled webhook arrived, from its line (None for a torn one)."""
    try:
        return datetime.fromisoformat(json.loads(line)["received_at"])
    except (ValueError, TypeError, KeyError):
        return None


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
