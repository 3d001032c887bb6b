"""Helpers for the PubMed tests: a fast client for the local test server."""

from __future__ import annotations

from pathlib import Path

from scoping.eutils import Credentials, EutilsClient


class SleepLog:
    """A ``sleep`` that records what it was asked to wait and waits a thousandth of it."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        import time

        self.calls.append(seconds)
        time.sleep(min(seconds, 5.0) / 1000)


def fast_client(
    base_url: str,
    tmp_path: Path,
    *,
    cache: bool = False,
    credentials: Credentials | None = None,
    **options: object,
) -> EutilsClient:
    """A client with tiny delays: a high rate, millisecond backoff, a short timeout."""
    settings: dict[str, object] = {
        "rate": 1000.0,
        "backoff": 0.001,
        "max_backoff": 0.01,
        "max_retry_after": 0.01,
        "timeout": 5.0,
        "limiter_path": tmp_path / "pace",
        "cache_dir": tmp_path / "cache" if cache else None,
    }
    settings.update(options)
    return EutilsClient(base_url=base_url, credentials=credentials, **settings)  # type: ignore[arg-type]
