"""Checked signals -> the history, ``now`` and the :class:`policy.DemandContext` ``recommend`` takes.

Owns :func:`signals_history` (the one path from several signals to a recommendation's
or an advice's inputs, shared by the CLI and the HTTP API), :func:`choose_step` (the step
when none is given), :func:`side_series` (``DatabaseConnections`` or ``VolumeBytesUsed``
on the history's grid, for ``policy.advise``), :func:`capacity_series` and
:func:`capacity_on_grid` (the observed capacity, for its MaxCapacity check; the CLI's
and the HTTP metric uploads'), :func:`capped_steps` (where demand comes from a signal
MaxCapacity caps, for ``policy.advise``'s censoring rule), :func:`sniffed_format` (a
Prometheus error response, which ``traces.formats.sniff`` takes for CloudWatch) and
:func:`read_uploads` (files -> one checked upload of one cluster, for the CLI;
:class:`ClustersError` when they hold several). The mapping itself is
``traces.combine_signals``; this module only sizes the grid first (a far-future
timestamp costs a message, never memory), cuts it at ``now`` and fills the context:
the working set per step, the binding signals' shares over the last day, the sources'
flags and the notes (connections). Imports ``traces`` and ``policy`` public names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from policy.steps import MIN_STEP_S
from policy.types import DemandContext
from service.inputs.history import check_window
from traces import CombinedDemand, IngestReport, SignalInput, SignalRules, check_upload, combine_signals
from traces.formats import parse_any, reads_signal, sniff
from traces.jsontext import load_json
from traces.signals import NOT_DEMAND, SignalKind, is_capacity, kind_on_grid, signal_kind
from traces.uploads import Problem, Upload, merge_uploads

DAY_S = 86_400


@dataclass(frozen=True)
class SignalsHistory:
    """A recommendation's demand inputs built from several signals.

    Attributes:
        history_acu: demand per step ending at ``now``, shape (n,), ACU, NaN = missing.
        now: the end of the last step (UTC).
        step_s: the step, seconds.
        context: working set, binding shares, source flags and notes for ``policy.recommend``.
        combined: the full combined demand (before the cut at ``now``).
    """

    history_acu: npt.NDArray[np.float64]
    now: datetime
    step_s: int
    context: DemandContext
    combined: CombinedDemand

    @property
    def start(self) -> datetime:
        """The start of the history's first step (UTC)."""
        return datetime.fromtimestamp(self.combined.start_s, tz=UTC)


def choose_step(signals: Sequence[SignalInput], plan_step_s: int, rules: SignalRules) -> int:
    """Return the step for signals when none is given: the finest demand signal's, on the plan's grid.

    The smallest divisor of ``plan_step_s`` at or above the finest inferred step of the
    demand signals and :data:`policy.steps.MIN_STEP_S` (1 -> 30, 60 -> 60, 300 -> 300,
    120 -> 150), at most ``plan_step_s``; coarser samples then cover several steps.

    Args:
        signals: checked signals.
        plan_step_s: the plan step, seconds.
        rules: for which signals are demand (connections and VolumeBytesUsed are not).

    Returns:
        Seconds.
    """
    from traces.resolution import step_of

    steps = [
        s
        for sig in signals
        if signal_kind(sig.name, sig.unit, rules.kinds) not in NOT_DEMAND
        and (s := step_of(sig.ts_s)) is not None
    ]
    finest = max(min(steps, default=plan_step_s), MIN_STEP_S)  # 1-s samples: their 30-s maximum
    return next(
        d for d in range(1, plan_step_s + 1) if plan_step_s % d == 0 and (d >= finest or d == plan_step_s)
    )


def signals_history(
    signals: Sequence[SignalInput],
    *,
    rules: SignalRules,
    step_s: int,
    now: datetime | None,
    max_steps: int,
    plan_s: int,
    source_flags: Sequence[str] = (),
) -> SignalsHistory:
    """Combine signals on the step grid and cut the history at ``now``.

    Args:
        signals: checked signals (``traces.check_upload``), at least one with samples.
        rules: MaxCapacity, coefficients, engine (``traces.SignalRules``).
        step_s: the grid step, seconds.
        now: the decision time, or None for the end of the last sample's period (an hourly
            sample at 11:00 covers until 12:00; ``traces.resolution``), rounded up to the grid.
        max_steps: most grid steps from the first sample's step to ``now``.
        plan_s: how far past ``now`` the plan reaches, seconds.
        source_flags: partial or failed queries (``IngestReport.source_flags``).

    Returns:
        The history, ``now`` and the context.

    Raises:
        service.inputs.history.HistoryError: the samples or ``now`` are out of range
            (:func:`service.inputs.history.check_window`).
        traces.DemandMappingError: a signal cannot be mapped (e.g. percent without
            ``max_acu``; its ``field`` names the setting).
    """
    from traces.resolution import periods

    present = [s for s in signals if s.ts_s.size]
    first = min(int(s.ts_s[0]) for s in present) if present else 0
    last = max(int(s.ts_s[-1]) for s in present) if present else 0
    # A sample covers [ts, ts + period) (CloudWatch stamps the start): an hourly 11:00 sample
    # covers until 12:00, so the default now is the end of the last period, not of its step.
    covered = max(int(s.ts_s[-1] + periods(s.ts_s, default_s=step_s)[-1]) for s in present) if present else 1
    at = check_window(
        first, max(covered - 1, last), step_s=step_s, now=now, max_steps=max_steps, plan_s=plan_s
    )
    now_s = int(at.timestamp())
    combined = combine_signals(present, step_s=step_s, rules=rules, end_s=max(now_s, last + 1))
    n = (now_s - combined.start_s) // step_s
    history = np.full(n, np.nan)
    kept = min(n, combined.n_steps)
    history[:kept] = combined.demand_acu[:kept]
    working = np.full(n, np.nan)
    working[:kept] = combined.working_set_acu[:kept]
    context = DemandContext(
        working_set_acu=tuple(None if np.isnan(x) else float(x) for x in working)
        if np.isfinite(working).any()
        else (),
        binding_share=combined.binding_share(until_step=kept, window_steps=DAY_S // step_s),
        source_flags=tuple(source_flags),
        notes=combined.notes + _after_now(combined.demand_acu[n:], at),
    )
    return SignalsHistory(history, at, step_s, context, combined)


def _after_now(later_acu: npt.NDArray[np.float64], now: datetime) -> tuple[str, ...]:
    """A note when observed steps lie after ``now`` and are left out (an "as of" plan)."""
    n_later = int(np.count_nonzero(np.isfinite(later_acu)))
    if not n_later:
        return ()
    steps = f"{n_later} observed step{'s' if n_later != 1 else ''}"
    return (f"{steps} after now ({now:%Y-%m-%dT%H:%MZ}) left out",)


def side_series(
    built: SignalsHistory, signals: Sequence[SignalInput], kind: SignalKind, rules: SignalRules
) -> npt.NDArray[np.float64] | None:
    """Return the signals of a kind that is not demand on the history's grid, in their unit.

    Args:
        built: the history (its start, step and length are the grid).
        signals: the checked signals it was built from.
        kind: ``connections`` (``DatabaseConnections``) or ``volume`` (``VolumeBytesUsed``).
        rules: kind overrides.

    Returns:
        Shape ``built.history_acu.shape``, NaN where no sample; None when no signal is of
        that kind (``traces.signals.kind_on_grid``).
    """
    return kind_on_grid(
        signals, kind, step_s=built.step_s, start_s=built.combined.start_s,
        n_steps=len(built.history_acu), rules=rules,
    )  # fmt: skip


def capacity_series(
    built: SignalsHistory, signals: Sequence[SignalInput], rules: SignalRules
) -> npt.NDArray[np.float64] | None:
    """Return the observed capacity on the history's grid, for ``policy.advise``'s MaxCapacity check.

    Only signals that are capacity (``traces.signals.is_capacity``):
    ``ServerlessDatabaseCapacity`` as is, ``ACUUtilization`` x ``rules.max_acu`` / 100; the
    max per step. CPU, memory and rates are demand and are left out.

    Args:
        built: the history (its start, step and length are the grid).
        signals: the checked signals it was built from.
        rules: MaxCapacity (the base of ``ACUUtilization``) and kind overrides.

    Returns:
        Shape ``built.history_acu.shape``, ACU, NaN where no sample; None when no signal is
        capacity.
    """
    return capacity_on_grid(
        signals, rules, step_s=built.step_s, start_s=built.combined.start_s, n_steps=len(built.history_acu)
    )


CAPPED_KINDS: frozenset[str] = frozenset({"cpu_percent", "acu_percent"})
"""Percent kinds read against MaxCapacity (``traces.signals``' table): at 100 % they cannot show
demand above it. With the capacity signals (``traces.signals.is_capacity``) they are the
signals MaxCapacity caps (:func:`capped_steps`)."""


def capped_steps(
    built: SignalsHistory, signals: Sequence[SignalInput], rules: SignalRules
) -> npt.NDArray[np.bool_]:
    """Return, per history step, whether its demand comes from a signal MaxCapacity caps.

    A step's demand is its binding signal's ACU equivalent (``CombinedDemand.binding``); the
    signal is capped when it is capacity (``ServerlessDatabaseCapacity``, ``ACUUtilization``)
    or a percent of MaxCapacity (``CPUUtilization``): :data:`CAPPED_KINDS`. Demand in ACU,
    memory and rates are not: they may pass MaxCapacity. ``policy.quality.pinned_at_ceiling``
    calls only such steps censored at a ceiling.

    Args:
        built: the history (its length and the combined demand's binding signals).
        signals: the checked signals it was built from (their units give the kinds).
        rules: kind overrides (``rules.kinds``).

    Returns:
        Shape ``built.history_acu.shape``, bool; False where no signal bound (missing steps).
    """
    units = {s.name: s.unit for s in signals}
    capped = {
        name
        for name, unit in units.items()
        if is_capacity(name, unit, rules.kinds) or signal_kind(name, unit, rules.kinds) in CAPPED_KINDS
    }
    n = len(built.history_acu)
    binding = list(built.combined.binding[:n]) + [None] * max(n - len(built.combined.binding), 0)
    return np.array([b is not None and b in capped for b in binding], dtype=bool)


def capacity_on_grid(
    signals: Sequence[SignalInput], rules: SignalRules, *, step_s: int, start_s: int, n_steps: int
) -> npt.NDArray[np.float64] | None:
    """Return the observed capacity on a demand grid (:func:`capacity_series` on any grid).

    Args:
        signals: checked signals (those that are not capacity are left out).
        rules: MaxCapacity (the base of ``ACUUtilization``) and kind overrides.
        step_s: the grid step, seconds.
        start_s: start of step 0, epoch seconds.
        n_steps: the grid's length.

    Returns:
        Shape (n_steps,), ACU, NaN where no sample; None when no signal is capacity.
    """
    picked = [s for s in signals if is_capacity(s.name, s.unit, rules.kinds)]
    grid = {"step_s": step_s, "start_s": start_s, "n_steps": n_steps}
    acu = kind_on_grid(picked, "acu", rules=rules, **grid)
    pct = kind_on_grid(picked, "acu_percent", rules=rules, **grid) if rules.max_acu is not None else None
    parts = [
        p for p in (acu, None if pct is None else pct / 100.0 * float(rules.max_acu or 0.0)) if p is not None
    ]
    if not parts:
        return None
    return np.asarray(np.fmax.reduce(parts), dtype=np.float64) if len(parts) > 1 else parts[0]


def sniffed_format(data: bytes, name: str) -> str | None:
    """Tell a Prometheus response that ``traces.formats.sniff`` takes for CloudWatch.

    The sniffer calls JSON Prometheus only when it holds a ``resultType``, so an error
    response (``{"status": "error", "errorType": "timeout", "error": "query timed out"}``)
    was read as CloudWatch and answered with a CloudWatch message (``a page needs a
    MetricDataResults list``). JSON without ``MetricDataResults`` near its start whose top
    level has Prometheus's ``status`` is a Prometheus response, so its own message (e.g.
    ``query timed out``) is reported.

    Args:
        data: the content.
        name: its name (the sniffer reads a ``.parquet`` suffix).

    Returns:
        ``prometheus`` for such a response; None to let ``traces.formats.parse_any`` sniff.
    """
    if sniff(data, name) != "cloudwatch" or b'"MetricDataResults"' in data[:65_536]:
        return None
    try:
        parsed = load_json(data.decode("utf-8-sig"))
    except ValueError:  # not UTF-8, not JSON or nested too deeply: parse_any says so
        return None
    return "prometheus" if isinstance(parsed, dict) and "status" in parsed else None


def _named(upload: Upload) -> Upload:
    """Name the file in each problem that does not (a JSON path, e.g. ``response``), as CSV rows are."""
    upload.problems = [
        p if p.where.startswith(upload.name) else replace(p, where=f"{upload.name} {p.where}".rstrip())
        for p in upload.problems
    ]
    return upload


def _unmapped(upload: Upload, kinds: Mapping[str, str] | None = None) -> Upload:
    """Name the place of a signal ``traces.signals.signal_kind`` refuses, at its first sample.

    A known signal in another unit than its own (``CPUUtilization`` in ``acu``, field
    ``unit``) and a signal whose name and unit have no ACU mapping (``MysteryBytes`` in
    ``bytes``, field ``signal``; not a ``relative`` one, whose p99 the CLI scales to
    ``--peak-acu``) are refused when mapped, which is after the checks, where no file or row
    is known; here each is a problem at its first sample in the file (e.g. ``db.csv row 2``),
    with the number of its samples.

    Args:
        upload: one file's upload, as parsed.
        kinds: signal name -> kind overrides (``traces.SignalRules.kinds``), or None.

    Returns:
        The same upload, with a problem per such signal.
    """
    from traces import DemandMappingError

    for sig in upload.signals.values():
        try:
            signal_kind(sig.name, sig.unit, kinds)
        except DemandMappingError as exc:
            relative = exc.field == "signal" and sig.unit == "relative"  # --peak-acu maps it (the CLI)
            if exc.field not in ("unit", "signal") or relative or not sig.where:
                continue
            n = len(sig.where)
            first = f" (the first of its {n} samples)" if n > 1 else ""
            upload.problems.append(Problem(sig.where[0], exc.field, f"{exc.reason}{first}"))
    return upload


class ClustersError(ValueError):
    """Files whose rows name several clusters, without one of them chosen (one cluster per read).

    Attributes:
        name: the upload's name (the files', comma-separated).
        cluster_ids: the clusters the rows name, sorted.
        chosen: the cluster asked for (not among them), or None.
    """

    def __init__(self, name: str, cluster_ids: Sequence[str], chosen: str | None) -> None:
        self.name, self.cluster_ids, self.chosen = name, tuple(cluster_ids), chosen
        super().__init__(f"{name} names {len(self.cluster_ids)} clusters ({', '.join(self.cluster_ids)})")


def _parse_uploads(
    paths: Sequence[Path],
    *,
    format: str | None,
    tz: str | None,
    signal: str | None,
    specs: Mapping[str, Any] | None,
    select_cluster: str | None = None,
    kinds: Mapping[str, str] | None = None,
) -> Upload:
    """Read and parse files as one upload, before its checks (see :func:`read_uploads`)."""
    uploads = []
    for p in paths:
        data = p.read_bytes()
        fmt = format or sniffed_format(data, p.name)
        upload = parse_any(
            data, name=p.name, format=fmt, tz=tz, signal=signal, specs=specs, select_cluster=select_cluster
        )
        uploads.append(_named(_unmapped(upload, kinds)))
    return merge_uploads(uploads)


def read_uploads(
    paths: Sequence[Path],
    *,
    now_s: int | None,
    format: str | None = None,
    tz: str | None = None,
    signal: str | None = None,
    specs: Mapping[str, Any] | None = None,
    cluster_id: str | None = None,
    kinds: Mapping[str, str] | None = None,
) -> tuple[list[SignalInput], IngestReport]:
    """Read, parse and check files as one upload (a signal in two files is one signal).

    The clusters the rows name (canonical layouts' ``cluster_id``) are known before the
    checks compare samples: two clusters' rows at the same times are two clusters (an error,
    or ``cluster_id``'s rows read), never conflicting duplicates.

    Args:
        paths: the files.
        now_s: the clock, epoch seconds (later timestamps are rejected), or None.
        format: a ``traces.FORMATS`` name for every file, or None to sniff each.
        tz: IANA zone for timestamps without an offset.
        signal: the metric of ``Timestamp,Value`` exports.
        specs: per query Id, series name or column: signal, unit, statistic.
        cluster_id: the cluster whose rows are read when the rows name several (the files
            are parsed again with only its rows); rows naming one cluster or none are read
            whatever it is.
        kinds: signal name -> kind overrides (``traces.SignalRules.kinds``), or None.

    Returns:
        The checked signals and the report.

    Raises:
        OSError: a file cannot be read.
        ClustersError: the rows name several clusters and ``cluster_id`` is None or not
            among them (before any other check).
        traces.UploadError: anything the checks reject (every problem in its report, each
            naming its file; a Prometheus error response is sniffed as Prometheus:
            :func:`sniffed_format`); a known signal in another unit than its own, or a
            signal with no ACU mapping, at its first sample (``db.csv row 2``).
    """
    how: dict[str, Any] = {"format": format, "tz": tz, "signal": signal, "specs": specs, "kinds": kinds}
    upload = _parse_uploads(paths, **how)
    if len(upload.cluster_ids) > 1:
        if cluster_id not in upload.cluster_ids:
            raise ClustersError(upload.name, sorted(upload.cluster_ids), cluster_id)
        upload = _parse_uploads(paths, **how, select_cluster=cluster_id)
    return check_upload(upload, now_s=now_s)


HEADER_BYTES = 65_536
"""How much of a file :func:`value_exports` reads: its header line, and what sniffing looks at."""


def value_exports(paths: Sequence[Path], format: str | None = None) -> list[str]:
    """The files whose metric ``--signal`` names: AWS ``Timestamp,Value`` and ``Timestamp,Average`` exports.

    Reads the first :data:`HEADER_BYTES` of each file (``traces.formats.reads_signal``).

    Args:
        paths: the files.
        format: a ``traces.FORMATS`` name for every file, or None to sniff each.

    Returns:
        Their names (``p.name``), in order; empty when no file takes a ``--signal``.

    Raises:
        OSError: a file cannot be read.
    """
    out = []
    for p in paths:
        with p.open("rb") as fh:
            head = fh.read(HEADER_BYTES)
        if reads_signal(head, p.name, format):
            out.append(p.name)
    return out


def utc_now_s() -> int:
    """The wall clock, epoch seconds (the CLI's ``now`` for future timestamps)."""
    return int(datetime.now(tz=UTC).timestamp())
