"""``acuplan recommend``: a recommendation for your own cluster from its metric exports.

Owns :func:`recommend_command` (registered by :mod:`service.cli.main`), the config file
model :class:`RecommendFile` (TOML, read with ``tomllib``, strictly typed: a quoted number
is refused), which the options override, and :class:`Sources` (:func:`file_sources`): an
error names the option given, or the file's key (``cluster.max_acu (c.toml)``) when the
value came from the file. Inputs are any of
``traces.FORMATS`` (several files: one upload; a signal in two files is one signal),
parsed and checked by ``traces`` (every bad row at once), mapped to demand by
``traces.combine_signals`` through :func:`service.cli.exports.exports_history` (the
path ``acuplan advise`` takes; :func:`service.inputs.signals.signals_history` under it is
the HTTP API's too). Percent signals (``CPUUtilization``, ``ACUUtilization``) and
``FreeableMemory`` are measured against MaxCapacity, so without ``--max-acu`` (or
``cluster.max_acu`` in the file) they are an error, never read against a default.
Imports ``policy``/``placement``/``traces`` public names inside the command (``acuplan
--help`` stays fast).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.cli.exports import (
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
    signal_unused,
)
from service.cli.inputs import (
    CliInputError,
    check_finite,
    check_peak_acu,
    check_step_s,
    input_errors,
    limit_reasons,
    load_policy_config,
    parse_now,
    unused_rates,
)
from service.cli.output import check_output_paths, write_json_atomic

if TYPE_CHECKING:
    from policy import Recommendation
    from traces import IngestReport


class _Section(BaseModel):
    # strict: a quoted number (max_acu = "16") is refused, never coerced; an int is a float
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ClusterSection(_Section):
    """``[cluster]``: what the cluster is (every key optional; options override)."""

    cluster_id: str | None = None
    min_acu: float | None = None
    max_acu: float | None = None
    region: str | None = None
    az_ids: list[str] | None = None
    writer_az_id: str | None = None
    read_frac: float | None = None
    price_usd_per_acu_hour: float | None = None
    risk_quantile: float | None = None
    timezone: str | None = None
    engine: Literal["aurora-postgresql", "aurora-mysql"] | None = None


class SignalsSection(_Section):
    """``[signals]``: how the exports read (coefficients, zones, per-query settings)."""

    acu_s_per_unit: dict[str, Annotated[float, Field(gt=0.0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )  # finite and > 0 as --rate's: the mapping's own error would name --rate
    connection_headroom: float = Field(default=0.2, ge=0.0, le=10.0)
    input_timezone: str | None = None
    signal: str | None = None
    queries: dict[str, dict[str, str]] = Field(default_factory=dict)


class DeployedSection(_Section):
    """``[deployed]``: the layout in force now (the plan holds it on doubtful data)."""

    min_acu: float
    failover_az_id: str | None = None
    readers: dict[str, int] = Field(default_factory=dict)


class RecommendFile(_Section):
    """The ``--config`` TOML file: ``[cluster]``, ``[signals]`` and ``[deployed]``."""

    cluster: ClusterSection = Field(default_factory=ClusterSection)
    signals: SignalsSection = Field(default_factory=SignalsSection)
    deployed: DeployedSection | None = None


def read_config(path: Path | None) -> RecommendFile:
    """Read ``--config``.

    Raises:
        CliInputError: not UTF-8 text (e.g. UTF-16), not TOML, an unknown key or a bad value
            (among them a value of the wrong TOML type, e.g. a quoted number: never coerced), named as
            ``<file>: <section.key>: <reason>``.
        OSError: the file cannot be read.
    """
    if path is None:
        return RecommendFile()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return RecommendFile.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise CliInputError(f"{path.name}: not TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise CliInputError(
            f"{path.name}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8"
        ) from None
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"])
        reason = str(e["msg"]).removeprefix("Value error, ")
        if isinstance(e.get("input"), str) and e["type"] in ("float_type", "int_type"):
            reason += f", got the string {e['input']!r} (write a TOML number, without quotes)"
        raise CliInputError(f"{path.name}: {where}: {reason}") from None


FILE_KEYS: dict[str, str] = {
    "--min-acu": "cluster.min_acu",
    "--max-acu": "cluster.max_acu",
    "--region": "cluster.region",
    "--az": "cluster.az_ids",
    "--writer-az": "cluster.writer_az_id",
    "--read-frac": "cluster.read_frac",
    "--price": "cluster.price_usd_per_acu_hour",
    "--risk": "cluster.risk_quantile",
    "--timezone": "cluster.timezone",
    "--input-timezone": "signals.input_timezone",
    "--deployed-min-acu": "deployed.min_acu",
    "--deployed-reader": "deployed.readers",
    "--deployed-failover-az": "deployed.failover_az_id",
}
"""The ``--config`` key that gives each option's value when the option is not given."""


@dataclass(frozen=True)
class Sources:
    """Which values came from the ``--config`` file, so an error names what the user wrote.

    Attributes:
        file: the file's name (e.g. ``c.toml``), or None without ``--config``.
        from_file: the options (``--max-acu``) whose value is the file's key
            (:data:`FILE_KEYS`): not given on the command line, set in the file.
    """

    file: str | None = None
    from_file: frozenset[str] = frozenset()

    def key(self, option: str) -> str:
        """``option``, or its file key (``cluster.max_acu``) when the file gave the value."""
        return FILE_KEYS[option] if option in self.from_file else option

    def tag(self, *options: str) -> str:
        """`` (<file>)`` when the file gave any of ``options``' values, else empty."""
        return f" ({self.file})" if any(o in self.from_file for o in options) else ""

    def label(self, option: str) -> str:
        """Name an option, or ``a/b`` options, as given: ``--risk``, ``cluster.risk_quantile (c.toml)``."""
        parts = option.split("/")
        return "/".join(self.key(o) for o in parts) + self.tag(*parts)

    def shown(self, option: str, value: float | None) -> str:
        """An option and its value as given: ``--max-acu 16`` or ``cluster.max_acu 16``."""
        return self.key(option) if value is None else f"{self.key(option)} {value:g}"


_FIELD_OPTIONS = {
    "limits.max_acu": "--max-acu",
    "limits.min_acu": "--min-acu",
    "limits": "--min-acu/--max-acu",
    "read_frac": "--read-frac",
    "price_usd_per_acu_hour": "--price",
    "timezone": "--timezone",
    "topology": "--az/--writer-az",
    "topology.region": "--region",
    "topology.az_ids": "--az",
    "topology.writer_az_id": "--writer-az",
    "region": "--region",
    "az_ids": "--az",
    "writer_az_id": "--writer-az",
    "writer_acu": "--deployed-min-acu",
    "max_acu": "--max-acu",
    "acu_s_per_unit": "--rate",
    "risk_quantile": "--risk",
    "Topology": "--region/--az/--writer-az",
    "CapacityLimits": "--min-acu/--max-acu",
}


_DEPLOYED_OPTIONS: dict[str, str] = {
    "previous.writer_acu": "--deployed-min-acu",
    "previous.extra_readers_by_az": "--deployed-reader",
    "previous.failover_az_id": "--deployed-failover-az",
    "topology.az_ids": "--az",
    "topology.writer_az_id": "--writer-az",
    "limits.min_acu": "--min-acu",
    "limits.max_acu": "--max-acu",
}
"""How a deployed-layout error from ``policy.recommend`` names the CLI options behind each field."""


def _named(exc: ValidationError, prefix: str = "", sources: Sources | None = None) -> str:
    parts = []
    for e in exc.errors():
        path = ".".join(str(p) for p in e["loc"]) or exc.title  # a model-level check: the model's options
        field = ".".join(str(p) for p in e["loc"] if not isinstance(p, int))  # az_ids.0 is --az's first
        option = _FIELD_OPTIONS.get(path) or _FIELD_OPTIONS.get(field)
        shown = prefix + path if option is None else (sources or Sources()).label(option)
        parts.append(f"{shown}: {str(e['msg']).removeprefix('Value error, ')}")
    return "; ".join(parts)


def recommendation_lines(rec: Recommendation) -> list[str]:
    """The plan as printed lines: model, solver, cost, MinCapacity schedule, readers, reasons.

    The cost is the plan's over its horizon (``len(rec.steps) x rec.step_s``), in USD, and
    says so: ``expected cost over the 3-h horizon: $1.44 (...)``.

    A warning that names the library's MaxCapacity field names ``--max-acu`` instead.
    """
    from policy.plan import MAX_CAPACITY_SETTING

    solver = rec.solver
    return [
        f"cluster {rec.cluster_id}: plan for {len(rec.steps)} x {rec.step_s} s "
        f"from {rec.generated_at:%Y-%m-%dT%H:%MZ}",
        f"forecast model: {rec.forecast_model}; risk quantile p{rec.risk_quantile * 100:g}",
        f"solver: {solver.status.value} in {solver.solve_time_s:.2f} s (gap {solver.gap:.1%})"
        + ("; FAIL-SAFE plan" if rec.is_fail_safe else ""),
        f"expected cost over the {len(rec.steps) * rec.step_s / 3600:g}-h horizon: "
        f"${rec.expected_cost_usd:,.2f} (compute of all instances at the planned capacity)",
        "floor schedule (MinCapacity / MaxCapacity, ACU; it may change at any step of the history, "
        "not only every plan step):",
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
        *(f"warning: {w.replace(MAX_CAPACITY_SETTING, _FIELD_OPTIONS['max_acu'])}" for w in rec.warnings),
    ]


def _az_region_mismatch(exc: ValidationError) -> str | None:
    """The message of a ``placement.AzRegionMismatchError`` inside ``exc``, or None."""
    from placement import AzRegionMismatchError

    for e in exc.errors():
        if isinstance(error := e.get("ctx", {}).get("error"), AzRegionMismatchError):
            return str(error)
    return None


def file_sources(config: Path | None, file: RecommendFile, given: dict[str, Any]) -> Sources:
    """Which options take their value from the file: not given (as the command reads them), set there.

    Args:
        config: ``--config``, or None.
        file: its contents.
        given: option -> the command line's value (None, or empty for the options read
            with ``or``, e.g. ``--az``: not given).
    """
    if config is None:
        return Sources()
    c, d = file.cluster, file.deployed
    in_file: dict[str, Any] = {
        "--min-acu": c.min_acu,
        "--max-acu": c.max_acu,
        "--region": c.region,
        "--az": c.az_ids,
        "--writer-az": c.writer_az_id,
        "--read-frac": c.read_frac,
        "--price": c.price_usd_per_acu_hour,
        "--risk": c.risk_quantile,
        "--timezone": c.timezone,
        "--input-timezone": file.signals.input_timezone,
        "--deployed-min-acu": None if d is None else d.min_acu,
        "--deployed-reader": None if d is None else d.readers,
        "--deployed-failover-az": None if d is None else d.failover_az_id,
    }
    # the numbers are read with `is not None`, the others with `or`: mirror each
    numeric = {"--min-acu", "--max-acu", "--read-frac", "--price", "--risk", "--deployed-min-acu"}
    taken = {
        option
        for option, value in in_file.items()
        if (value is not None if option in numeric else bool(value))
        and (given.get(option) is None if option in numeric else not given.get(option))
    }
    return Sources(file=config.name, from_file=frozenset(taken))


def _summary(rec: Recommendation, report: IngestReport, read_as: tuple[str, ...], step_s: int) -> list[str]:
    lines = recommendation_lines(rec)
    head = ingest_lines(report, step_s)
    dq = rec.data_quality
    if dq is not None:
        head.append(
            f"data quality: {dq.coverage_24h:.0%} of the last day observed, last sample "
            f"{dq.staleness_s / 60:.0f} min before now, {dq.n_gaps} gap{'s' if dq.n_gaps != 1 else ''}"
            + ("; HELD at the deployed layout" if dq.held else "")
        )
        head += [f"data quality: {f}" for f in (*dq.flags, *dq.notes)]
    return head + lines + [f"warning: {w}" for w in (*report.warnings, *read_as)]


def _unused_options(
    paths: list[Path],
    format: str | None,
    report: IngestReport,
    *,
    given_rates: dict[str, float],
    file: RecommendFile,
    config: str | None,
    signal: str | None,
    peak_acu: float | None,
    input_timezone: str | None = None,
) -> list[str]:
    """Check that ``--rate``, ``--peak-acu``, ``--signal`` and ``--input-timezone`` each change what is read.

    Given on the command line, one that changes nothing is an error
    (:func:`service.cli.exports.check_unused_options`, the rule ``acuplan advise`` shares);
    from the ``--config`` file (which may describe more signals than one export holds) a
    warning, by the same rule.

    Args:
        paths: the input files.
        format: ``--format``, or None (sniffed).
        report: their ingest report.
        given_rates: ``--rate`` (signal name -> ACU-seconds per event).
        file: the ``--config`` file's contents (its ``[signals]``).
        config: its name, or None without ``--config``.
        signal: ``--signal``, or None.
        peak_acu: ``--peak-acu``, ACU, or None.
        input_timezone: ``--input-timezone`` as given on the command line, or None.

    Returns:
        Warnings for the file's values that change nothing (without ``warning: ``).

    Raises:
        CliInputError: an option that changes nothing, e.g. ``--rate Nope=3: the input has
            no signal 'Nope'; it has: CPUUtilization (percent)``.
        OSError: an input cannot be read.
    """
    rates = {**file.signals.acu_s_per_unit, **given_rates}
    check_unused_options(
        paths, format, report, given_rates=given_rates, rates=rates, signal=signal, peak_acu=peak_acu,
        input_timezone=input_timezone,
    )  # fmt: skip
    warnings = [
        f"signals.acu_s_per_unit.{name} ({config}) is not used: {why}"
        for name, why in unused_rates(report, rates).items()
        if name not in given_rates
    ]
    named = file.signals.signal
    if not signal and named and (why := signal_unused(paths, format, report)) is not None:
        warnings.append(f"signals.signal {named!r} ({config}) is not used: {why}")
    return warnings


def recommend_command(
    csv: Annotated[
        Path | None, typer.Option("--csv", help="A canonical trace CSV (same as --input).")
    ] = None,
    inputs: InputsOption = None,
    format: FormatOption = None,
    config_path: Annotated[
        Path | None,
        typer.Option(
            "--config", help="TOML file with sections cluster, signals and deployed (see the README)."
        ),
    ] = None,
    cluster_id: Annotated[
        str | None,
        typer.Option(
            "--cluster-id",
            help="Cluster name; of exports naming several clusters, the one whose rows are read.",
        ),
    ] = None,
    min_acu: Annotated[float | None, typer.Option("--min-acu", help="MinCapacity limit, ACU.")] = None,
    max_acu: Annotated[
        float | None,
        typer.Option("--max-acu", help="MaxCapacity, ACU; required for percent and FreeableMemory signals."),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="AWS region, e.g. eu-central-1.")] = None,
    az: Annotated[list[str] | None, typer.Option("--az", help="AZ ID (repeat), e.g. euc1-az1.")] = None,
    writer_az: Annotated[str | None, typer.Option("--writer-az", help="The writer's AZ ID.")] = None,
    read_frac: Annotated[float | None, typer.Option("--read-frac", help="Read share of demand, 0-1.")] = None,
    price: PriceOption = None,
    risk: Annotated[float | None, typer.Option("--risk", help="Risk quantile, 0.5-1 (e.g. 0.95).")] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA zone the demand follows (seasons), e.g. Europe/Berlin."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="aurora-postgresql (default) or aurora-mysql.")
    ] = None,
    deployed_min_acu: Annotated[
        float | None, typer.Option("--deployed-min-acu", help="MinCapacity in force now, ACU.")
    ] = None,
    deployed_reader: Annotated[
        list[str] | None, typer.Option("--deployed-reader", help="Tier 2-15 readers now, AZ=N (repeat).")
    ] = None,
    deployed_failover_az: Annotated[
        str | None, typer.Option("--deployed-failover-az", help="AZ of the tier-1 reader now.")
    ] = None,
    rate: RateOption = None,
    signal: SignalOption = None,
    input_timezone: Annotated[
        str | None,
        typer.Option(
            "--input-timezone", help="IANA zone of timestamps without an offset; default --timezone."
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Decision time, ISO 8601 with offset; default: end of the data."),
    ] = None,
    step_s: Annotated[
        int | None,
        typer.Option(
            "--step-s", min=1, help="History step, s; divides the 900-s plan step; default: the data's."
        ),
    ] = None,
    peak_acu: PeakOption = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the Recommendation JSON here.")
    ] = None,
) -> None:
    """Recommend MinCapacity floors and readers for your cluster from its metric exports.

    Demand per step is the max over the signals' ACU equivalents (CPU and ACU utilisation
    of --max-acu, capacity, memory at 2 GiB per ACU, rates by --rate); the memory working
    set is kept as a floor; connections size MaxCapacity. Stale, partial or thin data
    holds the deployed layout (--deployed-*). Data after --now is ignored.
    """
    import policy
    from placement import CapacityLimits, PreviousLayout, Topology, az_id_prefix
    from placement.pricing import PRICES, region_price
    from policy import ClusterSpec
    from policy.advice.checks import check_capacity_within_max
    from policy.errors import InvalidRequestError
    from service.inputs.history import plan_span_s
    from service.inputs.signals import capacity_series
    from traces import SignalRules

    with input_errors():
        paths = [*([csv] if csv else []), *(inputs or [])]
        if not paths:
            raise CliInputError("give the metric exports with --input FILE (or --csv FILE)")
        check_cluster_id(cluster_id)  # advise's rule
        check_format(format)
        numbers = {"--min-acu": min_acu, "--max-acu": max_acu, "--read-frac": read_frac, "--price": price}
        numbers |= {"--risk": risk, "--deployed-min-acu": deployed_min_acu}
        for name, number in numbers.items():
            check_finite(name, number)
        check_price(price)  # advise's rule
        check_peak_acu(peak_acu)
        file = read_config(config_path)
        c = file.cluster
        check_cluster_id(c.cluster_id, key=f"{config_path.name}: cluster.cluster_id" if config_path else None)
        given_rates = parse_pairs("--rate", rate or [], float)
        rates = {**file.signals.acu_s_per_unit, **given_rates}
        readers = parse_pairs("--deployed-reader", deployed_reader or [], int, example="euc1-az2=1")
        typed: dict[str, Any] = {"--min-acu": min_acu, "--max-acu": max_acu, "--region": region, "--az": az}
        typed |= {"--writer-az": writer_az, "--read-frac": read_frac, "--price": price, "--risk": risk}
        typed |= {"--timezone": timezone, "--input-timezone": input_timezone}
        typed |= {"--deployed-min-acu": deployed_min_acu, "--deployed-reader": readers}
        typed |= {"--deployed-failover-az": deployed_failover_az}
        src = file_sources(config_path, file, typed)  # an error names the option or the file's key
        if deployed_min_acu is None and file.deployed is None and (readers or deployed_failover_az):
            given = "--deployed-reader" if readers else "--deployed-failover-az"
            raise CliInputError(
                f"{given} describes the layout deployed now, which starts from its MinCapacity: "
                "give --deployed-min-acu too"
            )
        config = load_policy_config()
        if risk is not None or c.risk_quantile is not None:
            try:
                config = config.model_copy(
                    update={"risk_quantile": risk if risk is not None else c.risk_quantile}
                )
                config = type(config).model_validate(config.model_dump())
            except ValidationError as exc:
                raise CliInputError(_named(exc, sources=src)) from None
        if step_s is not None:
            check_step_s(step_s, config.plan_step_s)
        requested_now = parse_now(now)
        zone = check_zone_option(src.label("--timezone"), timezone or c.timezone)
        in_zone = (
            check_zone_option(src.label("--input-timezone"), input_timezone or file.signals.input_timezone)
            or zone
        )
        check_output_paths({"--json": json_path}, {"--csv": csv, "--input": inputs, "--config": config_path})
        max_cap = max_acu if max_acu is not None else c.max_acu
        min_cap = min_acu if min_acu is not None else c.min_acu
        try:
            bounds: dict[str, Any] = {"min_acu": min_cap, "max_acu": max_cap}
            limits = CapacityLimits(**{k: v for k, v in bounds.items() if v is not None})
        except ValidationError as exc:
            if min_cap is not None and "exceeds max_acu" in str(exc):  # the pair, not one option
                default = CapacityLimits.model_fields["max_acu"].default
                top = (
                    src.shown("--max-acu", max_cap)
                    if max_cap is not None
                    else f"the default MaxCapacity {default:g}"
                )
                raise CliInputError(
                    f"{src.shown('--min-acu', min_cap)} exceeds {top}{src.tag('--min-acu', '--max-acu')}: "
                    "MinCapacity must not exceed MaxCapacity"
                ) from None
            flag = "--max-acu" if max_cap is not None and "max_acu" in str(exc) else "--min-acu"
            shown = max_cap if flag == "--max-acu" else min_cap
            reasons = limit_reasons(exc, flag.removeprefix("--").replace("-", "_"))
            raise CliInputError(f"{src.shown(flag, shown)}{src.tag(flag)}: {reasons}") from None
        rules = SignalRules(
            max_acu=max_cap,
            min_acu=limits.min_acu,
            acu_s_per_unit=rates,
            engine=check_engine(engine or c.engine or "aurora-postgresql"),
            connection_headroom=file.signals.connection_headroom,
        )
        read = exports_history(
            paths, rules=rules, plan_step_s=config.plan_step_s,
            plan_s=plan_span_s(config.horizon_s, config.plan_step_s), format=format, tz=in_zone,
            signal=signal or file.signals.signal, specs=file.signals.queries, peak_acu=peak_acu,
            step_s=step_s, now=requested_now, cluster_id=cluster_id or c.cluster_id,
            cluster_option="--cluster-id" if cluster_id else f"{src.file}: cluster.cluster_id",
            signal_option="--signal" if signal else f"{src.file}: signals.signal",
        )  # fmt: skip
        built, report, step = read.built, read.report, read.built.step_s
        for line in _unused_options(
            paths, format, report, given_rates=given_rates, file=file, config=src.file, signal=signal,
            peak_acu=peak_acu, input_timezone=input_timezone,
        ):  # fmt: skip
            typer.echo(f"warning: {line}", err=True)
        rows_cluster, named_cluster = file_cluster(report), cluster_id or c.cluster_id
        if rows_cluster is not None and named_cluster is not None and rows_cluster != named_cluster:
            where = (
                "--cluster-id" if cluster_id else f"{src.file}: cluster.cluster_id"
            )  # a typo goes unnoticed
            typer.echo(
                f"warning: the rows name cluster {rows_cluster!r}; planned as {named_cluster!r} ({where})",
                err=True,
            )
        try:  # a capacity above MaxCapacity: the MaxCapacity given is not the cluster's
            check_capacity_within_max(
                capacity_series(built, read.signals, rules),
                start=built.start, step_s=step, max_capacity_acu=limits.max_acu,
            )  # fmt: skip
        except InvalidRequestError as exc:
            given_max = "" if max_cap is not None else " (the default: --max-acu was not given)"
            message = str(exc).replace(
                f"current.max_capacity_acu={limits.max_acu:g}", f"MaxCapacity {limits.max_acu:g}{given_max}"
            )
            raise CliInputError(
                f"{src.label('--max-acu')}: {message.replace('advise on', 'plan from')}"
            ) from None
        priced = ""
        try:
            topo: dict[str, Any] = {}
            if region or c.region:
                topo["region"] = region or c.region
            if az or c.az_ids:
                topo["az_ids"] = tuple(az or c.az_ids or ())
            if writer_az or c.writer_az_id:
                topo["writer_az_id"] = writer_az or c.writer_az_id
            if "az_ids" in topo and "writer_az_id" not in topo:
                topo["writer_az_id"] = topo["az_ids"][0]
            home = Topology.model_fields["region"].default
            try:
                prefix = az_id_prefix(topo.get("region", home))
            except ValueError as exc:
                raise CliInputError(f"{src.label('--region')}: {exc}") from None
            if topo.get("region", home) != home and "az_ids" not in topo:  # never us-east-1's AZs elsewhere
                where, example = (  # the file's key when the region is the file's
                    ("cluster.az_ids", f'az_ids = ["{prefix}-az1", "{prefix}-az2"]')
                    if "--region" in src.from_file
                    else ("--az", f"--az {prefix}-az1 --az {prefix}-az2")
                )
                raise CliInputError(
                    f"{src.shown('--region', None)} {topo['region']}{src.tag('--region')}: give its AZ IDs "
                    f"with {where} (at least two, e.g. {example}); the default AZs are {home}'s"
                )
            spec: dict[str, Any] = {
                "cluster_id": cluster_id or c.cluster_id or file_cluster(report) or "cluster-1",
                "limits": limits,
                "topology": Topology(**topo),
                "timezone": zone,
            }
            if (frac := read_frac if read_frac is not None else c.read_frac) is not None:
                spec["read_frac"] = frac
            usd = price if price is not None else c.price_usd_per_acu_hour
            if usd is not None:
                spec["price_usd_per_acu_hour"] = usd
            elif topo.get("region", home) not in PRICES:  # ClusterSpec prices it at us-east-1's rate
                priced = f"--region {topo['region']}: {region_price(topo['region']).source}; give --price"
            cluster = ClusterSpec(**spec)
        except ValidationError as exc:
            if (mismatch := _az_region_mismatch(exc)) is not None:  # e.g. --region over the file's AZs
                raise CliInputError(f"{src.label('--region/--az')}: {mismatch}") from None
            raise CliInputError(_named(exc, "", src)) from None
        previous = None
        deployed = file.deployed
        if deployed_min_acu is not None or deployed is not None:
            try:
                previous = PreviousLayout(
                    writer_acu=deployed_min_acu if deployed_min_acu is not None else deployed.min_acu,  # type: ignore[union-attr]
                    extra_readers_by_az=readers or (deployed.readers if deployed else {}),
                    failover_az_id=deployed_failover_az or (deployed.failover_az_id if deployed else None),
                )
            except ValidationError as exc:
                raise CliInputError(_named(exc, sources=src)) from None
        try:
            rec = policy.recommend(
                built.history_acu, now=built.now, step_s=step, cluster=cluster, config=config,
                previous=previous, context=built.context,
            )  # fmt: skip
        except InvalidRequestError as exc:  # the deployed layout: name the options that gave it
            if not (exc.field or "").startswith("previous."):
                raise
            message = str(exc)
            named = [o for name, o in _DEPLOYED_OPTIONS.items() if name in message]
            for name, option in _DEPLOYED_OPTIONS.items():
                message = message.replace(name, src.key(option))
            option = _DEPLOYED_OPTIONS.get(exc.field or "", "--deployed-min-acu")
            if src.key(option) not in message:
                message = f"{src.key(option)}: {message}"
            file_name = f"{src.file}: " if src.tag(option, *named) else ""  # as the file's own errors
            raise CliInputError(f"{file_name}{message}") from None
    for line in _summary(rec, report, built.combined.warnings, built.step_s):
        typer.echo(line)
    if priced:
        typer.echo(f"warning: {priced}")
    if json_path is not None:
        with input_errors():
            write_json_atomic(json_path, rec.model_dump(mode="json"))
