"""In-memory trace objects: one :class:`TraceSeries` per (cluster_id, signal).

This module owns the immutable containers returned by the loaders. It imports
nothing of ours outside ``traces``.

Arrays held by these objects are made read-only, so a loaded trace can be shared
(and cached) safely.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from traces.metadata import TraceMetadata
from traces.schema import Unit


def _readonly(array: npt.NDArray[np.generic]) -> None:
    """Mark ``array`` read-only in place."""
    array.flags.writeable = False


@dataclass(frozen=True, eq=False)
class TraceSeries:
    """One load signal of one cluster, strictly increasing in time.

    Attributes:
        cluster_id: Cluster the series belongs to.
        signal: Signal name (e.g. ``cpu_utilization``).
        unit: Unit of ``value`` (see :data:`traces.schema.Unit`).
        ts: Sample timestamps, shape (n_samples,), ``datetime64[s]``, UTC,
            strictly increasing.
        value: Sample values, shape (n_samples,), float64, finite and >= 0.

    Raises:
        ValueError: If ``ts`` and ``value`` differ in shape or dtype.
    """

    cluster_id: str
    signal: str
    unit: Unit
    ts: npt.NDArray[np.datetime64]
    value: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        if self.ts.dtype != np.dtype("datetime64[s]") or self.value.dtype != np.float64:
            raise ValueError(
                f"series ({self.cluster_id}, {self.signal}): ts must be datetime64[s] and "
                f"value float64, got {self.ts.dtype} and {self.value.dtype}"
            )
        if self.ts.ndim != 1 or self.ts.shape != self.value.shape:
            raise ValueError(
                f"series ({self.cluster_id}, {self.signal}): ts shape {self.ts.shape} and "
                f"value shape {self.value.shape} must be equal and 1-D"
            )
        _readonly(self.ts)
        _readonly(self.value)

    @property
    def key(self) -> tuple[str, str]:
        """The (cluster_id, signal) pair identifying this series."""
        return (self.cluster_id, self.signal)

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.ts.shape[0])


@dataclass(frozen=True, eq=False)
class Trace:
    """A validated trace: one or more series, plus metadata for bundled traces.

    Attributes:
        series: The series, sorted by (cluster_id, signal); keys are unique.
        path: File the trace was read from, or None.
        metadata: Metadata from the bundle's ``<name>.json``, or None for a plain
            file loaded with :func:`traces.load_trace`.

    Raises:
        ValueError: If two series share a (cluster_id, signal) key.
    """

    series: tuple[TraceSeries, ...]
    path: Path | None = None
    metadata: TraceMetadata | None = field(default=None)

    def __post_init__(self) -> None:
        keys = [s.key for s in self.series]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate series keys in trace: {keys}")
        object.__setattr__(self, "series", tuple(sorted(self.series, key=lambda s: s.key)))

    def __iter__(self) -> Iterator[TraceSeries]:
        return iter(self.series)

    def __len__(self) -> int:
        return len(self.series)

    def keys(self) -> list[tuple[str, str]]:
        """Return the (cluster_id, signal) keys, sorted."""
        return [s.key for s in self.series]

    def get(self, cluster_id: str, signal: str) -> TraceSeries:
        """Return the series with this cluster and signal.

        Args:
            cluster_id: Cluster identifier.
            signal: Signal name.

        Returns:
            The matching series.

        Raises:
            KeyError: If the trace has no such series; the message lists the keys.
        """
        for s in self.series:
            if s.key == (cluster_id, signal):
                return s
        raise KeyError(f"no series ({cluster_id}, {signal}); trace has {self.keys()}")

    def single(self) -> TraceSeries:
        """Return the only series of a one-series trace (every bundled trace is one).

        Returns:
            The trace's single series.

        Raises:
            ValueError: If the trace holds more than one series.
        """
        if len(self.series) != 1:
            raise ValueError(f"trace has {len(self.series)} series, expected 1: {self.keys()}")
        return self.series[0]
