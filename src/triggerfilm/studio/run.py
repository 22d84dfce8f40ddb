"""Start the studio: bind a loopback port, make a key, run uvicorn (in this thread or another)."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from pathlib import Path

import uvicorn

from ..errors import TriggerfilmError
from ..transcripts.options import TranscribeOptions
from .server import Studio, create_app

LOOPBACK = "127.0.0.1"


class StudioServer:
    """A studio bound to ``host:port`` (port 0: any free one) with a fresh random key."""

    def __init__(
        self,
        manifest: str | Path,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        out_dir: str | Path | None = None,
        options: TranscribeOptions | None = None,
        target_minutes: float = 30.0,
    ) -> None:
        manifest = Path(manifest)
        self.studio = Studio(
            manifest,
            out_dir=out_dir or Path("out") / manifest.stem,
            options=options,
            target_minutes=target_minutes,
        )
        self.token = secrets.token_urlsafe(24)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError as error:
            self.socket.close()
            raise TriggerfilmError(
                f"cannot listen on {host}:{port} ({error.strerror})",
                field="--port",
                hint="Choose another port, or leave --port out to take any free one",
            ) from None
        self.host = host
        self.port = self.socket.getsockname()[1]
        app = create_app(self.studio, token=self.token, host=host, port=self.port)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host = socket.gethostname() if self.host in ("0.0.0.0", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The address to open: it carries the key, which the page swaps for a cookie."""
        return f"{self.base}/?token={self.token}"

    def run(self) -> None:
        """Serve until interrupted (Ctrl+C)."""
        self.server.run(sockets=[self.socket])

    def start(self) -> StudioServer:
        """Serve from a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name="studio", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the studio server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()
