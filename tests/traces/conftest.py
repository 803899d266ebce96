"""Fixtures of the traces tests: a raw folder of inline stand-ins, and the real raw folder when present."""

from pathlib import Path

import pytest
from trace_fixtures import REAL_RAW, bitbrains_text, nasa_text, write_raw_dir


@pytest.fixture
def fake_raw(tmp_path: Path) -> Path:
    """A raw folder holding inline stand-ins for every local-only raw file."""
    files = {f"bitbrains-rnd-2013-07/vm_{vm}.csv": bitbrains_text() for vm in (41, 303, 392)}
    files["nasa-http-1995/nasa_http_1995_requests_per_minute.csv"] = nasa_text()
    return write_raw_dir(tmp_path / "raw", files)


@pytest.fixture
def real_raw() -> Path:
    """The real shared raw folder; skips the test when it is absent (clean CI clone)."""
    if not (REAL_RAW / "SHA256SUMS").is_file():
        pytest.skip(f"raw traces not available at {REAL_RAW}")
    return REAL_RAW
