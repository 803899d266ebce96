"""Check ``acuplan`` option values and settings before any work, with one-line messages.

Owns :class:`CliInputError` and the checks :mod:`service.cli.main` runs before loading data or
replaying: every message names the option (``--max-acu``, ``--replan-every-min``, ...) or
the ``ACUPLAN_*`` variable at fault, and every limit is stated in the option's own unit.
Also checks that ``serve`` can bind its port (:func:`check_listen`). Imports ``policy``,
``placement`` and ``traces`` public names and ``service`` modules.
"""

from __future__ import annotations

import importlib.util
import math
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Final, NoReturn

import typer
from pydantic import ValidationError

from placement import CapacityLimits
from policy import POLICY_NAMES, InvalidRequestError, PolicyConfig
from policy.steps import check_replan_every_s
from policy.steps import check_step_s as check_step_rule
from service.errors import is_input_error, one_line
from service.settings import ServerSettings, Settings, get_server_settings, get_settings
from traces import AcuRule, IngestReport, P99ToPeakAcuRule, PercentOfMaxAcuRule, TraceSeries
from traces.timetext import parse_iso


class CliInputError(ValueError):
    """An option value or option combination the CLI rejects (one-line message)."""


def check_finite(option: str, value: float | None) -> None:
    """Reject NaN and infinities, which typer parses as floats, naming the option.

    Args:
        option: the option name, e.g. ``--read-frac``.
        value: its value, or None when not given.

    Raises:
        CliInputError: ``<option> must be a finite number, got nan``.
    """
    if value is not None and not math.isfinite(value):
        raise CliInputError(f"{option} must be a finite number, got {value}")


MAX_ACU_BELOW_ONE: Final[str] = "max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)"
"""The rule a MaxCapacity below 1 ACU breaks, as ``placement.CapacityLimits`` states it for 0 to 0.5."""


def limit_reasons(exc: ValidationError, field: str | None = None) -> str:
    """The reasons of a ``placement.CapacityLimits`` error, each stating the rule broken.

    A negative ``max_acu`` breaks the field's range (ACU >= 0) before the model's own rule
    (>= 1) is checked, so pydantic says ">= 0"; it is stated as :data:`MAX_ACU_BELOW_ONE`.

    Args:
        exc: the error.
        field: ``max_acu`` or ``min_acu`` to keep that field's reasons and the model's
            (the pair) only; None for all.

    Returns:
        The reasons joined by ``; ``, e.g. ``max_acu must be >= 1 (AWS rejects a maximum
        of 0.5 ACU)``.
    """
    reasons = []
    for e in exc.errors():
        if field is not None and e["loc"] not in ((field,), ()):
            continue
        below = e["loc"] == ("max_acu",) and e["type"] == "greater_than_equal"
        reasons.append(MAX_ACU_BELOW_ONE if below else str(e["msg"]).removeprefix("Value error, "))
    return "; ".join(dict.fromkeys(reasons))


def capacity_limits(max_acu: float) -> CapacityLimits:
    """Validate ``--max-acu`` as the cluster's CapacityLimits, naming the option.

    Args:
        max_acu: the option's value, ACU.

    Returns:
        ``CapacityLimits(max_acu=max_acu)``.

    Raises:
        CliInputError: not finite, or a rule of CapacityLimits (0.5 grid, >= 1, <= 256),
            e.g. ``--max-acu -3: max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)``.
    """
    check_finite("--max-acu", max_acu)
    try:
        return CapacityLimits(max_acu=max_acu)
    except ValidationError as exc:
        raise CliInputError(f"--max-acu {max_acu:g}: {limit_reasons(exc)}") from None


def check_trace(option: str, name: str) -> str:
    """Refuse a bundled trace name that does not exist, naming the option, before any work.

    Args:
        option: the option, e.g. ``--trace`` or ``--fleet-trace``.
        name: its value.

    Returns:
        ``name``, a name of ``traces.list_bundled``.

    Raises:
        CliInputError: ``--trace: unknown bundled trace 'nosuch'; valid names: ...`` (the
            bundled names, sorted: ``traces.UnknownTraceError``'s message).
    """
    from traces import UnknownTraceError, list_bundled

    names = list_bundled()
    if name not in names:
        raise CliInputError(f"{option}: {UnknownTraceError(name, names)}")
    return name


def parse_policies(text: str) -> tuple[str, ...]:
    """Split ``--policies`` into names.

    Args:
        text: comma-separated policy names.

    Returns:
        The names, in the given order.

    Raises:
        CliInputError: no name (``--policies: got ' '; choose from ...``), a name not in
            ``policy.POLICY_NAMES``, naming each such name and the valid ones
            (``--policies: unknown policy 'foo'; choose from reactive, ...``), or a name given
            twice (``--policies: reactive is named twice; name each policy once``: never
            dropped silently).
    """
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    choose = f"choose from {', '.join(POLICY_NAMES)}"
    if not names:
        raise CliInputError(f"--policies: got {text!r}; {choose}")
    unknown = list(dict.fromkeys(n for n in names if n not in POLICY_NAMES))
    if unknown:
        said = ", ".join(repr(n) for n in unknown)
        raise CliInputError(f"--policies: unknown polic{'ies' if len(unknown) > 1 else 'y'} {said}; {choose}")
    if twice := next((n for k, n in enumerate(names) if n in names[:k]), None):
        raise CliInputError(f"--policies: {twice} is named twice; name each policy once")
    return names


def _env_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        name = f"ACUPLAN_{str(err['loc'][0]).upper()}" if err["loc"] else "ACUPLAN_*"
        parts.append(f"{name}: {str(err['msg']).removeprefix('Value error, ')}")
    return f"invalid environment: {'; '.join(parts)}"


def load_settings() -> Settings:
    """Return the policy and solver settings from ``ACUPLAN_*``.

    Raises:
        CliInputError: a variable is invalid (the message names it).
    """
    try:
        return get_settings()
    except ValidationError as exc:
        raise CliInputError(_env_message(exc)) from None


def load_policy_config() -> PolicyConfig:
    """Return the policy configuration the ``ACUPLAN_*`` settings map to.

    Raises:
        CliInputError: a variable is invalid (the message names it).
    """
    return load_settings().to_policy_config()


def load_server_settings() -> ServerSettings:
    """Return ``ACUPLAN_HOST`` / ``PORT`` / ``LOG_LEVEL``: read by ``serve`` only.

    Raises:
        CliInputError: a variable is invalid (the message names it).
    """
    try:
        return get_server_settings()
    except ValidationError as exc:
        raise CliInputError(_env_message(exc)) from None


def check_replan(every_min: int, step_s: int, config: PolicyConfig) -> None:
    """Check ``--replan-every-min`` with the step rules of :mod:`policy.steps`.

    Args:
        every_min: the option's value, minutes (>= 1, checked by typer).
        step_s: the trace step, seconds.
        config: the policy configuration (its ``horizon_s``).

    Raises:
        CliInputError: above the planning horizon, or not a multiple of the trace step,
            e.g. ``--replan-every-min: replan_every_s=420 must be a multiple of the history
            step step_s=300 (5 min)``.
    """
    try:
        check_replan_every_s(every_min * 60, step_s=step_s, horizon_s=config.horizon_s)
    except InvalidRequestError as exc:
        raise CliInputError(f"--replan-every-min {every_min}: {exc}") from None


def demand_rule(
    series: TraceSeries, max_acu: float, peak_acu: float | None
) -> AcuRule | PercentOfMaxAcuRule | P99ToPeakAcuRule:
    """Pick the demand rule for a CSV series from its unit.

    Args:
        series: the series.
        max_acu: ``--max-acu``, the base of unit ``percent``.
        peak_acu: ``--peak-acu`` (checked by :func:`check_peak_acu`), or None.

    Returns:
        ``acu`` as is; ``percent`` of ``max_acu``; otherwise p99 mapped to ``peak_acu``.

    Raises:
        CliInputError: ``--peak-acu`` is needed and missing.
    """
    if series.unit == "acu":
        return AcuRule()
    if series.unit == "percent":
        return PercentOfMaxAcuRule(max_acu=max_acu)
    if peak_acu is None:
        raise CliInputError(
            f"--peak-acu is required for unit {series.unit!r}: the series' p99 is mapped to that many ACU"
        )
    return P99ToPeakAcuRule(peak_acu=peak_acu)


def check_peak_acu(peak_acu: float | None) -> None:
    """Reject a ``--peak-acu`` that is not a finite number > 0, whatever the CSV's unit.

    Args:
        peak_acu: the option's value, or None.

    Raises:
        CliInputError: ``--peak-acu must be a finite number > 0, got -1``.
    """
    if peak_acu is not None and not (math.isfinite(peak_acu) and peak_acu > 0):
        raise CliInputError(f"--peak-acu must be a finite number > 0, got {peak_acu:g}")


def signals_read(report: IngestReport) -> str:
    """The signals an upload holds, each once with its unit: ``CPUUtilization (percent), ...``."""
    return ", ".join(dict.fromkeys(f"{s.signal} ({s.unit})" for s in report.signals)) or "none"


def unused_rates(report: IngestReport, rates: Mapping[str, float]) -> dict[str, str]:
    """The ``--rate`` coefficients that map no signal, each with why.

    A coefficient maps the signal of its exact name when that signal is a rate (unit
    ``per_s``, or ``count`` other than ``DatabaseConnections``: ``traces.signals``); any
    other is ignored by the mapping, so the CLI says so instead.

    Args:
        report: the ingest report (the signals as read, in their own units).
        rates: signal name -> ACU-seconds per event.

    Returns:
        Name -> reason, e.g. ``the input has no signal 'Nope'; it has: CPUUtilization
        (percent)``; empty when every coefficient maps a rate signal.
    """
    from traces import DemandMappingError
    from traces.signals import signal_kind

    units: dict[str, str] = {}
    for s in report.signals:
        units.setdefault(s.signal, s.unit)
    out = {}
    for name in rates:
        if name not in units:
            like = next((n for n in units if n.lower() == name.lower()), None)
            hint = f" (names are case-sensitive: {like!r}?)" if like else ""
            out[name] = f"the input has no signal {name!r}{hint}; it has: {signals_read(report)}"
            continue
        try:
            kind: str | None = signal_kind(name, units[name])
        except DemandMappingError:
            kind = None
        if kind != "rate":
            out[name] = (
                f"signal {name!r} is in {units[name]}, not a rate: a coefficient costs the events of a "
                "signal in per_s or count (e.g. Queries)"
            )
    return out


def peak_unused(report: IngestReport, rates: Mapping[str, float]) -> str | None:
    """Why ``--peak-acu`` maps no signal, or None when one takes it.

    It maps a ``per_s`` or ``relative`` signal without a ``--rate`` (its p99 becomes that
    many ACU); every other signal has its own mapping.

    Args:
        report: the ingest report (the signals as read, in their own units).
        rates: signal name -> ACU-seconds per event (``--rate`` and the config file's).

    Returns:
        E.g. ``no signal is a rate or relative series without a --rate, the only ones it
        maps; the input has: CPUUtilization (percent)``; None when it is used.
    """
    if any(s.unit in ("per_s", "relative") and s.signal not in rates for s in report.signals):
        return None
    return (
        "no signal is a rate or relative series without a --rate, the only ones it maps; the input "
        f"has: {signals_read(report)}"
    )


def check_step_s(step_s: int, plan_step_s: int) -> None:
    """Check ``--step-s`` with the step rule of :func:`policy.steps.check_step_s`.

    Args:
        step_s: the option's value, seconds (>= 1, checked by typer).
        plan_step_s: ``PolicyConfig.plan_step_s``, seconds.

    Raises:
        CliInputError: e.g. ``--step-s: step_s=7 must divide the plan step plan_step_s=900:
            e.g. 60, 300, 900``.
    """
    try:
        check_step_rule(step_s, plan_step_s)
    except InvalidRequestError as exc:
        raise CliInputError(f"--step-s: {exc}") from None


def parse_now(text: str | None) -> datetime | None:
    """Parse ``--now``.

    Args:
        text: the option's value, or None.

    Returns:
        The aware timestamp, or None.

    Raises:
        CliInputError: not ISO 8601, or without a UTC offset.
    """
    if text is None:
        return None
    try:
        now = parse_iso(text)
    except ValueError as exc:
        raise CliInputError(f"--now: {exc}") from None
    if now.tzinfo is None:
        raise CliInputError(f"--now: {text!r} has no UTC offset (e.g. 2024-05-06T12:00:00Z)")
    return now


EXTRAS: Final[dict[str, str]] = {"matplotlib": "bench", "distributed": "bench"}
"""Optional packages -> the ``acuplan`` extra that installs them (``pyproject.toml``)."""


def require_extra(module: str, what: str) -> None:
    """Check that an optional package is installed before any long work.

    Args:
        module: the package's import name, a key of :data:`EXTRAS`.
        what: the command or option that needs it, e.g. ``--html``.

    Raises:
        CliInputError: ``--html needs matplotlib: pip install 'acuplan[bench]'``.
    """
    if importlib.util.find_spec(module) is None:
        raise CliInputError(f"{what} needs {module}: pip install 'acuplan[{EXTRAS[module]}]'")


def check_listen(host: str, port: int) -> None:
    """Bind ``host:port`` once, as uvicorn will (with SO_REUSEADDR), then release it.

    Args:
        host: bind address (IPv6 when it contains ``:``).
        port: bind port.

    Raises:
        CliInputError: ``cannot listen on 127.0.0.1:8000: Address already in use``.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        where = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
        raise CliInputError(f"cannot listen on {where}: {exc.strerror or exc}") from None


_OPTION_NAMES: dict[str, str] = {
    "limits.max_acu": "--max-acu",
    "read_frac": "--read-frac",
    "replan_every_s": "--replan-every-min",
    "peak_acu": "--peak-acu",
    "max_acu": "--max-acu",
}
"""Model field paths built from CLI options -> the option to blame in messages."""


def fail(message: str) -> NoReturn:
    """Print ``error: <message>`` (one line) on stderr and exit with code 2."""
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(code=2)


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        where = _OPTION_NAMES.get(path, path)
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn input errors into one ``error:`` line on stderr and exit code 2.

    A closed stdout (``acuplan traces | head -1``) is not an input error: it propagates to
    click, which exits with code 1 without a message.
    """
    try:
        yield
    except ValidationError as exc:
        fail(_validation_message(exc))
    except BrokenPipeError:
        raise
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}" if exc.filename else str(exc))
    except ValueError as exc:
        if not (is_input_error(exc) or isinstance(exc, CliInputError)):
            raise
        fail(str(exc))
