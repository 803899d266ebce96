"""Inline raw-trace stand-ins shaped like the local-only sources (Bitbrains, NASA)."""

import hashlib
from pathlib import Path

REAL_RAW = Path(__file__).resolve().parents[3] / "shared" / "traces-raw"
"""The shared raw folder next to the checkout; absent on a clean CI clone (tests skip)."""

BITBRAINS_HEADER = (
    "Timestamp [ms],CPU cores,CPU capacity provisioned [MHZ],CPU usage [MHZ],CPU usage [%],"
    "Memory capacity provisioned [KB],Memory usage [KB],Disk read throughput [KB/s],"
    "Disk write throughput [KB/s],Network received throughput [KB/s],Network transmitted throughput [KB/s]"
)

# Bitbrains-like: epoch seconds 299-301 s apart, one late sample (307 s), one 10-min gap.
BITBRAINS_T = [1372629804, 1372630104, 1372630403, 1372630704, 1372631011, 1372631611, 1372631911]
BITBRAINS_MHZ = [74.5, 79.7, 5000.0, 20.0, 21866.0, 0.0, 300.25]

# NASA-like: minute starts at -04:00, counts, seconds covered; a 2-minute hole, an outage zero.
NASA_ROWS = [
    ("1995-07-01T00:00:00-04:00", 42, 59, 0),
    ("1995-07-01T00:01:00-04:00", 61, 60, 0),
    ("1995-07-01T00:02:00-04:00", 57, 60, 0),
    ("1995-07-01T00:05:00-04:00", 0, 60, 1),
    ("1995-07-01T00:06:00-04:00", 30, 25, 0),
]


def bitbrains_text(t: list[int] = BITBRAINS_T, mhz: list[float] = BITBRAINS_MHZ) -> str:
    pairs = zip(t, mhz[: len(t)], strict=True)
    rows = [f"{ts},8,20799.99,{v},{v / 207.9999},2.097152E7,83884.8,0.0,0.8,0.0,1.0" for ts, v in pairs]
    return BITBRAINS_HEADER + "\n" + "\n".join(rows) + "\n"


def nasa_text(rows: list[tuple[str, int, int, int]] = NASA_ROWS) -> str:
    body = "".join(f"{ts},{n},{sec},{out}\n" for ts, n, sec, out in rows)
    return "timestamp,requests,seconds_covered,in_outage\n" + body


def write_raw_dir(raw: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``raw`` with a matching SHA256SUMS."""
    lines = []
    for rel, text in sorted(files.items()):
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_text(text, encoding="utf-8")
        lines.append(f"{hashlib.sha256(text.encode()).hexdigest()}  ./{rel}\n")
    (raw / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")
    return raw
