"""Several signals, one demand: a cluster's metrics -> ACU demand per step (pure, no I/O).

Owns :class:`SignalInput` (one validated signal), :class:`SignalRules` (what the mapping
needs to know about the cluster), :func:`signal_kind`, :func:`combine_signals` and the
:class:`CombinedDemand` it returns, :func:`is_capacity`, :func:`kind_on_grid` (a signal that is not demand,
such as ``DatabaseConnections``, in its own unit on the same grid) and
:func:`max_connections`. Imports nothing of ours
outside ``traces``.

Demand per step is the **maximum** over the signals' ACU equivalents (as Neon's
autoscaler takes the max of its CPU, memory and cache goals; sources: neon-autoscaling),
and the signal that gave it is the step's **binding** signal. Capacity signals
(``ServerlessDatabaseCapacity``, ``ACUUtilization``) are demand only when no load signal is
given beside them (:func:`_load_over_capacity`: they include MinCapacity and the scaler's
headroom):

======================  ==========  ==========================================================
kind                    unit        ACU equivalent per sample
======================  ==========  ==========================================================
``cpu_percent``         percent     value / 100 * max_acu: AWS measures ``CPUUtilization`` of
                                    Serverless v2 against MaxCapacity (sources: aurora-metrics)
``acu_percent``         percent     value / 100 * max_acu (``ACUUtilization``; same source)
``acu``                 acu         value (``ServerlessDatabaseCapacity``)
``working_set``         bytes       value / 2 GiB: one ACU is about 2 GiB of memory (sources:
                                    aurora-capacity)
``freeable_memory``     bytes       max_acu - value / 2 GiB: ``FreeableMemory`` is the memory
                                    free at MaxCapacity and grows by about 2 GiB per ACU below it
                                    (sources: aurora-metrics), so memory in use is the rest
``rate``                per_s       value * acu_s_per_unit[signal] (events/s * ACU-s/event); unit
                                    count under ``Sum``: value / period first
``connections``         count       none: ``max_connections`` follows MaxCapacity, not the
                                    current capacity, so connections size MaxCapacity
                                    (:func:`connections_note`), never a floor
``volume``              bytes       none: ``VolumeBytesUsed`` is the storage volume, not
                                    demand (a caller prices storage with it,
                                    :func:`kind_on_grid`)
======================  ==========  ==========================================================

The memory kinds are also the **working set** the plan keeps as a floor (last hour's
largest; AWS's guidance is a minimum that holds the working set, sources:
aurora-min-capacity). ``FreeableMemory`` counts everything Aurora has allocated, the
buffer cache it grew included, so it is an upper estimate of the working set: a direct
working-set signal (unit ``bytes``, e.g. ``working_set_bytes``) is better when you have one.

Statistics: a signal given as ``Maximum`` is used over any other statistic of the same
signal (a mean hides the burst that breaks latency; for ``FreeableMemory`` the
conservative one is ``Minimum``); a signal with only ``Average`` at a period above
:data:`BURST_S` gets a warning. Gauges' steps without a sample are missing
(NaN); counts' (``Sum``, ``SampleCount``) between their first and last sample are zero.

Grid: step ``k`` covers ``[start + k*step_s, start + (k+1)*step_s)``, ``start`` a multiple
of ``step_s`` since the epoch. A sample covers ``[ts, ts + period)`` (its period from
:mod:`traces.resolution`) and counts in **every** step it overlaps, so an hourly
``Maximum`` bounds each of its twelve 5-minute steps and a grid offset by 150 s is aligned
conservatively (each sample in both steps it straddles). A signal sampled at irregular
intervals has its median spacing on a common step as every sample's period
(:func:`traces.resolution.sampling`), so a sample 10 s late still reaches its step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal, get_args

import numpy as np
import numpy.typing as npt

from traces.errors import DemandMappingError
from traces.resolution import periods, sampling

SignalKind = Literal[
    "cpu_percent", "acu_percent", "acu", "working_set", "freeable_memory", "rate", "connections", "volume"
]
"""What a signal measures (the table of the module docstring)."""

SIGNAL_KINDS: Final[tuple[str, ...]] = get_args(SignalKind)

NOT_DEMAND: Final[frozenset[str]] = frozenset({"connections", "volume"})
"""Kinds with no ACU equivalent: left out of demand, read in their own unit (:func:`kind_on_grid`)."""

CAPACITY_SIGNALS: Final[frozenset[str]] = frozenset({"serverlessdatabasecapacity"})
"""Names (lower case) of ``acu`` signals that are the instances' capacity itself, which Aurora
keeps at or below MaxCapacity (:func:`is_capacity`); other ``acu`` signals (``demand_acu``)
are demand, which may exceed it."""

Engine = Literal["aurora-postgresql", "aurora-mysql"]

GIB: Final[float] = float(1024**3)
"""Bytes in a GiB."""

GIB_PER_ACU: Final[float] = 2.0
"""Memory per ACU, GiB (sources: aurora-capacity: "about 2 GiB")."""

BURST_S: Final[int] = 60
"""A burst's time scale, seconds: CloudWatch's standard (finest regular) resolution. An
``Average`` over a longer period may hide one (ASSUMPTION: bursts of a minute matter)."""

COUNT_STATISTICS: Final[frozenset[str]] = frozenset({"Sum", "SampleCount"})
"""Statistics whose absent datapoint means zero (CloudWatch omits periods without events)."""

KNOWN_SIGNALS: Final[dict[str, tuple[SignalKind, str]]] = {
    "cpuutilization": ("cpu_percent", "percent"),
    "cpu_utilization": ("cpu_percent", "percent"),
    "acuutilization": ("acu_percent", "percent"),
    "acu_utilization": ("acu_percent", "percent"),
    "serverlessdatabasecapacity": ("acu", "acu"),
    "demand_acu": ("acu", "acu"),
    "freeablememory": ("freeable_memory", "bytes"),
    "freeable_memory": ("freeable_memory", "bytes"),
    "working_set_bytes": ("working_set", "bytes"),
    "buffer_cache_bytes": ("working_set", "bytes"),
    "databaseconnections": ("connections", "count"),
    "database_connections": ("connections", "count"),
    "volumebytesused": ("volume", "bytes"),
    "volume_bytes_used": ("volume", "bytes"),
}
"""Signal names (lower case) -> (kind, the unit it comes in): CloudWatch's AWS/RDS metric
names and their snake-case forms."""

KNOWN_SIGNAL_NAMES: Final[tuple[str, ...]] = (
    "CPUUtilization",
    "ACUUtilization",
    "ServerlessDatabaseCapacity",
    "FreeableMemory",
    "DatabaseConnections",
    "VolumeBytesUsed",
    "demand_acu",
    "working_set_bytes",
    "buffer_cache_bytes",
)
"""The names of :data:`KNOWN_SIGNALS` as messages list them: CloudWatch's spelling, and the
names that have no CloudWatch form (the snake-case forms of the others are not repeated)."""


def known_signal_name(name: str) -> str | None:
    """Return a known signal name as :data:`KNOWN_SIGNAL_NAMES` spells it, or None when unknown.

    ``cpuutilization`` -> ``CPUUtilization``; a snake-case form (``cpu_utilization``) as given.
    """
    low = name.lower()
    if low not in KNOWN_SIGNALS:
        return None
    return next((n for n in KNOWN_SIGNAL_NAMES if n.lower() == low), name)


_KIND_BY_UNIT: Final[dict[str, SignalKind]] = {"acu": "acu", "percent": "cpu_percent", "per_s": "rate"}

MAX_CONNECTIONS: Final[dict[str, tuple[tuple[float, int], ...]]] = {
    "aurora-postgresql": ((1, 189), (4, 823), (8, 1669), (16, 3360), (32, 5000)),
    "aurora-mysql": (
        (1, 90),
        (4, 135),
        (8, 1000),
        (16, 2000),
        (32, 3000),
        (64, 4000),
        (128, 5000),
        (192, 6000),
    ),
}
"""Default ``max_connections`` of a Serverless v2 instance by MaxCapacity (ACU), per engine
(sources: aurora-max-connections). Aurora derives it from MaxCapacity's memory; between
two rows the lower row applies (conservative). UNVERIFIED beyond PostgreSQL's 189 (1 ACU),
3,360 (16 ACU) and 5,000 (32+ ACU), which the cited AWS article confirms."""

PG_LOW_MIN_CAP: Final[int] = 2000
"""Aurora PostgreSQL caps ``max_connections`` at 2,000 when MinCapacity is 0 or 0.5 ACU
(sources: aurora-max-connections)."""

MAX_ACU_LIMIT: Final[float] = 256.0
"""Largest MaxCapacity, ACU (sources: aurora-capacity)."""


def signal_kind(name: str, unit: str, overrides: Mapping[str, str] | None = None) -> SignalKind:
    """Return what a signal measures, from an override, its name or its unit.

    Args:
        name: the signal name (``CPUUtilization``, ``cpu_utilization``, ``Queries``).
        unit: its unit (``percent``, ``acu``, ``bytes``, ``count``, ``per_s``).
        overrides: signal name -> kind, from the caller's configuration.

    Returns:
        The kind.

    Raises:
        DemandMappingError: an unknown override, or a name and unit with no rule
            (e.g. an unknown signal in ``bytes``), at field ``signal``; a known signal in
            another unit than its own (``CPUUtilization`` in ``acu``), at field ``unit``.
    """
    if overrides and name in overrides:
        kind = overrides[name]
        if kind not in SIGNAL_KINDS:
            raise DemandMappingError(
                f"signal {name!r}: unknown kind {kind!r} (one of {', '.join(SIGNAL_KINDS)})", field="signal"
            )
        return kind  # type: ignore[return-value]
    known = KNOWN_SIGNALS.get(name.lower())
    if known is not None:
        if unit != known[1]:
            raise DemandMappingError(
                f"signal {name!r} is in {known[1]}, not {unit!r}: correct its unit, or rename the "
                f"signal (or give its kind) if it is not CloudWatch's {name}",
                field="unit",
            )
        return known[0]
    if unit in _KIND_BY_UNIT:
        return _KIND_BY_UNIT[unit]
    if unit == "count":
        return "rate"  # events per period under Sum
    raise DemandMappingError(
        f"signal {name!r} in unit {unit!r} has no ACU mapping: name it (e.g. working_set_bytes, "
        "FreeableMemory, DatabaseConnections) or give its kind",
        field="signal",
    )


def is_capacity(name: str, unit: str, overrides: Mapping[str, str] | None = None) -> bool:
    """Return whether a signal measures the capacity Aurora ran, which never exceeds MaxCapacity.

    ``ServerlessDatabaseCapacity`` (kind ``acu`` by that name, :data:`CAPACITY_SIGNALS`) and
    ``ACUUtilization`` (kind ``acu_percent``, capacity / MaxCapacity); not CPU, memory,
    rates or other ``acu`` signals, which are demand and may exceed MaxCapacity.

    Args:
        name: the signal name.
        unit: its unit.
        overrides: signal name -> kind (:func:`signal_kind`).

    Raises:
        DemandMappingError: as :func:`signal_kind`.
    """
    kind = signal_kind(name, unit, overrides)
    return kind == "acu_percent" or (kind == "acu" and name.lower() in CAPACITY_SIGNALS)


def default_unit(name: str) -> str | None:
    """Return the unit a known signal comes in (``CPUUtilization`` -> ``percent``), or None."""
    known = KNOWN_SIGNALS.get(name.lower())
    return None if known is None else known[1]


@dataclass(frozen=True, eq=False)
class SignalInput:
    """One validated signal of one cluster, ready to map.

    Attributes:
        name: the signal name, e.g. ``CPUUtilization``.
        unit: its unit (see :data:`traces.schema.Unit`).
        statistic: ``Maximum``, ``Average``, ``Minimum``, ``Sum``, ``SampleCount``, a
            percentile such as ``p99``, or ``unknown``.
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,), int64.
        value: the values, shape (n,), float64, finite and >= 0.
        source: where it came from (``upload.csv``, ``query Id cpu``), for messages.
    """

    name: str
    unit: str
    statistic: str
    ts_s: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    source: str = ""


@dataclass(frozen=True)
class SignalRules:
    """What mapping signals to ACU needs to know about the cluster.

    Attributes:
        max_acu: MaxCapacity, ACU: the base of percent signals and of ``FreeableMemory``;
            None when unknown (a percent or ``FreeableMemory`` signal is then an error).
        min_acu: MinCapacity, ACU (Aurora PostgreSQL's connection cap depends on it).
        acu_s_per_unit: signal name -> ACU-seconds one event costs, for rate signals.
        kinds: signal name -> kind, overriding name and unit.
        engine: ``aurora-postgresql`` or ``aurora-mysql`` (its ``max_connections`` table).
        connection_headroom: share above peak connections ``max_connections`` must leave.
    """

    max_acu: float | None = None
    min_acu: float = 0.5
    acu_s_per_unit: Mapping[str, float] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    engine: Engine = "aurora-postgresql"
    connection_headroom: float = 0.2


@dataclass(frozen=True, eq=False)
class CombinedDemand:
    """Demand on the step grid from several signals.

    Attributes:
        start_s: start of step 0, epoch seconds, a multiple of ``step_s``.
        step_s: step length, seconds.
        demand_acu: the max over demand signals per step, shape (n_steps,), ACU; NaN
            where no demand signal had a sample.
        binding: per step, the signal whose ACU equivalent is the demand (None where
            missing), length n_steps.
        working_set_acu: the memory signals' ACU per step, shape (n_steps,), NaN where
            unknown.
        signals: the demand signals used, in priority order (ties go to the first).
        notes: what the caller should tell the user (MaxCapacity for connections).
        warnings: how the inputs were read (statistics, averages, ignored duplicates).
    """

    start_s: int
    step_s: int
    demand_acu: npt.NDArray[np.float64]
    binding: tuple[str | None, ...]
    working_set_acu: npt.NDArray[np.float64]
    signals: tuple[str, ...]
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def n_steps(self) -> int:
        """Number of grid steps."""
        return int(self.demand_acu.shape[0])

    def binding_share(self, *, until_step: int, window_steps: int) -> dict[str, float]:
        """Share of the observed steps in a window in which each signal bound.

        Args:
            until_step: the window ends before this step index (exclusive).
            window_steps: the window's length, steps (a day: ``86400 // step_s``).

        Returns:
            Signal name -> share (0-1) of the window's steps with a demand; only signals
            that bound at least once; empty when a single signal is used.
        """
        if len(self.signals) < 2:
            return {}
        lo = max(until_step - window_steps, 0)
        names = [b for b in self.binding[lo:until_step] if b is not None]
        if not names:
            return {}
        counts: dict[str, int] = {}
        for n in names:
            counts[n] = counts.get(n, 0) + 1
        return {k: round(v / len(names), 4) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}


def check_free_memory_within_max(sig: SignalInput, max_acu: float) -> None:
    """Refuse ``FreeableMemory`` above the memory MaxCapacity has: the MaxCapacity given is not the cluster's.

    On Serverless v2, ``FreeableMemory`` is the memory unused when the instance is scaled to
    its MaxCapacity, growing by about 2 GiB for every ACU the current capacity is below it
    (Aurora User Guide, "Important Amazon CloudWatch metrics for Aurora Serverless v2";
    sources: aurora-metrics), so it never exceeds MaxCapacity x :data:`GIB_PER_ACU` GiB.
    A sample above that means the MaxCapacity given is too low (or was raised during the
    history), and ``max_acu - free / 2 GiB`` would go negative: a working set of zero. AWS
    documents no tolerance (only "about 2 GiB" per ACU), so none is allowed. The rule of
    ``ServerlessDatabaseCapacity`` above MaxCapacity
    (``policy.advice.checks.check_capacity_within_max``), for the memory signal.

    Args:
        sig: a ``freeable_memory`` signal, bytes.
        max_acu: the MaxCapacity given, ACU.

    Raises:
        DemandMappingError: a sample above ``max_acu`` x 2 GiB, field ``max_acu``; the
            message gives the signal, its highest value and first time at it, the samples
            above, the memory MaxCapacity has and the least MaxCapacity the data allows.
    """
    limit = max_acu * GIB_PER_ACU * GIB
    above = np.flatnonzero(sig.value > limit)
    if not above.size:
        return
    peak = float(sig.value.max())
    at = datetime.fromtimestamp(int(sig.ts_s[int(np.argmax(sig.value))]), tz=UTC)
    least = math.ceil(peak / (GIB_PER_ACU * GIB) * 2) / 2  # on the 0.5-ACU grid
    raise DemandMappingError(
        f"{sig.name} reached {peak / GIB:.2f} GiB at {at:%Y-%m-%d %H:%M}Z ({above.size} of {sig.value.size} "
        f"samples above {limit / GIB:g} GiB), more than the {limit / GIB:g} GiB a MaxCapacity of {max_acu:g} "
        f"ACU has ({GIB_PER_ACU:g} GiB per ACU): {sig.name} is the memory free at MaxCapacity, so the "
        f"cluster's MaxCapacity is at least {least:g} ACU; give its real MaxCapacity",
        field="max_acu",
    )


def _to_acu(
    sig: SignalInput, kind: SignalKind, rules: SignalRules, period_s: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Map one signal's samples to ACU (the table of the module docstring)."""
    v = sig.value
    needs_max = kind in ("cpu_percent", "acu_percent", "freeable_memory")
    if needs_max and rules.max_acu is None:
        raise DemandMappingError(
            f"signal {sig.name!r} ({kind.replace('_', ' ')}) is measured against MaxCapacity: give max_acu",
            field="max_acu",
        )
    max_acu = float(rules.max_acu or 0.0)
    if kind in ("cpu_percent", "acu_percent"):
        return v / 100.0 * max_acu
    if kind == "acu":
        return v.copy()
    if kind == "working_set":
        return v / (GIB_PER_ACU * GIB)
    if kind == "freeable_memory":
        check_free_memory_within_max(sig, max_acu)
        return np.maximum(max_acu - v / (GIB_PER_ACU * GIB), 0.0)
    coeff = rules.acu_s_per_unit.get(sig.name)
    if coeff is None or not (math.isfinite(coeff) and coeff > 0):
        raise DemandMappingError(
            f"rate signal {sig.name!r} needs its ACU-seconds per unit (acu_s_per_unit[{sig.name!r}] > 0)",
            field="acu_s_per_unit",
        )
    per_s = v / period_s if sig.unit == "count" else v
    return per_s * coeff


def _grid(
    ts_s: npt.NDArray[np.int64],
    period_s: npt.NDArray[np.int64],
    acu: npt.NDArray[np.float64],
    *,
    start_s: int,
    step_s: int,
    n_steps: int,
    counts: bool,
) -> npt.NDArray[np.float64]:
    """Max of the samples overlapping each step; NaN (gauges) or 0 (counts) where none."""
    k0 = (ts_s - start_s) // step_s
    k1 = (ts_s + period_s - 1 - start_s) // step_s
    acc = np.full(n_steps, -np.inf)
    span = k1 - k0 + 1
    for j in range(int(span.max()) if span.size else 0):
        m = (span > j) & (k0 + j < n_steps) & (k0 + j >= 0)
        np.maximum.at(acc, (k0 + j)[m], acu[m])
    out = np.where(np.isfinite(acc), acc, np.nan)
    if counts and ts_s.size:
        lo, hi = max(int(k0.min()), 0), min(int(k1.max()), n_steps - 1)
        seg = out[lo : hi + 1]
        seg[np.isnan(seg)] = 0.0
    return out


def _periods(sig: SignalInput, step_s: int) -> tuple[int, npt.NDArray[np.int64]]:
    """A signal's inferred step (``step_s`` for a single sample) and each sample's period."""
    how = sampling(sig.ts_s)
    step = how.step_s or step_s
    return step, periods(sig.ts_s, default_s=step, found=list(how.runs))


def _pick_statistics(
    signals: Sequence[SignalInput], rules: SignalRules
) -> tuple[list[SignalInput], list[str]]:
    """Keep one statistic per signal name, the conservative one; say what was dropped.

    ``Maximum`` for every kind but ``freeable_memory``, whose conservative statistic is
    ``Minimum`` (the least memory free is the most in use).
    """
    by_name: dict[str, list[SignalInput]] = {}
    for s in signals:
        by_name.setdefault(s.name, []).append(s)
    kept, notes = [], []
    for name, group in by_name.items():
        stats = [s.statistic for s in group]
        if len(group) == 1:
            kept.append(group[0])
            continue
        want = "Minimum" if signal_kind(name, group[0].unit, rules.kinds) == "freeable_memory" else "Maximum"
        best = next((s for s in group if s.statistic == want), group[0])
        kept.append(best)
        others = ", ".join(s.statistic for s in group if s is not best)
        notes.append(
            f"{name}: the {best.statistic} statistic is used; {others} ignored (of {', '.join(stats)})"
        )
    return kept, notes


def combine_signals(
    signals: Sequence[SignalInput],
    *,
    step_s: int,
    rules: SignalRules,
    start_s: int | None = None,
    end_s: int | None = None,
) -> CombinedDemand:
    """Map every signal to ACU and take the max per step (rules in the module docstring).

    Args:
        signals: the cluster's signals, at least one with samples; one entry per (name,
            statistic).
        step_s: grid step, seconds, > 0.
        rules: the cluster facts the mapping needs.
        start_s: the grid's start, epoch seconds (floored to the grid); default: the
            first sample's step.
        end_s: the grid's end (exclusive), epoch seconds; default: the end of the last
            sample's period.

    Returns:
        The combined demand; ``demand_acu`` NaN where no demand signal had a sample.

    Raises:
        DemandMappingError: no signal with samples, no demand signal (only connections),
            a signal without an ACU mapping, a percent or FreeableMemory signal without
            ``max_acu``, a rate signal without its coefficient, or a bad ``step_s``.
    """
    if isinstance(step_s, bool) or not isinstance(step_s, int | np.integer) or step_s <= 0:
        raise DemandMappingError(f"step_s must be a positive integer number of seconds, got {step_s!r}")
    signals = [s for s in signals if s.ts_s.size]
    if not signals:
        raise DemandMappingError("no signal has any sample", field="signal")
    chosen, warnings = _pick_statistics(signals, rules)
    kinds = {s.name: signal_kind(s.name, s.unit, rules.kinds) for s in chosen}
    demand_sigs = [s for s in chosen if kinds[s.name] not in NOT_DEMAND]
    if not demand_sigs:
        raise DemandMappingError(
            "connections or VolumeBytesUsed alone do not give demand: add CPUUtilization, ACUUtilization "
            "or ServerlessDatabaseCapacity",
            field="signal",
        )
    demand_sigs, capacity_note = _load_over_capacity(demand_sigs, rules)
    if capacity_note:
        warnings.append(capacity_note)
    per: dict[str, npt.NDArray[np.int64]] = {}
    for s in chosen:
        step, per[s.name] = _periods(s, step_s)
        if s.statistic == "Average" and step > BURST_S:
            warnings.append(
                f"{s.name}: only the Average statistic at a {step}-s period; a burst shorter than the "
                f"period is averaged away: export the Maximum statistic (at 60 s where you can)"
            )
    first = min(int(s.ts_s[0]) for s in chosen)
    last_end = max(int((s.ts_s + per[s.name])[-1]) for s in chosen)
    start = (first if start_s is None else int(start_s)) // step_s * step_s
    stop = last_end if end_s is None else int(end_s)
    n_steps = max(-(-(stop - start) // step_s), 0)
    demand = np.full(n_steps, np.nan)
    working = np.full(n_steps, np.nan)
    binding: list[str | None] = [None] * n_steps
    names: list[str] = []
    for s in demand_sigs:
        kind = kinds[s.name]
        acu = _to_acu(s, kind, rules, per[s.name])
        grid = _grid(
            s.ts_s, per[s.name], acu, start_s=start, step_s=step_s, n_steps=n_steps,
            counts=s.statistic in COUNT_STATISTICS,
        )  # fmt: skip
        names.append(s.name)
        better = np.isfinite(grid) & ~(grid <= demand)  # NaN demand: any value binds
        demand = np.where(better, grid, demand)
        for k in np.flatnonzero(better):
            binding[int(k)] = s.name
        if kind in ("working_set", "freeable_memory"):
            working = np.fmax(working, grid)
    notes = []
    conns = [s for s in chosen if kinds[s.name] == "connections"]
    if conns:
        peak = max(float(c.value.max()) for c in conns)
        note = connections_note(peak, rules)
        if note:
            notes.append(note)
    demand.flags.writeable = False
    working.flags.writeable = False
    return CombinedDemand(
        start_s=start,
        step_s=int(step_s),
        demand_acu=demand,
        binding=tuple(binding),
        working_set_acu=working,
        signals=tuple(names),
        notes=tuple(notes),
        warnings=tuple(warnings),
    )


def _load_over_capacity(
    demand_sigs: list[SignalInput], rules: SignalRules
) -> tuple[list[SignalInput], str | None]:
    """Leave the capacity signals out of demand when a load signal is given beside them.

    ``ServerlessDatabaseCapacity`` and ``ACUUtilization`` measure what Aurora *ran*: never
    below MinCapacity, and the scaler's headroom above the load (it targets a utilisation
    below 100 %). As demand they would count the floor as load (a cluster at a 4-ACU floor
    "needs" 4 ACU) and the headroom twice, since the replay's scaler adds its own: an
    office-hours cluster's simulated bill came out 46 % above its observed one. So when a
    load signal (CPU, memory, a rate) is given, capacity is read only as today's observed
    capacity (the observed row of ``advise``, as ``capacity_acu`` is over HTTP); alone, it is
    the best estimate there is and stays demand (the README says so).
    """
    load = [s for s in demand_sigs if not is_capacity(s.name, s.unit, rules.kinds)]
    if not load or len(load) == len(demand_sigs):
        return demand_sigs, None
    left = sorted({s.name for s in demand_sigs} - {s.name for s in load})
    return load, (
        f"{', '.join(left)}: the capacity Aurora ran (MinCapacity and the scaler's headroom "
        f"included), not demand; demand is read from {', '.join(sorted({s.name for s in load}))}"
    )


def kind_on_grid(
    signals: Sequence[SignalInput],
    kind: SignalKind,
    *,
    step_s: int,
    start_s: int,
    n_steps: int,
    rules: SignalRules | None = None,
) -> npt.NDArray[np.float64] | None:
    """Put the signals of one kind on a demand grid in their own unit (no ACU mapping).

    For the series a caller reads next to demand (``DatabaseConnections``,
    ``VolumeBytesUsed``): one statistic per signal as :func:`combine_signals` picks it,
    each sample counted in every step it overlaps, the max per step; gauges' steps without
    a sample are NaN, counts' between their first and last sample 0.

    Args:
        signals: checked signals (any kinds; the others are ignored).
        kind: the kind to keep, e.g. ``connections``.
        step_s: the grid step, seconds, > 0.
        start_s: start of step 0, epoch seconds, a multiple of ``step_s``.
        n_steps: the grid's length.
        rules: kind overrides (``rules.kinds``); default none.

    Returns:
        Shape (n_steps,), in the signals' unit, or None when no signal is of that kind.

    Raises:
        DemandMappingError: a signal with no kind (:func:`signal_kind`).
    """
    rules = rules or SignalRules()
    picked = [s for s in signals if s.ts_s.size and signal_kind(s.name, s.unit, rules.kinds) == kind]
    if not picked:
        return None
    chosen, _ = _pick_statistics(picked, rules)
    out = np.full(n_steps, np.nan)
    for s in chosen:
        _, per = _periods(s, step_s)
        grid = _grid(
            s.ts_s, per, s.value, start_s=start_s, step_s=step_s, n_steps=n_steps,
            counts=s.statistic in COUNT_STATISTICS,
        )  # fmt: skip
        out = np.fmax(out, grid)
    return out


def max_connections(max_acu: float, *, engine: Engine, min_acu: float = 0.5) -> int:
    """Return the default ``max_connections`` at a MaxCapacity (:data:`MAX_CONNECTIONS`).

    Args:
        max_acu: MaxCapacity, ACU, >= 1.
        engine: ``aurora-postgresql`` or ``aurora-mysql``.
        min_acu: MinCapacity, ACU (PostgreSQL caps at 2,000 when it is 0.5 or less).

    Returns:
        The row at or below ``max_acu`` (the first row below 1 ACU).

    Examples:
        >>> max_connections(16, engine="aurora-postgresql", min_acu=1)
        3360
        >>> max_connections(16, engine="aurora-postgresql", min_acu=0.5)
        2000
    """
    table = MAX_CONNECTIONS[engine]
    value = table[0][1]
    for acu, conns in table:
        if acu <= max_acu:
            value = conns
    if engine == "aurora-postgresql" and min_acu <= 0.5:
        value = min(value, PG_LOW_MIN_CAP)
    return value


def connections_note(peak: float, rules: SignalRules) -> str | None:
    """Say which MaxCapacity lifts ``max_connections`` above peak connections plus headroom.

    Args:
        peak: the largest ``DatabaseConnections`` seen.
        rules: MaxCapacity, MinCapacity, engine and headroom.

    Returns:
        None when the ceiling at the current MaxCapacity already leaves the headroom (or
        MaxCapacity is unknown), else one sentence: the MaxCapacity (and, on PostgreSQL,
        MinCapacity) that would, and that a reboot applies it (the parameter is static).
    """
    if rules.max_acu is None:
        return None
    need = math.ceil(peak * (1.0 + rules.connection_headroom))
    have = max_connections(rules.max_acu, engine=rules.engine, min_acu=rules.min_acu)
    if have >= need:
        return None
    head = (
        f"DatabaseConnections peaked at {peak:,.0f}; at MaxCapacity {rules.max_acu:g} ACU {rules.engine}'s "
        f"default max_connections is {have:,} (below the peak plus {rules.connection_headroom:.0%} "
        f"headroom, {need:,})"
    )
    tail = "; max_connections is a static parameter, so each instance needs a reboot to apply it"
    min_acu = (
        max(rules.min_acu, 1.0)
        if rules.engine == "aurora-postgresql" and need > PG_LOW_MIN_CAP
        else rules.min_acu
    )
    for acu, _ in MAX_CONNECTIONS[rules.engine]:
        if acu <= MAX_ACU_LIMIT and max_connections(acu, engine=rules.engine, min_acu=min_acu) >= need:
            target = max(acu, rules.max_acu)
            lifted = max_connections(target, engine=rules.engine, min_acu=min_acu)
            raise_min = (
                f"MinCapacity never below {min_acu:g} ACU (the lowest allowed now is {rules.min_acu:g})"
                if min_acu != rules.min_acu
                else ""
            )
            if target > rules.max_acu:
                lift = f": a MaxCapacity of {target:g} ACU" + (f" and {raise_min}" if raise_min else "")
            else:
                lift = f": {raise_min}"
            lift += f" lifts it to {lifted:,}" + (
                " (PostgreSQL caps it at 2,000 below 1 ACU)" if raise_min else ""
            )
            return head + lift + tail
    return (
        head
        + ": no MaxCapacity lifts the default that far; set max_connections in the parameter group or pool "
        "connections (RDS Proxy)" + tail
    )
