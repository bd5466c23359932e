"""Making the database stop answering, for real: a TCP proxy for PostgreSQL, a held write
lock for SQLite."""

import socket
import sqlite3
import threading
from contextlib import contextmanager

from sqlalchemy.engine import make_url


class TcpProxy:
    """Forwards a loopback port to a server; `stop()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = None
        self._listener = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        # A thread blocked in accept() keeps a closed listener alive; shutdown wakes it.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Outage:
    """Database downtime on demand for one database URL; `url` is what the app must use."""

    def __init__(self, database_url: str):
        self.original = make_url(database_url)
        self.proxy = None
        self._holder = None
        if self.original.get_backend_name() == "postgresql":
            self.proxy = TcpProxy(self.original.host or "127.0.0.1", self.original.port or 5432)
            self.proxy.start()
            self.url = self.original.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)
        else:
            self.url = database_url

    def begin(self) -> None:
        if self.proxy:
            self.proxy.stop()
        else:
            # Another process holding the write lock: every write waits out its timeout and fails.
            self._holder = sqlite3.connect(self.original.database, isolation_level=None)
            self._holder.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.proxy:
            self.proxy.start()
        else:
            self._holder.execute("ROLLBACK")
            self._holder.close()

    def close(self) -> None:
        if self.proxy:
            self.proxy.stop()

    @contextmanager
    def down(self):
        self.begin()
        try:
            yield
        finally:
            self.end()
