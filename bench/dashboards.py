"""Dashboards for the live benchmarks: logged-in Socket.IO clients over websocket, many to a
process (asyncio), in processes of their own so the measuring side has cores of its own.

Each client notes, for every caller it sees for the first time in a `queue` event, when it
saw them (`time.time()`, the clock every process on the machine shares). The driver knows
when it sent the webhook that queued each caller, so the difference is the push's latency.

    python -m bench.dashboards URL COOKIES_FILE [--no-snapshot-on-connect]   # a cookie a line, a client each

It prints `ready` once every client is connected and has its first snapshot (the service sends
one on connect; a bare server, `--no-snapshot-on-connect`, does not), then waits for a
line on stdin, disconnects, and prints one JSON object: {call_sid: [receipt times]}, plus
`"_events"` (how many queue events arrived) and `"_failed"` (clients that could not connect).
"""

import asyncio
import json
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import socketio

# At most this many connections being opened at once, so connecting does not swamp the server.
CONNECTING_AT_ONCE = 20


async def dashboard(url: str, cookie: str, seen: dict, counts: dict, connected: asyncio.Semaphore, snapshot_on_connect: bool) -> socketio.AsyncClient | None:
    client = socketio.AsyncClient(reconnection=False)
    known: set[str] = set()
    first = asyncio.get_running_loop().create_future()

    @client.on("queue")
    async def on_queue(body):
        now = time.time()
        counts["events"] += 1
        for entry in body["calls"]:
            call_sid = entry["call_sid"]
            if call_sid not in known:
                known.add(call_sid)
                seen[call_sid].append(now)
        if not first.done():
            first.set_result(True)

    async with connected:
        try:
            await client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=60)
            if snapshot_on_connect:
                await asyncio.wait_for(first, 60)
        except (socketio.exceptions.ConnectionError, asyncio.TimeoutError):
            counts["failed"] += 1
            return None
    return client


async def main(url: str, cookies: list[str], snapshot_on_connect: bool = True) -> None:
    seen: dict[str, list[float]] = defaultdict(list)
    counts = {"events": 0, "failed": 0}
    connected = asyncio.Semaphore(CONNECTING_AT_ONCE)
    clients = await asyncio.gather(*(dashboard(url, cookie, seen, counts, connected, snapshot_on_connect) for cookie in cookies))
    # What arrived while connecting is not a measurement.
    seen.clear()
    counts["events"] = 0
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await asyncio.gather(*(client.disconnect() for client in clients if client is not None))
    print(json.dumps({**seen, "_events": counts["events"], "_failed": counts["failed"]}), flush=True)


class Dashboards:
    """Dashboard processes, each with its share of the cookies."""

    def __init__(self, url: str, cookies: list[str], processes: int, directory: Path, snapshot_on_connect: bool = True):
        self.processes = []
        for index in range(processes):
            share = cookies[index::processes]
            if not share:
                continue
            path = directory / f"cookies-{index}.txt"
            path.write_text("\n".join(share) + "\n")
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.dashboards", url, str(path), *([] if snapshot_on_connect else ["--no-snapshot-on-connect"])],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                )
            )
        for process in self.processes:
            line = process.stdout.readline()
            if line.strip() != "ready":
                self.stop()
                raise RuntimeError("a dashboard process did not get ready")

    def stop(self) -> tuple[dict[str, list[float]], int, int]:
        """Receipts of every process: call_sid -> receipt times; queue events; failed clients."""
        receipts: dict[str, list[float]] = defaultdict(list)
        events = failed = 0
        for process in self.processes:
            try:
                output, _ = process.communicate("stop\n", timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                continue
            lines = [line for line in output.splitlines() if line.startswith("{")]
            if not lines:
                continue
            result = json.loads(lines[-1])
            events += result.pop("_events")
            failed += result.pop("_failed")
            for call_sid, times in result.items():
                receipts[call_sid].extend(times)
        self.processes = []
        return receipts, events, failed


@contextmanager
def connected(url: str, cookies: list[str], processes: int, directory: Path, snapshot_on_connect: bool = True):
    dashboards = Dashboards(url, cookies, processes, directory, snapshot_on_connect)
    try:
        yield dashboards
    finally:
        if dashboards.processes:
            dashboards.stop()


if __name__ == "__main__":
    address, cookie_file = sys.argv[1], sys.argv[2]
    cookies = [line for line in Path(cookie_file).read_text().splitlines() if line]
    asyncio.run(main(address, cookies, "--no-snapshot-on-connect" not in sys.argv[3:]))
