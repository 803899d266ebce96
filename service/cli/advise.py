"""``acuplan advise``: one answer about your cluster from its history and today's settings.

Owns :func:`advise_command` (registered by :mod:`service.cli.main`). Reads a bundled trace, or
the cluster's own metric exports (``--input``, repeatable, ``--csv`` its alias: every format
``acuplan recommend`` reads) through the path ``recommend`` takes,
:func:`service.cli.exports.exports_history`: demand per step is the max over the signals'
ACU equivalents; ``DatabaseConnections`` and ``VolumeBytesUsed`` go on the same grid to
:func:`policy.advice.advise.advise` (the ``connections`` alert; storage and its growth).
Builds today's settings from the options, runs the advice and prints the comparison, with
what was read first and the ingest's flags (partial queries, statistics, offset grids,
missing steps) among the reasons; ``--json`` writes the whole advice (with the timetable
as EventBridge Scheduler commands and Terraform) and ``--html`` one self-contained page.
Bad input (percent or ``FreeableMemory`` without ``--max-acu`` too, and a ``--rate``,
``--peak-acu`` or ``--signal`` that changes nothing for the exports, by ``recommend``'s
rule: :func:`service.cli.exports.check_unused_options`, a cluster id that AWS would
reject as the commands' ``DbClusterIdentifier``, and exports naming no cluster without
``--cluster-id``: never a made-up id in the commands) is one ``error:``
line and exit code 2, checked before the (tens of seconds long) replay; so is a
``ServerlessDatabaseCapacity`` or ``ACUUtilization`` above ``--max-acu`` (the MaxCapacity
given is not the cluster's). The replay's progress goes to stderr: a bar per replay on a
terminal, else one start line with the re-plans, then a line every 10 % of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from placement import CapacityLimits, Topology, az_id_prefix
from policy import ClusterSpec, InvalidRequestError, ReplayConfig, ScalerModel
from policy.advice.prices import US_EAST_1, unpriced_region
from policy.advice.types import Advice, AdviceConfig, CurrentSettings, ReaderSetting
from policy.aws_names import db_cluster_identifier_problem
from policy.scaler import RAMP_PROFILES
from service.cli.exports import (
    ExportsHistory,
    FormatOption,
    InputsOption,
    PeakOption,
    PriceOption,
    RateOption,
    SignalOption,
    check_cluster_id,
    check_engine,
    check_format,
    check_price,
    check_unused_options,
    check_zone_option,
    exports_history,
    file_cluster,
    ingest_lines,
    parse_pairs,
)
from service.cli.inputs import (
    CliInputError,
    check_finite,
    check_peak_acu,
    check_trace,
    input_errors,
    require_extra,
)
from service.cli.output import check_output_paths, write_json_atomic, write_text_atomic
from service.inputs.bundled import bundled_replay_inputs
from service.inputs.history import plan_span_s
from service.inputs.signals import capacity_series, capped_steps, side_series
from traces import SignalRules


def _readers(text: str) -> tuple[ReaderSetting, ...]:
    """``use1-az2:1,use1-az4:15`` -> readers (AZ ID and promotion tier); ``none`` -> none."""
    if text.strip().lower() == "none":
        return ()
    if not text.strip():
        raise CliInputError("--readers: empty; give AZ_ID:TIER,... (e.g. use1-az2:1) or none")
    out = []
    for part in text.split(","):
        az, _, tier = part.strip().partition(":")
        if not az or not tier.isdigit():
            raise CliInputError(f"--readers: {part.strip()!r} is not AZ_ID:TIER (e.g. use1-az2:1)")
        try:
            out.append(ReaderSetting(az_id=az, promotion_tier=int(tier)))
        except ValidationError as exc:
            reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            raise CliInputError(f"--readers: {part.strip()!r}: {reasons}") from None
    return tuple(out)


def _region_topology(region: str) -> Topology:
    """The cluster's region with AZ IDs of it: us-east-1's defaults, else ``<prefix>-az1`` to ``-az3``.

    ``--region`` is checked first (:func:`_check_region`: a region name, priced by the
    built-in table or ``--price``); a region has at least three AZs (AWS "Regions and
    Availability Zones", https://aws.amazon.com/about-aws/global-infrastructure/regions_az/).
    The AZ IDs label the writer and the default reader (``<prefix>-az2``); they do not change
    a price.
    """
    if region == US_EAST_1:
        return Topology()
    prefix = az_id_prefix(region)
    az_ids = tuple(f"{prefix}-az{i}" for i in (1, 2, 3))
    return Topology(region=region, az_ids=az_ids, writer_az_id=az_ids[0])


def _check_region(region: str | None, price: float | None) -> str:
    """``--region`` (default us-east-1) when it can be priced: by the built-in table or ``--price``.

    Args:
        region: ``--region``, or None when not given.
        price: ``--price``, USD per ACU-hour (already checked), or None when not given.

    Raises:
        CliInputError: a name that is no AWS region name (:func:`placement.az_id_prefix`); a
            region without a built-in price and without ``--price``, naming the known ones and
            ``--price`` (advice prices every replay, saving and purchase option with it, so it
            never assumes another region's rate), e.g. ``--region: no built-in Aurora price for
            'eu-central-1' (known: eu-west-2, us-east-1); give the cluster's price with --price
            (USD per ACU-hour)``.
    """
    if region is None:
        return US_EAST_1
    try:
        az_id_prefix(region)
    except ValueError as exc:
        raise CliInputError(f"--region: {exc}") from None
    problem = unpriced_region(region)
    if problem is not None and price is None:
        raise CliInputError(f"--region: {problem}; give the cluster's price with --price (USD per ACU-hour)")
    return region


def _check_aws_cluster_id(cluster_id: str, *, given: bool) -> None:
    """Refuse a cluster id that AWS would reject as the timetable's ``DbClusterIdentifier``.

    Every command ``advise`` prints or writes (the EventBridge Scheduler targets'
    ``DbClusterIdentifier``, ``modify-db-cluster --db-cluster-identifier``, the Terraform)
    addresses the cluster by this id, so it must pass AWS's rule
    (:func:`policy.aws_names.db_cluster_identifier_problem`, the rule the HTTP actions and
    advice endpoints apply); AWS would otherwise reject each schedule when it fires.

    Args:
        cluster_id: the id the advice is for.
        given: True when ``--cluster-id`` gave it, False when the exports' ``cluster_id`` did.

    Raises:
        CliInputError: e.g. ``--cluster-id: 'Billing DB_prod' is not a valid Aurora
            DBClusterIdentifier (1-63 letters, ...); the timetable's commands address the
            cluster by it: give its identifier in AWS (e.g. --cluster-id billing-db)``.
    """
    problem = db_cluster_identifier_problem(cluster_id)
    if problem is None:
        return
    said = "the timetable's commands address the cluster by it: give its identifier in AWS"
    if given:
        raise CliInputError(f"--cluster-id: {problem}; {said} (e.g. --cluster-id billing-db)")
    raise CliInputError(f"the exports' cluster_id {problem}; {said} with --cluster-id (e.g. billing-db)")


def _exports_cluster(read: ExportsHistory) -> str:
    """The cluster the exports name, the id the timetable's commands address (no ``--cluster-id`` given).

    Args:
        read: the exports as read (their ``cluster_id`` column, when they have one).

    Returns:
        The one ``cluster_id`` the rows name, checked by AWS's rule (:func:`_check_aws_cluster_id`).

    Raises:
        CliInputError: the rows name no cluster (an AWS ``Timestamp,Value`` export, a canonical
            CSV without ``cluster_id``): never a made-up id, which the printed
            ``aws scheduler create-schedule``, ``modify-db-cluster`` and Terraform would apply
            to whatever cluster has it, e.g. ``--cluster-id: the input names no cluster (no
            cluster_id in its rows); give --cluster-id, the DBClusterIdentifier the commands
            will target (e.g. --cluster-id billing-db)``; or an id AWS rejects.
    """
    named = file_cluster(read.report)
    if named is None:
        raise CliInputError(
            "--cluster-id: the input names no cluster (no cluster_id in its rows); give --cluster-id, the "
            "DBClusterIdentifier the commands will target (e.g. --cluster-id billing-db)"
        )
    _check_aws_cluster_id(named, given=False)
    return named


_OPTIONS = {
    "min_capacity_acu": "--min-acu",
    "max_capacity_acu": "--max-acu",
    "seconds_until_auto_pause": "--pause-after-s",
    "readers": "--readers",
    "monthly_budget_usd": "--budget-usd-per-month",
    "storage_gib": "--storage-gib",
    "schedule_timezone": "--timezone",
}
"""CurrentSettings and AdviceConfig fields -> the option that sets them."""


_SETTING_OPTIONS = {
    "current.readers": "--readers",
    "current.min_capacity_acu": "--min-acu",
    "current.max_capacity_acu": "--max-acu",
}
"""Fields of the library's checks of today's settings -> the option that sets them."""


def _options_named(exc: ValidationError) -> str:
    """The validation errors of today's settings or the advice options, naming the options."""
    parts = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        field = str(err["loc"][0]) if err["loc"] else ""
        for name, option in _OPTIONS.items():
            msg = msg.replace(name, option)
        parts.append(f"{_OPTIONS.get(field, field)}: {msg}" if field else msg)
    return "; ".join(parts)


def _ingest_reasons(read: ExportsHistory, advice: Advice) -> tuple[str, ...]:
    """The ingest's flags as sentences for the advice's reasons (empty: nothing to say).

    The ingest's note on connections (``traces.signals.connections_note``) is left out where
    the advice has a ``connections`` alert: the alert says the same with its remedy.
    """
    built, report = read.built, read.report
    alerted = any(a.kind == "connections" for a in advice.alerts)
    notes = () if alerted else built.combined.notes
    out = [f"data quality: {flag}" for flag in report.source_flags]
    out += [f"inputs: {w}" for w in (*report.warnings, *built.combined.warnings, *notes)]
    missing = int(np.isnan(built.history_acu).sum())
    if missing:
        n = len(built.history_acu)
        out.append(
            f"data quality: {missing:,} of {n:,} {built.step_s}-s steps ({missing / n:.1%}) have no demand "
            "sample"
        )
    return tuple(out)


class _StartLine:
    """The replay's progress when stderr is not a terminal: a start line, then a line every 10 %.

    ``policy.advise`` reports ``acuplan``'s re-plans every 1 %; the first report gives the
    count and prints the start line, then each tenth of the re-plans done prints one plain
    line (``advise: 68 of 672 re-plans done (10%, 1:12 elapsed)``), so a log or a pipe shows
    a long run moving (a 30-day 1-minute export replays for many minutes). No time estimate:
    the first re-plans forecast from the least history (a re-plan costs more as the history
    grows to ``ForecastConfig.max_history_s``), so the pace of the first ones under-estimated
    a 52-s run as 9 s; the README gives measured run times.
    """

    def __init__(self, max_history_s: int) -> None:
        self.max_history_s = max_history_s
        self.said = False
        self.tenths = 0
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != "acuplan" or total <= 0:
            return
        if not self.said:
            self.said = True
            self.started = time.monotonic()
            typer.echo(  # unwrapped, whatever the width: one line
                f"advise: replaying acuplan's {total:,} hourly re-plans (each forecasts from up to "
                f"{self.max_history_s / 86_400:g} days of history), then the perfect-foresight bound",
                err=True,
            )
        tenths = min(done, total) * 10 // total
        if tenths > self.tenths:
            self.tenths = tenths
            elapsed = int(time.monotonic() - self.started)
            typer.echo(
                f"advise: {done:,} of {total:,} re-plans done ({tenths * 10}%, "
                f"{elapsed // 60}:{elapsed % 60:02d} elapsed)",
                err=True,
            )


@contextmanager
def _replay_progress(max_history_s: int) -> Iterator[Callable[[str, int, int], None]]:
    """The advice's progress on stderr (stdout stays the answer).

    ``max_history_s`` is the most history a re-plan forecasts from (for the start line).

    A terminal gets a rich bar per replay (re-plans done / total) and per stage; anything
    else a start line and a plain line every 10 % of acuplan's re-plans (:class:`_StartLine`).
    """
    err = Console(stderr=True)
    if not err.is_terminal:
        yield _StartLine(max_history_s)
        return
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def advise_command(
    trace: Annotated[str | None, typer.Option("--trace", help="Bundled trace name.")] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="A canonical trace CSV of one cluster (same as --input).")
    ] = None,
    inputs: InputsOption = None,
    format: FormatOption = None,
    signal: SignalOption = None,
    input_timezone: Annotated[
        str | None,
        typer.Option("--input-timezone", help="IANA zone of timestamps without an offset."),
    ] = None,
    rate: RateOption = None,
    cluster_id: Annotated[
        str | None,
        typer.Option(
            "--cluster-id",
            help="The cluster's DBClusterIdentifier in AWS, which the printed commands address (default: "
            "the exports' cluster_id; required when they name none); of exports naming several clusters, "
            "the one whose rows are read.",
        ),
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the advice JSON here.")] = None,
    html_path: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML page here.")
    ] = None,
    min_acu: Annotated[
        float, typer.Option("--min-acu", help="Today's MinCapacity, ACU (0.5 grid; 0 = auto-pause on).")
    ] = 0.5,
    max_acu: Annotated[
        float | None,
        typer.Option(
            "--max-acu",
            help="Today's MaxCapacity, ACU; required for percent and FreeableMemory inputs; "
            "default: the bundled trace's, else 128.",
        ),
    ] = None,
    readers: Annotated[
        str | None,
        typer.Option(
            "--readers",
            help="Today's readers as AZ_ID:TIER,... (or 'none'); default: one tier-1 reader in use1-az2.",
        ),
    ] = None,
    pause_after_s: Annotated[
        int | None,
        typer.Option(
            "--pause-after-s", help="SecondsUntilAutoPause (300-86400; default 300), only with --min-acu 0."
        ),
    ] = None,
    read_frac: Annotated[float | None, typer.Option("--read-frac", help="Read share of demand, 0-1.")] = None,
    peak_acu: PeakOption = None,
    budget: Annotated[
        float | None, typer.Option("--budget-usd-per-month", help="Alert above this monthly cost.")
    ] = None,
    storage_gib: Annotated[
        float,
        typer.Option("--storage-gib", help="Cluster storage, GiB (a VolumeBytesUsed input replaces it)."),
    ] = 0.0,
    ramp_profile: Annotated[
        str, typer.Option("--ramp-profile", help=f"Simulated scaler speed ({', '.join(RAMP_PROFILES)}).")
    ] = "default",
    engine: Annotated[
        str, typer.Option("--engine", help="aurora-postgresql or aurora-mysql (max_connections differs).")
    ] = "aurora-postgresql",
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="IANA zone of the timetable: slots on its wall clock, schedules run in it; default UTC.",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="The cluster's AWS region: prices its ACU-hours, storage and I/O (a region of the built-in "
            "price table, or any with --price); default us-east-1.",
        ),
    ] = None,
    price: PriceOption = None,
) -> None:
    """Your cluster against your settings: what to set, what it saves or costs, the risk, how to buy it.

    Replays today's settings, a MinCapacity timetable (read off acuplan's or the bound's floors) and the
    perfect-foresight bound over the cluster's history on one simulator of Aurora, and
    prices the capacity as serverless, provisioned, Reserved Instances, Database Savings
    Plans and a mixed cluster. The history is a bundled trace (--trace) or your exports
    (--input, repeatable; --csv): demand per step is the max over the signals' ACU
    equivalents (CPU and ACU utilisation of --max-acu, capacity, memory at 2 GiB per ACU,
    rates by --rate), DatabaseConnections feeds the connections alert and VolumeBytesUsed
    the storage; it needs the 2-day warm-up plus a day. --timezone puts the timetable on a
    zone's wall clock (e.g. Europe/Berlin), so office hours keep one entry across
    daylight-saving switches. --region prices it in that region (the built-in table's, or
    any other with --price, the cluster's USD per ACU-hour) and the answer says which region
    and rate it used.
    """
    from policy.advice.advise import advise
    from service.advice.report import advice_document, advice_html, advice_table, timetable_rows
    from service.advice.scheduler import fixed_setting, scheduler_commands

    with input_errors():
        paths = [*([csv] if csv else []), *(inputs or [])]
        if (trace is None) == (not paths):
            raise CliInputError(
                "give exactly one of --trace NAME or --csv FILE (or --input FILE, repeatable)"
            )
        check_cluster_id(cluster_id)
        if cluster_id is not None:
            _check_aws_cluster_id(cluster_id, given=True)
        check_price(price)  # recommend's rule
        region_name = _check_region(region, price)
        if trace is not None:
            export_only = {
                "--format": format, "--signal": signal, "--input-timezone": input_timezone,
                "--rate": rate, "--peak-acu": peak_acu, "--cluster-id": cluster_id,
            }  # fmt: skip
            given = [name for name, value in export_only.items() if value]
            if given:
                raise CliInputError(f"{', '.join(given)}: for --input/--csv exports, not --trace")
            check_trace("--trace", trace)
        for option, value in (
            ("--max-acu", max_acu),
            ("--read-frac", read_frac),
            ("--budget-usd-per-month", budget),
        ):
            check_finite(option, value)
        check_peak_acu(peak_acu)
        if pause_after_s is not None and min_acu != 0:  # Aurora pauses only at MinCapacity 0
            raise CliInputError(
                f"--pause-after-s {pause_after_s}: SecondsUntilAutoPause applies only to a cluster that "
                f"may pause (--min-acu 0), and --min-acu is {min_acu:g}"
            )
        check_format(format)
        in_zone = check_zone_option("--input-timezone", input_timezone)
        schedule_zone = check_zone_option("--timezone", timezone) or "UTC"
        rates = parse_pairs("--rate", rate or [], float)
        engine_name = check_engine(engine)
        if ramp_profile not in RAMP_PROFILES:
            raise CliInputError(
                f"--ramp-profile: unknown {ramp_profile!r}; choose from {', '.join(RAMP_PROFILES)}"
            )
        check_output_paths({"--json": json_path, "--html": html_path}, {"--csv": csv, "--input": inputs})
        if html_path is not None:
            require_extra("matplotlib", "--html")
        try:
            config = AdviceConfig(
                replay=ReplayConfig(scaler=ScalerModel(ramp=RAMP_PROFILES[ramp_profile])),
                monthly_budget_usd=budget,
                storage_gib=storage_gib,
                schedule_timezone=schedule_zone,
            )
        except ValidationError as exc:
            raise CliInputError(_options_named(exc)) from None
        read: ExportsHistory | None = None
        if trace is not None:
            demand, cluster = bundled_replay_inputs(trace, read_frac=read_frac)
            base_max = max_acu if max_acu is not None else cluster.limits.max_acu
            history, start, step_s = demand.demand_acu, demand.start, demand.step_s
            connections = volume = capacity = capped = None
        else:
            rules = SignalRules(max_acu=max_acu, min_acu=min_acu, acu_s_per_unit=rates, engine=engine_name)
            plan = config.replay.policy
            read = exports_history(
                paths, rules=rules, plan_step_s=plan.plan_step_s,
                plan_s=max(plan_span_s(plan.horizon_s, plan.plan_step_s), config.alert_horizon_s),
                format=format, tz=in_zone, signal=signal, peak_acu=peak_acu, cluster_id=cluster_id,
            )  # fmt: skip
            # as recommend: a --rate, --peak-acu, --signal or --input-timezone changing nothing is an error
            check_unused_options(
                paths, format, read.report, given_rates=rates, signal=signal, peak_acu=peak_acu,
                input_timezone=in_zone,
            )  # fmt: skip
            base_max = max_acu if max_acu is not None else 128.0
            history, start, step_s = read.built.history_acu, read.built.start, read.built.step_s
            connections = side_series(read.built, read.signals, "connections", rules)
            volume = side_series(read.built, read.signals, "volume", rules)
            capacity = capacity_series(read.built, read.signals, rules)
            capped = capped_steps(read.built, read.signals, rules)
            named = cluster_id or _exports_cluster(read)
            cluster = ClusterSpec(
                cluster_id=named,
                read_frac=0.5 if read_frac is None else read_frac,
            )
        if region_name != cluster.topology.region or price is not None:
            fields = cluster.model_dump(exclude={"topology", "price_usd_per_acu_hour"})
            if price is not None:  # else priced at the region's rate (ClusterSpec's rule)
                fields["price_usd_per_acu_hour"] = price
            topology = _region_topology(region_name) if region_name != cluster.topology.region else None
            cluster = ClusterSpec.model_validate({**fields, "topology": topology or cluster.topology})
        try:
            today: dict[str, object] = {
                "min_capacity_acu": min_acu,
                "max_capacity_acu": base_max,
                "seconds_until_auto_pause": 300 if pause_after_s is None else pause_after_s,
                "engine": engine_name,
            }
            if readers is not None:  # else the cluster's default (CurrentSettings.for_cluster)
                today["readers"] = _readers(readers)
            current = CurrentSettings.model_validate(today)
        except ValidationError as exc:
            raise CliInputError(_options_named(exc)) from None
        # auto-pause on today (--min-acu 0): acuplan's floors may keep it
        floor = 0.0 if min_acu == 0 else CapacityLimits.model_fields["min_acu"].default
        cluster = cluster.model_copy(update={"limits": CapacityLimits(min_acu=floor, max_acu=base_max)})
        try:
            with _replay_progress(config.replay.policy.forecast.max_history_s) as progress:
                advice = advise(
                    history,
                    start=start,
                    step_s=step_s,
                    cluster=cluster,
                    current=current,
                    config=config,
                    connections=connections,
                    volume_bytes=volume,
                    capacity_acu=capacity,
                    demand_capped=capped,
                    # a bundled trace is a sample from years ago: only your own exports can be stale
                    now=None if trace is not None else datetime.now(UTC),
                    progress=progress,
                )
        except InvalidRequestError as exc:
            field = exc.field or ""
            flag = next((o for f, o in _SETTING_OPTIONS.items() if field.startswith(f)), None)
            if flag is None:
                raise
            message = str(exc).replace(field, flag)
            if flag == "--max-acu" and max_acu is None:  # the value the user did not give
                message = message.replace(
                    f"--max-acu={base_max:g}",
                    f"MaxCapacity {base_max:g} (the default: --max-acu was not given)",
                )
            raise CliInputError(f"{flag}: {message}") from None
        if read is not None:
            if fixed_setting(advice.schedule) is None:  # a timetable of more than one level
                sets = "; the timetable's commands set MaxCapacity with every change, so give"
            elif not advice.keeps_today:  # a fixed setting: its one command
                sets = "; the command to apply sets MaxCapacity too, so give"
            else:  # today's setting kept: no command to apply, but every replay and alert capped there
                sets = ": the replays and alerts cap capacity there; give"
            assumed = (
                ()
                if max_acu is not None
                else (
                    f"MaxCapacity is taken as {base_max:g} ACU (--max-acu was not given){sets} your "
                    "cluster's own with --max-acu",
                )
            )
            advice = advice.model_copy(
                update={"reasons": advice.reasons + _ingest_reasons(read, advice) + assumed}
            )
    console = Console() if Console().is_terminal else Console(width=150)
    if read is not None:
        for line in ingest_lines(read.report, read.built.step_s):  # whole lines, as recommend prints them
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(advice_table(advice))
    if advice.floor_binds_for_nothing:  # the headline of a floor that only costs (the JSON has it too)
        console.print(f"- {advice.floor_binds_for_nothing}", markup=False)
    for line in advice.reasons:  # may quote signal names from the exports: no rich markup
        console.print(f"- {line}", markup=False)
    if fixed_setting(advice.schedule) is None:  # a timetable: say what it sets and when
        zone = "" if advice.schedule.timezone != "UTC" else " UTC"
        console.print(
            "timetable to apply (MinCapacity): "
            + "; ".join(f"{days} {at}{zone} {acu} ACU" for days, at, acu, _ in timetable_rows(advice)),
            markup=False,
        )
    elif not advice.keeps_today:  # a fixed setting: the one command (a timetable's are in --json)
        [command] = scheduler_commands(advice.schedule, advice.cluster_id)
        console.print(f"to apply: {command}", markup=False, highlight=False)
    if advice.cheapest_way is not None:
        console.print(advice.cheapest_way)
    console.print(f"({advice.break_even})")
    pause = advice.auto_pause
    if pause.saving_usd_per_month:  # worth saying only where pausing would save
        console.print(
            f"auto-pause (MinCapacity 0) would save ${pause.saving_usd_per_month:,.2f}/month: {pause.reason}"
        )
    for alert in advice.alerts:
        console.print(f"alert ({alert.kind}): {alert.message}")
    with input_errors():
        if json_path is not None:
            write_json_atomic(json_path, advice_document(advice))
        if html_path is not None:
            write_text_atomic(html_path, advice_html(advice))
