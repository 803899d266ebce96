"""The trace suite the replay and forecast benchmarks score: bundled plus local-only traces.

This module names the suite (issue 9): every bundled trace (redistributable, shipped in
``traces/data``) plus, when the raw-trace folder is available, the local-only traces
whose licence is unstated (Bitbrains VMs, the NASA 1-minute web request rate), which
are converted from the raw files in memory and never written into the package. Each
member comes as ACU demand by its own default demand rule, with its shape tag.
It imports nothing of ours outside ``traces``.

Public interface (stable; used by ``benchmarks``)::

    suite_names(raw_dir=None, *, include_local=True) -> list[str]
    load_suite(raw_dir=None, *, names=None, include_local=True, step_s=None) -> list[SuiteMember]
    find_raw_dir(raw_dir=None) -> Path | None
    SuiteMember(name, shape, shipped, demand, series, metadata)

``raw_dir=None`` looks for the raw folder at ``$ACUPLAN_TRACES_RAW``, else
``../shared/traces-raw`` relative to the working directory; when neither exists the
suite is the bundled traces alone (what CI on a clean clone sees). An explicit
``raw_dir`` must exist.

Order: the bundled traces in ``traces.convert_specs.SPECS`` order (as PROVENANCE.md
lists them), then the local-only ones in ``LOCAL_SPECS`` order.

Example::

    from traces.suite import load_suite
    for m in load_suite():
        print(m.name, m.shape, m.shipped, m.demand.step_s, m.demand.n_steps)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from traces.bundle import load_bundled
from traces.convert import build_one, default_raw_dir, read_checksums
from traces.convert_specs import LOCAL_SPECS, RAW_DIR_ENV, SPECS, TraceSpec
from traces.demand import DemandSeries, demand_series
from traces.errors import ConversionError, DemandMappingError, UnknownTraceError
from traces.metadata import TraceMetadata
from traces.schema import TraceShape
from traces.types import Trace, TraceSeries


@dataclass(frozen=True, eq=False)
class SuiteMember:
    """One trace of the suite, as ACU demand.

    Attributes:
        name: Suite name (the bundle name for a shipped trace), e.g. ``rds-cpu-cc0c53``
            or ``nasa-http-1995-1min``.
        shape: The load shape it stands for (:data:`traces.schema.TraceShape`: e.g.
            ``bursty_vm``, ``web_requests_1min``, ``asg``, ``step_change``,
            ``cell_aggregate``, ``rds_cpu``).
        shipped: True for a bundled trace; False for a local-only one (licence
            unstated: never redistribute results that embed its data).
        demand: ACU demand by the member's default demand rule
            (``metadata.demand_rule``): ``demand_acu`` shape (n_steps,), float64, NaN
            for a step without samples; ``start`` (UTC) and ``step_s`` (the source's
            step, 300 or 60 s, unless ``load_suite(step_s=...)`` asked otherwise).
        series: The canonical series the demand was mapped from (``ts`` shape
            (n_samples,) UTC, ``value`` in ``metadata.unit``).
        metadata: Origin, licence, changes, caveats and the default demand rule.
    """

    name: str
    shape: TraceShape
    shipped: bool
    demand: DemandSeries
    series: TraceSeries
    metadata: TraceMetadata


def find_raw_dir(raw_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """Locate the raw-trace folder (``traces-raw``, with its ``SHA256SUMS``).

    Args:
        raw_dir: An explicit folder, or None to look at ``$ACUPLAN_TRACES_RAW``, else
            ``../shared/traces-raw`` relative to the working directory.

    Returns:
        The folder; None when ``raw_dir`` is None and no folder with a
        ``SHA256SUMS`` was found there.

    Raises:
        ConversionError: If an explicit ``raw_dir`` (or a set ``$ACUPLAN_TRACES_RAW``)
            is not a folder with a ``SHA256SUMS``.
    """
    explicit = raw_dir is not None or bool(os.environ.get(RAW_DIR_ENV))
    path = Path(raw_dir) if raw_dir is not None else default_raw_dir()
    if (path / "SHA256SUMS").is_file():
        return path
    if explicit:
        source = "raw_dir" if raw_dir is not None else f"${RAW_DIR_ENV}"
        raise ConversionError(f"{source}: no raw-trace folder with a SHA256SUMS here", path=path)
    return None


def _specs(raw: Path | None, include_local: bool) -> list[TraceSpec]:
    """The specs of the available suite members, in suite order."""
    return [*SPECS, *(LOCAL_SPECS if include_local and raw is not None else ())]


def suite_names(raw_dir: str | os.PathLike[str] | None = None, *, include_local: bool = True) -> list[str]:
    """Name the suite's members that can be loaded here.

    Args:
        raw_dir: The raw-trace folder, or None to find it (see :func:`find_raw_dir`).
        include_local: False for the bundled traces only, whatever is available.

    Returns:
        Bundled names (``SPECS`` order), then the local-only names (``LOCAL_SPECS``
        order) when the raw folder is available and ``include_local`` is True.

    Raises:
        ConversionError: If an explicit ``raw_dir`` does not exist (see
            :func:`find_raw_dir`).
    """
    raw = find_raw_dir(raw_dir) if include_local else None
    return [spec.name for spec in _specs(raw, include_local)]


def _grid(member_step_s: int, step_s: int | None, name: str) -> int:
    """The grid step for a member: its own, or a coarser one that ``step_s`` asks for."""
    if step_s is None:
        return member_step_s
    if isinstance(step_s, bool) or not isinstance(step_s, int) or step_s < member_step_s:
        raise DemandMappingError(
            f"step_s {step_s!r} must be an int >= the step of suite trace {name!r} ({member_step_s} s)"
        )
    return step_s


def _member(spec: TraceSpec, trace: Trace, step_s: int | None) -> SuiteMember:
    """Map one loaded trace (with metadata) to a suite member."""
    metadata = trace.metadata
    if metadata is None:  # load_bundled and build_one always attach metadata
        raise ConversionError(f"suite trace {spec.name!r} has no metadata")
    series = trace.single()
    grid = _grid(metadata.step_s, step_s, spec.name)
    demand = demand_series(series, step_s=grid, rule=metadata.demand_rule)
    return SuiteMember(spec.name, spec.shape, spec.shipped, demand, series, metadata)


def load_suite(
    raw_dir: str | os.PathLike[str] | None = None,
    *,
    names: Sequence[str] | None = None,
    include_local: bool = True,
    step_s: int | None = None,
) -> list[SuiteMember]:
    """Load the suite's members as ACU demand, each by its default demand rule.

    Bundled members come from the package (:func:`traces.load_bundled`); local-only
    ones are converted from the raw files in memory, after the same ``SHA256SUMS``
    check as ``python -m traces.convert`` (about 2 s for all four). Deterministic.

    Args:
        raw_dir: The raw-trace folder, or None to find it (see :func:`find_raw_dir`).
        names: Members to load, in the order given; None for every available
            member (:func:`suite_names` order).
        include_local: False for the bundled traces only.
        step_s: A common grid step, seconds, >= every loaded member's own step (e.g.
            300 puts the 60-s NASA trace on the 5-minute grid, each step the max of
            its five 1-minute samples); None keeps each member's own step.

    Returns:
        The members.

    Raises:
        UnknownTraceError: A name in ``names`` that is not in the suite (the message
            lists the available names), or a local-only name when the raw folder is
            not available.
        ConversionError: An explicit ``raw_dir`` that does not exist, or a raw file
            that fails its checksum or the conversion rules.
        DemandMappingError: A ``step_s`` shorter than a member's own step.
    """
    raw = find_raw_dir(raw_dir) if include_local else None
    available = {spec.name: spec for spec in _specs(raw, include_local)}
    wanted = list(available) if names is None else list(names)
    for name in wanted:
        if name not in available:
            raise UnknownTraceError(name, list(available), what="suite trace")
    sums = read_checksums(raw) if raw is not None and any(not available[n].shipped for n in wanted) else {}
    members = []
    for name in wanted:
        spec = available[name]
        if spec.shipped:
            trace = load_bundled(name)
        elif raw is not None:  # local-only specs are available only with a raw folder
            trace = build_one(raw, spec, sums).trace()
        else:
            raise ConversionError(f"local-only suite trace {name!r} needs the raw-trace folder")
        members.append(_member(spec, trace, step_s))
    return members
