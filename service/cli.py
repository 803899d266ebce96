"""The ``acuplan`` command line: list traces, replay policies, recommend from a CSV, serve HTTP.

Owns the typer app and :func:`main` (console script ``acuplan = service.cli:main``). This
is the only module that both loads trace files and calls ``policy``. Console output goes
through typer/rich here and nowhere else; progress and errors go to stderr.

Exit codes: 0 on success; 2 on a usage error (typer's own message) or bad input (unknown
trace, malformed file, invalid option value, a domain input error), reported as one line
``error: <message>`` on stderr without a traceback. Bugs keep their traceback.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import policy
from placement import CapacityLimits
from policy import POLICY_NAMES, ClusterSpec, PolicyConfig, Recommendation, ReplayConfig, ReplayReport
from service.bundled import bundled_replay_inputs
from service.errors import is_input_error, one_line
from service.history import history_until, series_end
from service.settings import get_settings
from traces import (
    AcuRule,
    DemandSeries,
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    TraceSeries,
    demand_series,
    list_bundled,
    load_trace,
)

app = typer.Typer(
    name="acuplan",
    help="Capacity policy engine for Aurora Serverless v2: replay, recommend, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

_OPTION_NAMES: dict[str, str] = {
    "limits.max_acu": "--max-acu",
    "read_frac": "--read-frac",
    "replan_every_s": "--replan-every-min",
    "peak_acu": "--peak-acu",
    "max_acu": "--max-acu",
}
"""Model field paths built from CLI options -> the option to blame in messages."""


class CliInputError(ValueError):
    """An option value or option combination the CLI rejects (one-line message)."""


def _fail(message: str) -> NoReturn:
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
def _input_errors() -> Iterator[None]:
    """Turn input errors into one ``error:`` line on stderr and exit code 2."""
    try:
        yield
    except ValidationError as exc:
        _fail(_validation_message(exc))
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}" if exc.filename else str(exc))
    except ValueError as exc:
        if not (is_input_error(exc) or isinstance(exc, CliInputError)):
            raise
        _fail(str(exc))


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` without ever leaving a half-written file.

    The text is serialised first, written to a temporary file in the same directory,
    flushed to disk, then renamed over ``path`` (atomic on POSIX). On any failure the
    temporary file is removed and an existing ``path`` is untouched.

    Args:
        path: destination file.
        data: JSON-serialisable data (e.g. ``model.model_dump(mode="json")``).

    Raises:
        OSError: the directory does not exist or is not writable.
    """
    text = json.dumps(data, indent=2) + "\n"
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@app.command("traces")
def traces_command() -> None:
    """List the bundled trace names, one per line."""
    with _input_errors():
        for name in list_bundled():
            typer.echo(name)


def _parse_policies(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in POLICY_NAMES]
    if unknown or not names:
        raise CliInputError(f"--policies: got {text!r}; choose from {', '.join(POLICY_NAMES)}")
    return names


def _run_replay(demand: DemandSeries, **kwargs: Any) -> ReplayReport:
    """Run ``policy.replay`` with a rich progress bar per policy on stderr."""
    columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        tasks: dict[str, Any] = {}

        def report(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=done, total=total)

        return policy.replay(
            demand.demand_acu, start=demand.start, step_s=demand.step_s, progress=report, **kwargs
        )


def _policy_config() -> PolicyConfig:
    """The policy configuration from ``ACUPLAN_*`` settings; bad variables are input errors."""
    try:
        return get_settings().to_policy_config()
    except ValidationError as exc:
        raise CliInputError(f"invalid ACUPLAN_* environment: {_validation_message(exc)}") from None


def _stdout_console() -> Console:
    """Console for tables: the terminal's width, or 120 columns when piped (no cropping)."""
    console = Console()
    return console if console.is_terminal else Console(width=120)


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def _replay_table(report: ReplayReport) -> Table:
    table = Table(
        title=f"{report.trace}: {report.n_steps} steps of {report.step_s} s",
        caption=(
            f"scored {report.scored_from:%Y-%m-%d %H:%M} to {report.scored_until:%Y-%m-%d %H:%M} UTC; "
            f"re-plan every {report.replan_every_s // 60} min"
        ),
    )
    for header in (
        "policy",
        "cost USD",
        "shortfall ACU-h",
        "SLO-violation min",
        "scaling actions",
        "cost vs oracle",
    ):
        table.add_column(header, justify="left" if header == "policy" else "right")
    for name, s in report.scores.items():
        table.add_row(
            name,
            f"{s.cost_usd:,.2f}",
            f"{s.shortfall_acu_h:,.2f}",
            f"{s.slo_violation_min:,.1f}",
            str(s.scaling_actions),
            _fmt(s.cost_vs_oracle, ".2f", "x"),
        )
    return table


@app.command("replay")
def replay_command(
    trace: Annotated[str, typer.Option("--trace", help="Bundled trace name (see `acuplan traces`).")],
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the ReplayReport JSON here.")
    ] = None,
    policies: Annotated[
        str, typer.Option("--policies", help="Comma-separated policies to replay.")
    ] = ",".join(POLICY_NAMES),
    replan_every_min: Annotated[
        int, typer.Option("--replan-every-min", min=1, help="Decision interval, minutes.")
    ] = 60,
    max_acu: Annotated[
        float | None,
        typer.Option(
            "--max-acu",
            help="Cluster MaxCapacity, ACU (0.5 grid); default: the max ACU a percent trace is "
            "measured against, else 128.",
        ),
    ] = None,
    read_frac: Annotated[
        float | None,
        typer.Option("--read-frac", help="Read share of demand, 0-1; default: trace metadata or 0.5."),
    ] = None,
) -> None:
    """Replay policies over a bundled trace and print their cost, shortfall and SLO scores.

    The trace is mapped to ACU demand with its metadata's demand rule and regularised to
    its own step; every policy is then scored by ``policy.replay`` on the same simulator.
    """
    with _input_errors():
        names = _parse_policies(policies)
        demand, cluster = bundled_replay_inputs(trace, max_acu=max_acu, read_frac=read_frac)
        config = ReplayConfig(replan_every_s=replan_every_min * 60, policy=_policy_config())
        report = _run_replay(demand, cluster=cluster, config=config, policies=names, trace_name=trace)
        if json_path is not None:
            write_json_atomic(json_path, report.model_dump(mode="json"))
    _stdout_console().print(_replay_table(report))


def _demand_rule(
    series: TraceSeries, max_acu: float, peak_acu: float | None
) -> AcuRule | PercentOfMaxAcuRule | P99ToPeakAcuRule:
    if series.unit == "acu":
        return AcuRule()
    if series.unit == "percent":
        return PercentOfMaxAcuRule(max_acu=max_acu)
    if peak_acu is None:
        raise CliInputError(
            f"--peak-acu is required for unit {series.unit!r}: the series' p99 is mapped to that many ACU"
        )
    return P99ToPeakAcuRule(peak_acu=peak_acu)


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        raise CliInputError(f"--now: {text!r} is not an ISO 8601 timestamp") from None
    if now.tzinfo is None:
        raise CliInputError(f"--now: {text!r} has no UTC offset (e.g. 2024-05-06T12:00:00Z)")
    return now


def _summary(rec: Recommendation) -> list[str]:
    solver = rec.solver
    lines = [
        f"cluster {rec.cluster_id}: plan for {len(rec.steps)} x {rec.step_s} s "
        f"from {rec.generated_at:%Y-%m-%dT%H:%MZ}",
        f"forecast model: {rec.forecast_model}; risk quantile p{rec.risk_quantile * 100:g}",
        f"solver: {solver.status.value} in {solver.solve_time_s:.2f} s (gap {solver.gap:.1%})"
        + ("; FAIL-SAFE plan" if rec.is_fail_safe else ""),
        f"expected cost: ${rec.expected_cost_usd:,.2f}",
        "floor schedule (MinCapacity / MaxCapacity, ACU):",
        *(
            f"  {c.at:%Y-%m-%d %H:%M}Z  {c.min_capacity_acu:g} / {c.max_capacity_acu:g}"
            for c in rec.settings.capacity_changes
        ),
        f"readers: {len(rec.settings.readers) or 'none'}",
        *(
            f"  {r.az_id} tier {r.promotion_tier} {r.role} {r.needed_from:%H:%M}-{r.needed_until:%H:%M}Z"
            for r in rec.settings.readers
        ),
        *(f"reason: {r}" for r in rec.reasons),
        *(f"warning: {w}" for w in rec.warnings),
    ]
    return lines


@app.command("recommend")
def recommend_command(
    csv: Annotated[
        Path, typer.Option("--csv", help="Canonical trace CSV (ts,cluster_id,signal,unit,value).")
    ],
    now: Annotated[
        str | None,
        typer.Option("--now", help="Decision time, ISO 8601 with offset; default: end of the data."),
    ] = None,
    step_s: Annotated[int, typer.Option("--step-s", min=1, help="History step, seconds.")] = 300,
    max_acu: Annotated[
        float, typer.Option("--max-acu", help="Cluster MaxCapacity, ACU; also the base of unit 'percent'.")
    ] = 128.0,
    peak_acu: Annotated[
        float | None,
        typer.Option("--peak-acu", help="ACU the series' p99 maps to (units per_s and relative)."),
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the Recommendation JSON here.")
    ] = None,
) -> None:
    """Recommend ACU floors and readers from a one-series trace CSV and print a summary.

    The CSV's unit picks the demand mapping: ``acu`` as is; ``percent`` of ``--max-acu``
    (AWS measures Serverless v2 CPU against MaxCapacity); ``per_s`` and ``relative``
    scaled so the series' p99 is ``--peak-acu``. Data at or after ``--now`` is ignored.
    """
    with _input_errors():
        trace = load_trace(csv)
        if len(trace) != 1:
            raise CliInputError(
                f"{csv.name}: recommend needs one series, the file has {len(trace)}: {trace.keys()}"
            )
        series = trace.single()
        rule = _demand_rule(series, max_acu, peak_acu)
        demand = demand_series(series, step_s=step_s, rule=rule)
        at = _parse_now(now) or series_end(demand)
        cluster = ClusterSpec(cluster_id=series.cluster_id, limits=CapacityLimits(max_acu=max_acu))
        rec = policy.recommend(
            history_until(demand, at),
            now=at,
            step_s=step_s,
            cluster=cluster,
            config=_policy_config(),
        )
        if json_path is not None:
            write_json_atomic(json_path, rec.model_dump(mode="json"))
    for line in _summary(rec):
        typer.echo(line)


@app.command("serve")
def serve_command(
    host: Annotated[
        str | None, typer.Option("--host", help="Bind address; default ACUPLAN_HOST or 127.0.0.1.")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65_535, help="Bind port; default ACUPLAN_PORT or 8000.")
    ] = None,
) -> None:
    """Serve the HTTP API (``POST /v1/recommendations``, ``GET /healthz``) with uvicorn."""
    import uvicorn

    from service.app import create_app

    with _input_errors():
        _policy_config()
        settings = get_settings()
    # The library logs without handlers (STYLE.md "Errors"); the server process sets them up.
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


def main() -> None:
    """Run the ``acuplan`` command line (console-script entry point)."""
    app()
