"""Policy: forecast -> size -> place -> Recommendation, and replay against peers.

The one decision path for HTTP, replay and library callers (:func:`recommend`), and
:func:`replay`, which scores the baselines, the peer policies, ``acuplan`` and the
perfect-foresight ``bound`` (:data:`POLICY_NAMES`) on one simulator of Aurora; and
:func:`next_plan`, the stable entry point for schedulers (state in, state out). Imports
``forecasting`` and ``placement``; never ``service`` or ``traces``.
"""

from placement import CapacityLimits, PreviousLayout, SolverParams, SolveStatus, Topology
from policy.config import (
    FailoverEvent,
    HpaReadersConfig,
    PeerConfig,
    PolicyConfig,
    PredictiveScalingConfig,
    ReplayConfig,
    VpaConfig,
)
from policy.engine import recommend
from policy.errors import InsufficientHistoryError, InvalidRequestError, PolicyError, UnknownPolicyError
from policy.policies import Decision, Policy, make_policy
from policy.replay import PolicyRun, replay, replay_policy, with_relative_scores
from policy.report import POLICY_NAMES, PolicyScore, ReplayReport, ReplayTiming
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
from policy.simulator import Layout, SimResult, simulate
from policy.types import (
    AuroraSettings,
    CapacityChange,
    ClusterSpec,
    PlanStep,
    ReaderInstance,
    Recommendation,
    SolverReport,
)

__all__ = [
    "POLICY_NAMES",
    "AuroraSettings",
    "CapacityChange",
    "CapacityLimits",
    "ClusterSpec",
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
    "PredictiveScalingConfig",
    "PreviousLayout",
    "ReaderInstance",
    "Recommendation",
    "ReplayConfig",
    "ReplayReport",
    "ReplayTiming",
    "ScalerModel",
    "SchedulerConfig",
    "SchedulerResult",
    "SchedulerState",
    "SimResult",
    "SolveStatus",
    "SolverParams",
    "SolverReport",
    "Topology",
    "UnknownPolicyError",
    "VpaConfig",
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
