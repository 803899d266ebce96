"""Metric exports -> demand for the CLI: the one path ``acuplan recommend`` and ``advise`` share.

Owns :func:`exports_history` (files -> one checked upload,
:func:`service.inputs.signals.read_uploads` -> rate or relative signals scaled by
``--peak-acu`` -> ``traces.combine_signals`` on the step grid through
:func:`service.inputs.signals.signals_history`, the path the HTTP API takes too) and the
option helpers both commands use: :func:`parse_pairs` (``--rate NAME=ACU_S``),
:func:`check_cluster_id`, :func:`check_price` (``--price``), :func:`check_format`, :func:`check_engine`,
:func:`check_zone_option`, :func:`ingest_lines` (what was read, printed before the answer),
:func:`file_cluster` and :func:`check_unused_options` with :func:`signal_unused` (``--rate``,
``--peak-acu`` and ``--signal`` that change nothing are refused, one rule for both commands). Every error is a
:class:`service.cli.inputs.CliInputError` naming the option or the file. Percent signals
(``CPUUtilization``, ``ACUUtilization``) and ``FreeableMemory`` are measured against
MaxCapacity, so without it they are an error naming ``--max-acu``. Imports ``traces``
public names inside the functions (``acuplan --help`` stays fast).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from service.cli.inputs import CliInputError, check_finite, peak_unused, signals_read, unused_rates
from service.inputs.names import name_problem

if TYPE_CHECKING:
    from service.inputs.signals import SignalsHistory
    from traces import IngestReport, SignalInput, SignalRules
    from traces.signals import Engine

MAX_EXPORT_STEPS: Final[int] = 1_000_000
"""Most grid steps built from exports (first sample to the last or ``--now``): 8 MB of float64."""

ENGINES: Final[tuple[str, ...]] = ("aurora-postgresql", "aurora-mysql")

UNKNOWN_STATISTIC: Final[str] = "statistic not given: values read as given"
"""A signal without a statistic in :func:`ingest_lines`: no statistic is assumed, each sample is
its period's value as a gauge (``traces.signals``: not a count, no Average warning), as
``Maximum``, ``Minimum`` and ``Average`` are."""

InputsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--input",
        "-i",
        help="Metric export of one cluster: canonical CSV, AWS console/CLI CSV, CloudWatch GetMetricData "
        "JSON, Prometheus range-query JSON or Parquet; repeat for several files.",
    ),
]
"""``--input``: the export files both commands read (typer's option, declared once)."""
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="csv, aws-csv, cloudwatch, prometheus or parquet; default: sniffed."),
]
"""``--format``: the exports' format (default sniffed)."""
SignalOption = Annotated[
    str | None,
    typer.Option(
        "--signal",
        help="The metric of a Timestamp,Value or Timestamp,Average export, e.g. 'CPUUtilization Maximum'.",
    ),
]
"""``--signal``: what a ``Timestamp,Value`` (or ``Timestamp,<statistic>``) export measures."""
RateOption = Annotated[
    list[str] | None,
    typer.Option("--rate", help="ACU-seconds per event of a rate signal, NAME=ACU_S (repeat)."),
]
"""``--rate``: ACU-seconds per event of a rate signal."""
PriceOption = Annotated[
    float | None,
    typer.Option(
        "--price",
        help="The cluster's Aurora Standard price, USD per ACU-hour (default: the region's built-in price; "
        "needed in a region without one).",
    ),
]
"""``--price``: the cluster's compute price, USD per ACU-hour (both commands; :func:`check_price`)."""
PeakOption = Annotated[
    float | None,
    typer.Option("--peak-acu", help="ACU a rate or relative series' p99 maps to when it has no --rate."),
]
"""``--peak-acu``: the ACU a unitless series' p99 maps to."""


def parse_pairs(
    option: str, items: Sequence[str], cast: type, *, example: str = "Queries=0.002"
) -> dict[str, Any]:
    """``NAME=VALUE`` options -> dict; the option is named on a bad item.

    Args:
        option: the option, e.g. ``--rate``.
        items: its values, e.g. ``["Queries=0.002"]``.
        cast: ``float`` (then each value must be finite and > 0) or ``int``.
        example: a good item, quoted in the error.

    Raises:
        CliInputError: an item without ``=``, a name or a value of the type.
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name:
                raise ValueError
            out[name] = cast(value)
        except ValueError:
            raise CliInputError(f"{option}: {item!r} is not NAME=VALUE (e.g. {example})") from None
        if isinstance(out[name], float) and not (math.isfinite(out[name]) and out[name] > 0):
            raise CliInputError(f"{option}: {item!r}: the value must be a finite number > 0")
    return out


def check_cluster_id(cluster_id: str | None, *, key: str | None = None) -> None:
    """Refuse an empty or blank cluster id (it names the cluster in every answer and command printed).

    The rule of ``acuplan advise`` and ``acuplan recommend``: never replaced by a default
    silently; nor with surrounding whitespace or a control or format character (a line
    break, NUL, an ANSI escape), the HTTP API's rule (:func:`service.inputs.names.name_problem`).

    Args:
        cluster_id: ``--cluster-id`` (or the config file's value), or None when not given.
        key: where a config file gave it, e.g. ``c.toml: cluster.cluster_id``; None for
            ``--cluster-id``.

    Raises:
        CliInputError: e.g. ``--cluster-id: empty; give the cluster's name (e.g. --cluster-id
            orders-db) or leave the option out``.
    """
    problem = None if cluster_id is None else name_problem(cluster_id)
    if problem is None:
        return
    said = problem.removeprefix("is ")
    if key is None:
        raise CliInputError(
            f"--cluster-id: {said}; give the cluster's name (e.g. --cluster-id orders-db) or leave the "
            "option out"
        )
    raise CliInputError(
        f'{key}: {said}; give the cluster\'s name (e.g. cluster_id = "orders-db") or leave the key out'
    )


def check_price(price: float | None) -> None:
    """Refuse a ``--price`` that ``policy.ClusterSpec`` would refuse as ``price_usd_per_acu_hour``.

    The rule of ``acuplan advise`` and ``acuplan recommend``: finite, above 0 and at most 100
    USD per ACU-hour, and at least :data:`policy.types.MIN_PRICE_USD_PER_ACU_HOUR` (0.001: the
    optimiser counts cost in micro-USD); the wording is ``ClusterSpec``'s, after ``--price: ``.

    Args:
        price: ``--price``, USD per ACU-hour, or None when not given.

    Raises:
        CliInputError: e.g. ``--price: Input should be greater than 0`` or ``--price must be a
            finite number, got nan``.
    """
    from pydantic import ValidationError

    from policy import ClusterSpec

    check_finite("--price", price)
    if price is None:
        return
    try:
        ClusterSpec(price_usd_per_acu_hour=price)
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise CliInputError(f"--price: {reasons}") from None


def check_format(format: str | None) -> None:
    """Reject a ``--format`` that is not one of ``traces.FORMATS``."""
    from traces import FORMATS

    if format is not None and format not in FORMATS:
        raise CliInputError(f"--format: unknown {format!r}; choose from {', '.join(FORMATS)}")


def check_engine(engine: str) -> Engine:
    """Return ``--engine`` when it is ``aurora-postgresql`` or ``aurora-mysql``.

    Raises:
        CliInputError: any other value.
    """
    if engine not in ENGINES:
        raise CliInputError(f"--engine: unknown {engine!r}; choose aurora-postgresql or aurora-mysql")
    return engine  # type: ignore[return-value]


def check_zone_option(option: str, tz: str | None) -> str | None:
    """Return ``tz`` when it is a known IANA zone (or None).

    Raises:
        CliInputError: an unknown zone, naming ``option`` (e.g. ``--input-timezone``).
    """
    from traces.formats import check_zone

    try:
        return check_zone(tz)
    except ValueError as exc:
        raise CliInputError(f"{option}: {exc}") from None


def _scale_to_peak(
    signals: list[SignalInput], rates: Mapping[str, float], peak_acu: float | None
) -> list[SignalInput]:
    """Map rate or relative signals without a coefficient so their p99 is ``--peak-acu`` ACU."""
    import numpy as np

    from traces import SignalInput

    out = []
    for s in signals:
        if s.unit in ("per_s", "relative") and s.name not in rates:
            if peak_acu is None:
                raise CliInputError(
                    f"--peak-acu is required for unit {s.unit!r} ({s.name}): the series' p99 is mapped to "
                    f"that many ACU; or give its cost with --rate {s.name}=ACU_S"
                )
            p99 = float(np.percentile(s.value, 99.0))
            if not p99 > 0:
                raise CliInputError(f"{s.name}: its p99 is 0, so --peak-acu cannot scale it")
            s = SignalInput(s.name, "acu", s.statistic, s.ts_s, s.value * (peak_acu / p99), s.source)
        out.append(s)
    return out


@dataclass(frozen=True)
class ExportsHistory:
    """What the exports gave: the demand history, the checked signals and the ingest report.

    Attributes:
        built: the history on the step grid, ``now``, the context and the combined demand.
        signals: the checked signals (rate or relative ones scaled to ``--peak-acu``).
        report: the ingest report (signals, holes, duplicates, warnings, source flags).
    """

    built: SignalsHistory
    signals: list[SignalInput]
    report: IngestReport


def exports_history(
    paths: Sequence[Path],
    *,
    rules: SignalRules,
    plan_step_s: int,
    plan_s: int,
    format: str | None = None,
    tz: str | None = None,
    signal: str | None = None,
    specs: Mapping[str, Any] | None = None,
    peak_acu: float | None = None,
    step_s: int | None = None,
    now: datetime | None = None,
    cluster_id: str | None = None,
    cluster_option: str = "--cluster-id",
    signal_option: str = "--signal",
) -> ExportsHistory:
    """Read metric exports as one upload and turn them into demand on the step grid.

    Args:
        paths: the files (``--input``, ``--csv``); a signal in two files is one signal.
        rules: MaxCapacity (None: percent and ``FreeableMemory`` are an error naming
            ``--max-acu``), MinCapacity, ``--rate`` coefficients, engine, headroom.
        plan_step_s: the plan step; the default step is its divisor at or above the finest
            demand signal's (:func:`service.inputs.signals.choose_step`).
        plan_s: how far past ``now`` the plan (or forecast) reaches, seconds.
        format: ``--format`` (checked with :func:`check_format`), or None to sniff each file.
        tz: IANA zone of timestamps without an offset.
        signal: the metric of ``Timestamp,Value`` exports.
        specs: per query Id, series name or column: signal, unit, statistic.
        peak_acu: the ACU a rate or relative series' p99 maps to when it has no ``--rate``.
        step_s: the grid step, or None for the default.
        now: the decision time, or None for the end of the last sample's period (on the grid).
        cluster_id: the cluster whose rows are read when the exports' rows name several
            (``--cluster-id``); with rows of one cluster or none it only names the cluster.
        cluster_option: where ``cluster_id`` came from, for messages (``--cluster-id``, or
            a config file's key: ``c.toml: cluster.cluster_id``).
        signal_option: where ``signal`` came from, for messages (``--signal``, or a config
            file's key: ``c.toml: signals.signal``).

    Returns:
        The history, the signals and the report.

    Raises:
        CliInputError: anything the checks reject (the first problem, counting the rest),
            rows of more than one ``cluster_id`` without ``cluster_id`` among them (checked
            first: two clusters' samples at one time are no conflicting duplicates),
            a ``signal`` whose statistic does not exist (naming ``signal_option``, with the
            statistics), a signal without a mapping (naming ``--max-acu``, also where the library
            says ``max_acu``, or ``--rate``), or a history
            out of range (naming the file, or ``--now``).
        OSError: a file cannot be read.
    """
    from service.inputs.history import HistoryError
    from service.inputs.signals import ClustersError, choose_step, read_uploads, signals_history, utc_now_s
    from traces import DemandMappingError, UploadError
    from traces.formats import statistic_problem

    if signal and (why := statistic_problem(signal)) is not None:  # the option's fault, not the file's
        raise CliInputError(f"{signal_option} {signal!r}: {why}")
    try:
        signals, report = read_uploads(
            paths, now_s=utc_now_s(), format=format, tz=tz, signal=signal, specs=specs or None,
            cluster_id=cluster_id, kinds=rules.kinds,
        )  # fmt: skip
    except ClustersError as exc:  # one cluster per run: never merge two clusters' samples
        if exc.chosen is None:
            raise CliInputError(
                f"{exc}; give one cluster's rows per run, or choose one with --cluster-id"
            ) from None
        raise CliInputError(
            f"{cluster_option}: {exc.name} names no cluster {exc.chosen!r}; it names {len(exc.cluster_ids)}: "
            f"{', '.join(exc.cluster_ids)}"
        ) from None
    except UploadError as exc:
        raise CliInputError(str(exc)) from None
    signals = _scale_to_peak(signals, rules.acu_s_per_unit, peak_acu)
    step = step_s if step_s is not None else choose_step(signals, plan_step_s, rules)
    try:
        built = signals_history(
            signals, rules=rules, step_s=step, now=now, max_steps=MAX_EXPORT_STEPS, plan_s=plan_s,
            source_flags=report.source_flags,
        )  # fmt: skip
    except HistoryError as exc:
        message = str(exc)
        if exc.loc != ("now",):
            raise CliInputError(f"{report.name}: {message}") from None
        raise CliInputError(f"--{message}" if message.startswith("now ") else f"--now: {message}") from None
    except DemandMappingError as exc:
        option = {"max_acu": "--max-acu", "acu_s_per_unit": "--rate"}.get(exc.field or "", "")
        reason = re.sub(r"(?<![\w.])max_acu\b", "--max-acu", exc.reason)  # the option, not the field
        raise CliInputError(f"{option + ': ' if option else ''}{reason}") from None
    return ExportsHistory(built, signals, report)


def ingest_lines(report: IngestReport, step_s: int | None = None) -> list[str]:
    """What was read, as printed lines: the signals with their steps and holes, duplicates dropped.

    A signal whose statistic the input does not give (a ``Timestamp,CPUUtilization`` column,
    a canonical CSV without ``statistic``) says so: :data:`UNKNOWN_STATISTIC`.

    ``step_s``: the grid the history was read on; when a signal's own step differs (420-s
    samples on the 450-s grid that divides the 15-minute plan step), a line says so.
    """
    sig = [
        f"{s.signal} ({s.unit}, {UNKNOWN_STATISTIC if s.statistic == 'unknown' else s.statistic}, "
        f"{s.n_points} points "
        + (
            f"at irregular intervals, read every {s.step_s} s"
            if s.irregular
            else f"every {s.step_s or '?'} s"
        )
        + (f", {s.n_holes} hole{'s' if s.n_holes != 1 else ''}" if s.n_holes else "")
        + ")"
        for s in report.signals
    ]
    lines = [f"inputs: {report.name}: {report.n_points} points; signals: {'; '.join(sig)}"]
    if report.n_duplicates:
        lines.append(f"inputs: {report.n_duplicates} exact duplicate rows dropped")
    own = sorted({s.step_s for s in report.signals if s.step_s and s.step_s != step_s and not s.irregular})
    if step_s is not None and own:
        lines.append(
            f"inputs: read on a {step_s}-s grid (samples every {', '.join(f'{s} s' for s in own)}): the "
            "history's step divides the plan's, and each sample counts in every step it overlaps"
        )
    return lines


def signal_unused(paths: Sequence[Path], format: str | None, report: IngestReport) -> str | None:
    """Why a ``--signal`` names no metric of these exports, or None when one takes it.

    Only an AWS ``Timestamp,Value`` export or one whose value column is named after a
    statistic (``Timestamp,Average``) takes its metric from ``--signal``
    (:func:`service.inputs.signals.value_exports`); every other layout and format names
    its own signals, and ignores it.

    Args:
        paths: the input files.
        format: ``--format``, or None (sniffed).
        report: their ingest report.

    Returns:
        E.g. ``no input is a Timestamp,Value export or a Timestamp,<statistic> one
        (Timestamp,Average), the only layouts whose metric it names (it
        selects no signal); the inputs name their own: ServerlessDatabaseCapacity (acu)``;
        None when a file takes it.

    Raises:
        OSError: an input cannot be read.
    """
    from service.inputs.signals import value_exports

    if value_exports(paths, format):
        return None
    return (
        "no input is a Timestamp,Value export or a Timestamp,<statistic> one (Timestamp,Average), the "
        "only layouts whose metric it names (it selects no "
        f"signal); the inputs name their own: {signals_read(report)}"
    )


def check_unused_options(
    paths: Sequence[Path],
    format: str | None,
    report: IngestReport,
    *,
    given_rates: Mapping[str, float],
    rates: Mapping[str, float] | None = None,
    signal: str | None,
    peak_acu: float | None,
    input_timezone: str | None = None,
) -> None:
    """Refuse a ``--rate``, ``--peak-acu``, ``--signal`` or ``--input-timezone`` given that changes nothing.

    The one rule of ``acuplan recommend`` and ``acuplan advise``: the mapping ignores a
    coefficient for a signal the exports lack or that is not a rate
    (:func:`service.cli.inputs.unused_rates`), a ``--peak-acu`` when no rate or relative
    signal goes without a coefficient (:func:`service.cli.inputs.peak_unused`), a
    ``--signal`` when no input is a ``Timestamp,Value`` or ``Timestamp,Average`` export
    (:func:`signal_unused`), and
    an ``--input-timezone`` when every timestamp carries its own UTC offset or is
    epoch seconds (``IngestReport.n_local_times`` is 0); silently ignored, the user would
    believe they changed the answer.

    Args:
        paths: the input files.
        format: ``--format``, or None (sniffed).
        report: their ingest report.
        given_rates: ``--rate`` (signal name -> ACU-seconds per event).
        rates: every coefficient the mapping uses (``--rate`` over a config file's), or
            None for ``given_rates``.
        signal: ``--signal``, or None.
        peak_acu: ``--peak-acu``, ACU, or None.
        input_timezone: ``--input-timezone`` (checked IANA zone), or None.

    Raises:
        CliInputError: the first option that changes nothing, in the order ``--rate``,
            ``--peak-acu``, ``--signal``, ``--input-timezone``, e.g. ``--rate Nope=3: the input
            has no signal 'Nope'; it has: CPUUtilization (percent)``, or
            ``--input-timezone 'Europe/Berlin': every timestamp of the inputs carries its own
            UTC offset (or is epoch seconds), and it only places those without one (it changes
            no time); leave it out``.
        OSError: an input cannot be read.
    """
    rates = given_rates if rates is None else rates
    for name, reason in unused_rates(report, rates).items():
        if name in given_rates:
            raise CliInputError(f"--rate {name}={given_rates[name]:g}: {reason}")
    if peak_acu is not None and (unused := peak_unused(report, rates)) is not None:
        raise CliInputError(f"--peak-acu {peak_acu:g}: {unused}")
    if signal and (why := signal_unused(paths, format, report)) is not None:
        raise CliInputError(f"--signal {signal!r}: {why}")
    if input_timezone and report.n_local_times == 0:
        raise CliInputError(
            f"--input-timezone {input_timezone!r}: every timestamp of the inputs carries its own UTC offset "
            "(or is epoch seconds), and it only places those without one (it changes no time); leave it out"
        )


def file_cluster(report: IngestReport) -> str | None:
    """The cluster a canonical export names, when it names exactly one."""
    return report.cluster_ids[0] if len(report.cluster_ids) == 1 else None
