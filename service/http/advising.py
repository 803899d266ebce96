"""Advice as an asynchronous job: the inputs fixed at submission, and the run.

Owns :class:`AdviceInputs` and :func:`run_advice`, which the job runner
(:class:`service.http.jobs.ReplayRunner`) calls for jobs of kind ``advice``. The inputs
hold the history already on its grid (so a job does not depend on metrics stored later);
the result is :func:`service.advice.report.advice_document` of :func:`policy.advise`.
Imports ``policy`` public names and ``service`` modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import AwareDatetime, BaseModel, ConfigDict

from policy import AdviceConfig, ClusterSpec, CurrentSettings


class AdviceInputs(BaseModel):
    """Everything an advice job needs, fixed at submission.

    Attributes:
        demand_acu: demand per step, ACU; None marks a missing step.
        connections: ``DatabaseConnections`` per step (None marks a missing step), or None.
        volume_bytes: ``VolumeBytesUsed`` per step, bytes, or None.
        capacity_acu: the observed capacity per step, ACU, or None (checked against MaxCapacity).
        start: start of the first step (UTC).
        step_s: step, seconds.
        cluster: the cluster.
        current: the settings today.
        config: how to advise.
        registered: the registered cluster the advice is for (its alerts go to
            ``/metrics``), or None.
        now: the service's clock at submission (UTC): a history that ended a day or more
            before it is said to describe the past (:func:`policy.advice.reasons.stale_note`).
        input_warnings: what reading the request's history found and did without refusing it
            (e.g. samples off the ``step_s`` grid, :func:`service.inputs.formats.off_grid_warnings`);
            each becomes a reason ``inputs: <warning>`` after the advice's own, as
            ``acuplan advise`` adds its ingest's warnings.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    demand_acu: list[float | None]
    connections: list[float | None] | None = None
    volume_bytes: list[float | None] | None = None
    capacity_acu: list[float | None] | None = None
    start: AwareDatetime
    step_s: int
    cluster: ClusterSpec
    current: CurrentSettings
    config: AdviceConfig
    registered: str | None = None
    now: AwareDatetime | None = None
    input_warnings: tuple[str, ...] = ()


def _array(values: list[float | None] | None) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    if values is None:
        return None
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def run_advice(inputs: AdviceInputs, report: Callable[[str, int, int], None]) -> dict[str, Any]:
    """Advise on the inputs and return the advice document.

    Args:
        inputs: the job's inputs.
        report: progress callback ``(stage, done, total)``; it raises to stop the job.

    Returns:
        :func:`service.advice.report.advice_document` of the advice (JSON-ready); its
        ``reasons`` end with ``inputs: <warning>`` per ``inputs.input_warnings``.

    Raises:
        policy.InvalidRequestError: the advice rejects the inputs (the job fails with its code).
    """
    from policy import advise
    from service.advice.report import advice_document

    demand = _array(inputs.demand_acu)
    assert demand is not None
    advice = advise(
        demand,
        start=inputs.start,
        step_s=inputs.step_s,
        cluster=inputs.cluster,
        current=inputs.current,
        config=inputs.config,
        connections=_array(inputs.connections),
        volume_bytes=_array(inputs.volume_bytes),
        capacity_acu=_array(inputs.capacity_acu),
        now=inputs.now,
        progress=report,
    )
    if inputs.input_warnings:
        reasons = advice.reasons + tuple(f"inputs: {w}" for w in inputs.input_warnings)
        advice = advice.model_copy(update={"reasons": reasons})
    return advice_document(advice)
