"""The fail-open spool: webhooks kept on local disk while the database does not answer.

Each process appends to its own file (one JSON event per line, fsynced before the caller
hears the TwiML). Replaying claims the files (renames them) under an exclusive lock, records
every event, and deletes a file only once the database has committed all of it; the call
log's dedupe keys make replaying a file a second time harmless.
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

    def append(self, event: WebhookEvent) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = (event.to_json() + "\n").encode("utf-8")
        path = self.directory / f"pending-{os.getpid()}.jsonl"
        with _append_lock:
            while True:
                spool_file = open(path, "ab")
                fcntl.flock(spool_file, fcntl.LOCK_EX)
                # A replay may have claimed (renamed) the file between open and lock.
                if path.exists() and os.stat(path).st_ino == os.fstat(spool_file.fileno()).st_ino:
                    break
                spool_file.close()
            with spool_file:
                spool_file.write(line)
                spool_file.flush()
                os.fsync(spool_file.fileno())

    def pending(self) -> bool:
        return self.directory.is_dir() and any(
            path.suffix in (".jsonl", ".replaying") for path in self.directory.iterdir()
        )

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
        """Rename a pending file out of the appenders' way, waiting for a write in progress."""
        with open(path, "rb") as spool_file:
            fcntl.flock(spool_file, fcntl.LOCK_EX)
            path.rename(path.with_suffix(".replaying"))

    def replay(self, record_batch: Callable[[list[WebhookEvent]], None], *, blocking: bool = False) -> int:
        """Hand every spooled event to `record_batch` (which commits); returns how many.

        When `record_batch` raises, the file stays claimed and is tried again next time.
        """
        if not self.pending():
            return 0
        replayed = 0
        with self._exclusive(blocking) as locked:
            if not locked:
                return 0
            for path in sorted(self.directory.glob("*.jsonl")):
                self._claim(path)
            # Also files claimed by a replay that died before deleting them: recording
            # them again is a no-op, thanks to the dedupe keys.
            for claimed in sorted(self.directory.glob("*.replaying")):
                lines = claimed.read_text("utf-8").splitlines()
                events = [WebhookEvent.from_json(line) for line in lines if line.strip()]
                record_batch(events)
                claimed.unlink()
                replayed += len(events)
        if replayed:
            log.info("replayed %d spooled webhooks", replayed)
        return replayed
