"""``acuplan advise``: one answer about your cluster from its history and today's settings.

Owns :func:`advise_command` (registered by :mod:`service.cli.main`). Reads a bundled trace or a
canonical CSV, builds today's settings from the options, runs
:func:`policy.advice.advise.advise` and prints the comparison; ``--json`` writes the whole
advice (with the timetable as EventBridge Scheduler commands and Terraform) and ``--html``
one self-contained page. Bad input is one ``error:`` line and exit code 2, checked before
the (tens of seconds long) replay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from placement import CapacityLimits
from policy import ClusterSpec, ReplayConfig, ScalerModel
from policy.advice.types import AdviceConfig, CurrentSettings, ReaderSetting
from policy.scaler import RAMP_PROFILES
from service.cli.inputs import (
    CliInputError,
    check_finite,
    check_peak_acu,
    demand_rule,
    input_errors,
    require_extra,
)
from service.cli.output import check_output_path, write_json_atomic, write_text_atomic
from service.inputs.bundled import bundled_replay_inputs
from traces import DemandSeries, demand_series, load_trace
from traces.folder import infer_step_s


def _readers(text: str) -> tuple[ReaderSetting, ...]:
    """``use1-az2:1,use1-az4:15`` -> readers (AZ ID and promotion tier); ``none`` -> none."""
    if text.strip().lower() in ("", "none"):
        return ()
    out = []
    for part in text.split(","):
        az, _, tier = part.strip().partition(":")
        if not az or not tier.isdigit():
            raise CliInputError(f"--readers: {part.strip()!r} is not AZ_ID:TIER (e.g. use1-az2:1)")
        out.append(ReaderSetting(az_id=az, promotion_tier=int(tier)))
    return tuple(out)


_OPTIONS = {
    "min_capacity_acu": "--min-acu",
    "max_capacity_acu": "--max-acu",
    "seconds_until_auto_pause": "--pause-after-s",
    "readers": "--readers",
}
"""CurrentSettings fields -> the option that sets them."""


def _options_named(exc: ValidationError) -> str:
    """The validation errors of today's settings, naming the options instead of the fields."""
    parts = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        field = str(err["loc"][0]) if err["loc"] else ""
        for name, option in _OPTIONS.items():
            msg = msg.replace(name, option)
        parts.append(f"{_OPTIONS.get(field, field)}: {msg}" if field else msg)
    return "; ".join(parts)


def _csv_demand(path: Path, max_acu: float, peak_acu: float | None) -> tuple[DemandSeries, str]:
    series = load_trace(path).series
    if len(series) != 1:
        raise CliInputError(f"--csv: {path.name} holds {len(series)} series; advise takes one cluster")
    one = series[0]
    return demand_series(
        one, step_s=infer_step_s(one), rule=demand_rule(one, max_acu, peak_acu)
    ), one.cluster_id


def advise_command(
    trace: Annotated[str | None, typer.Option("--trace", help="Bundled trace name.")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Canonical trace CSV of one cluster.")] = None,
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
            "--max-acu", help="Today's MaxCapacity, ACU; default: the trace's percent base, else 128."
        ),
    ] = None,
    readers: Annotated[
        str, typer.Option("--readers", help="Today's readers as AZ_ID:TIER,... (or 'none').")
    ] = "use1-az2:1",
    pause_after_s: Annotated[
        int, typer.Option("--pause-after-s", help="SecondsUntilAutoPause (300-86400), used at MinCapacity 0.")
    ] = 300,
    read_frac: Annotated[float | None, typer.Option("--read-frac", help="Read share of demand, 0-1.")] = None,
    peak_acu: Annotated[
        float | None,
        typer.Option("--peak-acu", help="ACU a CSV's p99 maps to (units other than acu/percent)."),
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget-usd-per-month", help="Alert above this monthly cost.")
    ] = None,
    storage_gib: Annotated[float, typer.Option("--storage-gib", help="Cluster storage, GiB.")] = 0.0,
    ramp_profile: Annotated[
        str, typer.Option("--ramp-profile", help=f"Simulated scaler speed ({', '.join(RAMP_PROFILES)}).")
    ] = "default",
) -> None:
    """Your cluster against your settings: what to set, what it saves or costs, the risk, how to buy it.

    Replays today's settings, a MinCapacity timetable read off acuplan and the
    perfect-foresight bound over the cluster's history on one simulator of Aurora, and
    prices the capacity as serverless, provisioned, Reserved Instances, Database Savings
    Plans and a mixed cluster.
    """
    from policy.advice.advise import advise
    from service.advice.report import advice_document, advice_html, advice_table

    with input_errors():
        if (trace is None) == (csv is None):
            raise CliInputError("give exactly one of --trace NAME or --csv FILE")
        for option, value in (
            ("--max-acu", max_acu),
            ("--read-frac", read_frac),
            ("--budget-usd-per-month", budget),
        ):
            check_finite(option, value)
        check_peak_acu(peak_acu)
        if ramp_profile not in RAMP_PROFILES:
            raise CliInputError(
                f"--ramp-profile: unknown {ramp_profile!r}; choose from {', '.join(RAMP_PROFILES)}"
            )
        for path in (json_path, html_path):
            if path is not None:
                check_output_path(path)
        if html_path is not None:
            require_extra("matplotlib", "--html")
        if trace is not None:
            demand, cluster = bundled_replay_inputs(trace, read_frac=read_frac)
            base_max = max_acu if max_acu is not None else cluster.limits.max_acu
        else:
            assert csv is not None
            base_max = max_acu if max_acu is not None else 128.0
            demand, cluster_id = _csv_demand(csv, base_max, peak_acu)
            cluster = ClusterSpec(cluster_id=cluster_id, read_frac=0.5 if read_frac is None else read_frac)
        try:
            current = CurrentSettings(
                min_capacity_acu=min_acu,
                max_capacity_acu=base_max,
                readers=_readers(readers),
                seconds_until_auto_pause=pause_after_s,
            )
        except ValidationError as exc:
            raise CliInputError(_options_named(exc)) from None
        cluster = cluster.model_copy(update={"limits": CapacityLimits(max_acu=base_max)})
        config = AdviceConfig(
            replay=ReplayConfig(scaler=ScalerModel(ramp=RAMP_PROFILES[ramp_profile])),
            monthly_budget_usd=budget,
            storage_gib=storage_gib,
        )
        advice = advise(
            demand.demand_acu,
            start=demand.start,
            step_s=demand.step_s,
            cluster=cluster,
            current=current,
            config=config,
        )
    console = Console() if Console().is_terminal else Console(width=150)
    console.print(advice_table(advice))
    for line in advice.reasons:
        console.print(f"- {line}")
    cheapest = advice.purchase_options[0]
    console.print(f"cheapest way to buy it: {cheapest.name} at ${cheapest.monthly_cost_usd:,.2f}/month")
    console.print(f"({advice.break_even})")
    for alert in advice.alerts:
        console.print(f"alert ({alert.kind}): {alert.message}")
    with input_errors():
        if json_path is not None:
            write_json_atomic(json_path, advice_document(advice))
        if html_path is not None:
            write_text_atomic(html_path, advice_html(advice))
