"""The fail-open spool: webhooks kept on local disk while the database does not answer.

Each process appends to its own file (one JSON event per line, flushed and fsynced before
the caller hears the TwiML). Replaying moves a file aside under an exclusive lock, records
every event (the call log's dedupe keys make a replay after a crash harmless) and deletes it
only once the database has committed them all.
"""

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from helpline.call_log import WebhookEvent

log = logging.getLogger(__name__)

_append_lock = threading.Lock()


class Spool:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def _own_file(self) -> Path:
        return self.directory / f"pending-{os.getpid()}.jsonl"

    def append(self, event: WebhookEvent) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = event.to_json() + "\n"
        with _append_lock, open(self._own_file(), "a", encoding="utf-8") as spool_file:
            spool_file.write(line)
            spool_file.flush()
            os.fsync(spool_file.fileno())

    def pending(self) -> bool:
        return self.directory.is_dir() and any(self.directory.glob("*.jsonl"))

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

    def replay(self, record_batch: Callable[[list[WebhookEvent]], None], *, blocking: bool = False) -> int:
        """Hand every spooled event to `record_batch` (which commits); returns how many.

        When `record_batch` raises, the events stay spooled for the next replay.
        """
        if not self.pending():
            return 0
        replayed = 0
        with self._exclusive(blocking) as locked:
            if not locked:
                return 0
            for path in sorted(self.directory.glob("*.jsonl")):
                # Take the file out of the appenders' way before reading it.
                claimed = path.with_suffix(".replaying") if path.suffix == ".jsonl" else path
                with _append_lock:
                    path.rename(claimed)
                events = [WebhookEvent.from_json(line) for line in claimed.read_text("utf-8").splitlines() if line.strip()]
                try:
                    record_batch(events)
                except Exception:
                    with _append_lock:
                        self._restore(claimed, path)
                    raise
                claimed.unlink()
                replayed += len(events)
            for leftover in sorted(self.directory.glob("*.replaying")):
                # A replay that died between commit and unlink: recording again is a no-op.
                events = [WebhookEvent.from_json(line) for line in leftover.read_text("utf-8").splitlines() if line.strip()]
                record_batch(events)
                leftover.unlink()
                replayed += len(events)
        if replayed:
            log.info("replayed %d spooled webhooks", replayed)
        return replayed

    @staticmethod
    def _restore(claimed: Path, original: Path) -> None:
        """Put a claimed file back, keeping anything appended to `original` since."""
        if original.exists():
            with open(original, "a", encoding="utf-8") as target:
                target.write(claimed.read_text("utf-8"))
            claimed.unlink()
        else:
            claimed.rename(original)
