"""Policy: forecast -> size -> place -> Recommendation, and replay against peers.

The one decision path for HTTP, replay and library callers (:func:`recommend`), and
:func:`replay`, which scores the baselines, the peer policies, ``acuplan`` and the
perfect-foresight ``bound`` (:data:`POLICY_NAMES`) on one simulator of Aurora;
:func:`next_plan`, the stable entry point for schedulers (state in, state out); and
:func:`advise`, one answer about a cluster against its settings today (what to set, what
it saves, how to buy it, alerts). Imports
``forecasting`` and ``placement``; never ``service`` or ``traces``.

The public names load on first use (PEP 562), so importing one light module (e.g.
:mod:`policy.scaler`) does not load the forecasters and the solver. For that reason no
subpackage shares a name with a public function: the replay world is
:mod:`policy.trace_replay`, and :func:`replay` is its entry point.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from placement import CapacityLimits, PreviousLayout, SolverParams, SolveStatus, Topology
    from policy.advice.advise import advise
    from policy.advice.types import Advice, AdviceConfig, CurrentSettings, ReaderSetting, SecondaryCluster
    from policy.config import (
        FailoverEvent,
        HpaReadersConfig,
        PeerConfig,
        PolicyConfig,
        PostureConfig,
        PredictiveScalingConfig,
        ReplayConfig,
        VpaConfig,
    )
    from policy.engine import recommend
    from policy.errors import InsufficientHistoryError, InvalidRequestError, PolicyError, UnknownPolicyError
    from policy.scaler import ScalerModel
    from policy.scheduler import (
        Observation,
        SchedulerConfig,
        SchedulerResult,
        SchedulerState,
        layout_at,
        new_state,
        next_plan,
    )
    from policy.trace_replay.policies import Decision, Policy, make_policy
    from policy.trace_replay.report import POLICY_NAMES, PolicyScore, ReplayReport, ReplayTiming
    from policy.trace_replay.run import PolicyRun, replay, replay_policy, with_relative_scores
    from policy.trace_replay.simulator import Layout, SimResult, simulate
    from policy.types import (
        AuroraSettings,
        CapacityChange,
        ClusterSpec,
        PlanStep,
        ReaderInstance,
        Recommendation,
        SolverReport,
    )

_EXPORTS: dict[str, str] = {
    "CapacityLimits": "placement",
    "PreviousLayout": "placement",
    "SolverParams": "placement",
    "SolveStatus": "placement",
    "Topology": "placement",
    "advise": "policy.advice.advise",
    "Advice": "policy.advice.types",
    "AdviceConfig": "policy.advice.types",
    "CurrentSettings": "policy.advice.types",
    "ReaderSetting": "policy.advice.types",
    "SecondaryCluster": "policy.advice.types",
    "FailoverEvent": "policy.config",
    "HpaReadersConfig": "policy.config",
    "PeerConfig": "policy.config",
    "PolicyConfig": "policy.config",
    "PostureConfig": "policy.config",
    "PredictiveScalingConfig": "policy.config",
    "ReplayConfig": "policy.config",
    "VpaConfig": "policy.config",
    "recommend": "policy.engine",
    "InsufficientHistoryError": "policy.errors",
    "InvalidRequestError": "policy.errors",
    "PolicyError": "policy.errors",
    "UnknownPolicyError": "policy.errors",
    "Decision": "policy.trace_replay.policies",
    "Policy": "policy.trace_replay.policies",
    "make_policy": "policy.trace_replay.policies",
    "POLICY_NAMES": "policy.trace_replay.report",
    "PolicyScore": "policy.trace_replay.report",
    "ReplayReport": "policy.trace_replay.report",
    "ReplayTiming": "policy.trace_replay.report",
    "PolicyRun": "policy.trace_replay.run",
    "replay": "policy.trace_replay.run",
    "replay_policy": "policy.trace_replay.run",
    "with_relative_scores": "policy.trace_replay.run",
    "Layout": "policy.trace_replay.simulator",
    "SimResult": "policy.trace_replay.simulator",
    "simulate": "policy.trace_replay.simulator",
    "ScalerModel": "policy.scaler",
    "Observation": "policy.scheduler",
    "SchedulerConfig": "policy.scheduler",
    "SchedulerResult": "policy.scheduler",
    "SchedulerState": "policy.scheduler",
    "layout_at": "policy.scheduler",
    "new_state": "policy.scheduler",
    "next_plan": "policy.scheduler",
    "AuroraSettings": "policy.types",
    "CapacityChange": "policy.types",
    "ClusterSpec": "policy.types",
    "PlanStep": "policy.types",
    "ReaderInstance": "policy.types",
    "Recommendation": "policy.types",
    "SolverReport": "policy.types",
}
"""Public name -> the module that defines it; imported on first use, so importing the
package (or one of its light modules) does not load every dependency."""


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "POLICY_NAMES",
    "Advice",
    "AdviceConfig",
    "AuroraSettings",
    "CapacityChange",
    "CapacityLimits",
    "ClusterSpec",
    "CurrentSettings",
    "Decision",
    "FailoverEvent",
    "HpaReadersConfig",
    "InsufficientHistoryError",
    "InvalidRequestError",
    "Layout",
    "Observation",
    "PeerConfig",
    "PlanStep",
    "Policy",
    "PolicyConfig",
    "PolicyError",
    "PolicyRun",
    "PolicyScore",
    "PostureConfig",
    "PredictiveScalingConfig",
    "PreviousLayout",
    "ReaderInstance",
    "ReaderSetting",
    "Recommendation",
    "ReplayConfig",
    "ReplayReport",
    "ReplayTiming",
    "ScalerModel",
    "SchedulerConfig",
    "SchedulerResult",
    "SchedulerState",
    "SecondaryCluster",
    "SimResult",
    "SolveStatus",
    "SolverParams",
    "SolverReport",
    "Topology",
    "UnknownPolicyError",
    "VpaConfig",
    "advise",
    "layout_at",
    "make_policy",
    "new_state",
    "next_plan",
    "recommend",
    "replay",
    "replay_policy",
    "simulate",
    "with_relative_scores",
]
