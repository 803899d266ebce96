"""The ``acuplan`` command line: list traces, replay policies, recommend for a cluster, serve HTTP.

Owns the typer app and :func:`main` (console script ``acuplan = service.cli.main:main``). This
is the only module that both loads trace files and calls ``policy``. Console output goes
through typer/rich here and nowhere else; progress and errors go to stderr.

Exit codes: 0 on success; 2 on a usage error (unknown command or option, missing or
malformed option value) or bad input (unknown trace, malformed file, invalid option
value, a domain input error, an output path that cannot be written, a port that cannot
be bound, a database that cannot be opened), reported as one line ``error: <message>`` on
stderr without a traceback. Bugs
keep their traceback. Options are checked before any long work (a replay takes tens of
seconds), and a report is printed before its ``--json`` file is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from policy.scaler import RAMP_PROFILES
from policy.trace_replay.report import POLICY_NAMES
from service.cli.advise import advise_command
from service.cli.bench import bench_command
from service.cli.flags import FlagCommand, FlagGroup
from service.cli.inputs import (
    CliInputError,
    capacity_limits,
    check_finite,
    check_listen,
    check_replan,
    check_trace,
    fail,
    input_errors,
    load_policy_config,
    load_server_settings,
    load_settings,
    parse_policies,
)
from service.cli.keys import keys_app
from service.cli.output import check_output_paths, write_json_atomic
from service.cli.recommend import recommend_command
from service.errors import one_line
from traces import list_bundled

if TYPE_CHECKING:
    from policy import ReplayReport
    from traces import DemandSeries

app = typer.Typer(
    cls=FlagGroup,
    name="acuplan",
    help="Capacity advice for Aurora Serverless v2: advise, recommend, replay, bench, serve.",
    rich_markup_mode="markdown",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.command("traces", cls=FlagCommand)
def traces_command() -> None:
    """List the bundled trace names, one per line."""
    with input_errors():
        for name in list_bundled():
            typer.echo(name)


def _run_replay(demand: DemandSeries, **kwargs: Any) -> ReplayReport:
    """Run ``policy.replay`` with a rich progress bar per policy on stderr."""
    import policy

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


def _stdout_console() -> Console:
    """Console for tables: the terminal's width, or 120 columns when piped (no cropping)."""
    console = Console()
    return console if console.is_terminal else Console(width=120)


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


REPLAY_COLUMNS: tuple[str, ...] = (
    "policy",
    "cost USD",
    "shortfall\nACU-h",
    "SLO-violation\nmin",
    "scaling\nactions",
    "cost vs\nbound",
    "SLO share\nof reactive",
)
"""The replay table's columns (two-line headers keep it within 120 columns)."""


def _replay_table(report: ReplayReport, ramp_profile: str) -> Table:
    table = Table(
        title=f"{report.trace}: {report.n_steps} steps of {report.step_s} s, ramp profile {ramp_profile}",
        caption=(
            f"scored {report.scored_from:%Y-%m-%d %H:%M} to {report.scored_until:%Y-%m-%d %H:%M} UTC; "
            f"re-plan every {report.replan_every_s // 60} min"
        ),
    )
    for header in REPLAY_COLUMNS:
        table.add_column(header, justify="left" if header == "policy" else "right")
    for name, s in report.scores.items():
        table.add_row(
            name,
            f"{s.cost_usd:,.2f}",
            f"{s.shortfall_acu_h:,.2f}",
            f"{s.slo_violation_min:,.1f}",
            str(s.scaling_actions),
            _fmt(s.cost_vs_bound, ".2f", "x"),
            _fmt(None if s.slo_share_of_reactive is None else s.slo_share_of_reactive * 100, ".0f", "%"),
        )
    return table


def check_ramp_profile(name: str) -> str:
    """Check ``--ramp-profile`` against ``policy.scaler.RAMP_PROFILES``.

    Raises:
        CliInputError: ``--ramp-profile: unknown 'x'; choose from fast, default, slow``.
    """
    if name not in RAMP_PROFILES:
        raise CliInputError(f"--ramp-profile: unknown {name!r}; choose from {', '.join(RAMP_PROFILES)}")
    return name


@app.command("replay", cls=FlagCommand)
def replay_command(
    trace: Annotated[str, typer.Option("--trace", help="Bundled trace name (see `acuplan traces`).")],
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the ReplayReport JSON here.")
    ] = None,
    policies: Annotated[
        str, typer.Option("--policies", help="Comma-separated policies to replay.")
    ] = ",".join(POLICY_NAMES),
    replan_every_min: Annotated[
        int,
        typer.Option(
            "--replan-every-min",
            min=1,
            help="Decision interval, minutes: a multiple of the trace step (5 min for every bundled "
            "trace), at most the planning horizon (180 min by default; ACUPLAN_HORIZON_S).",
        ),
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
    ramp_profile: Annotated[
        str,
        typer.Option(
            "--ramp-profile",
            help=f"How fast Aurora's scaler climbs and a MinCapacity change takes effect in the simulator "
            f"({', '.join(RAMP_PROFILES)}); acuplan plans for it.",
        ),
    ] = "default",
) -> None:
    """Replay policies over a bundled trace and print their cost, shortfall and SLO scores.

    The trace is mapped to ACU demand with its metadata's demand rule and regularised to
    its own step; every policy is then scored by ``policy.replay`` on the same simulator,
    whose scaler ramps at ``--ramp-profile`` (``policy.scaler.RAMP_PROFILES``).
    """
    from policy import ReplayConfig, ScalerModel
    from service.inputs.bundled import bundled_replay_inputs

    with input_errors():
        check_trace("--trace", trace)
        names = parse_policies(policies)
        profile = check_ramp_profile(ramp_profile)
        if max_acu is not None:
            capacity_limits(max_acu)
        check_finite("--read-frac", read_frac)
        check_output_paths({"--json": json_path}, {})  # a bundled trace: no input file
        demand, cluster = bundled_replay_inputs(trace, max_acu=max_acu, read_frac=read_frac)
        policy_config = load_policy_config()
        check_replan(replan_every_min, demand.step_s, policy_config)
        config = ReplayConfig(
            replan_every_s=replan_every_min * 60,
            policy=policy_config,
            scaler=ScalerModel(ramp=RAMP_PROFILES[profile]),
        )
        report = _run_replay(demand, cluster=cluster, config=config, policies=names, trace_name=trace)
    _stdout_console().print(_replay_table(report, profile))
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if json_path is not None:
        with input_errors():  # the table is printed even when this fails
            write_json_atomic(json_path, report.model_dump(mode="json"))


@app.command("serve", cls=FlagCommand)
def serve_command(
    host: Annotated[
        str | None, typer.Option("--host", help="Bind address; default ACUPLAN_HOST or 127.0.0.1.")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65_535, help="Bind port; default ACUPLAN_PORT or 8000.")
    ] = None,
) -> None:
    """Serve the HTTP API (``/v1``, probes, ``/metrics``) with uvicorn.

    Opens (and migrates) the database ``ACUPLAN_DATABASE_URL`` before it binds, so a bad
    URL, a corrupt file or a server that does not answer is one ``error:`` line naming it.
    Refuses a non-loopback ``--host`` while no API key was ever created (``acuplan keys
    create``); once one was, authentication stays on (all keys revoked: every ``/v1``
    request gets 401, and a warning says so at start).
    Logs are JSON lines with request ids (``ACUPLAN_LOG_FORMAT=text`` for plain text);
    on SIGTERM in-flight requests get ``ACUPLAN_SHUTDOWN_GRACE_S`` to finish.
    """
    import uvicorn

    from service.cli.database import check_serve_database
    from service.http.app import create_app
    from service.http.observability import configure_logging

    with input_errors():
        settings = load_settings()  # validates the policy configuration too
        server = load_server_settings()
        host, port, log_level = host or server.host, port or server.port, server.log_level
        warning = check_serve_database(host, settings)  # one open; before any bind beyond loopback
        check_listen(host, port)
    if warning is not None:
        typer.echo(f"warning: {warning}", err=True)
    # The library logs without handlers; the server process sets them up.
    log_config = configure_logging(log_level, server.log_format)
    try:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level=log_level,
            log_config=log_config,
            access_log=False,  # RequestMiddleware logs each request once, with its id
            timeout_graceful_shutdown=server.shutdown_grace_s,
        )
    except SystemExit as exc:  # uvicorn exits 1 when it cannot start (the port was taken since, or
        # the start-up failed after the checks above): the log above says which.
        if exc.code not in (0, None):
            fail(f"the server on {host}:{port} did not start (see the log above)")
        raise


app.add_typer(keys_app, name="keys")


app.command("bench", cls=FlagCommand)(bench_command)
app.command("recommend", cls=FlagCommand)(recommend_command)
app.command("advise", cls=FlagCommand)(advise_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``acuplan`` command line (console-script entry point).

    Click's usage errors (unknown command or option, missing or malformed value) are
    printed as one line ``error: <message>`` on stderr instead of typer's panel.

    Args:
        argv: the arguments after the program name; None reads ``sys.argv``.

    Returns:
        The exit code: 0 on success (and ``--help``), 2 on usage or input errors.
    """
    try:
        result = app(args=argv, prog_name="acuplan", standalone_mode=False)
    except typer.TyperException as exc:  # click's ClickException / UsageError (vendored by typer)
        if type(exc).__name__ == "NoArgsIsHelpError":  # typer has printed the help
            return 2
        typer.echo(f"error: {one_line(exc.format_message())}", err=True)
        return int(getattr(exc, "exit_code", 2))
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        return 1
    return result if isinstance(result, int) else 0
