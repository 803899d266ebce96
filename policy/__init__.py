"""Policy: forecast -> size -> place -> Recommendation, and replay against baselines.

The one decision path for HTTP, replay and library callers (:func:`recommend`), and
:func:`replay`, which scores ``reactive``, ``static-peak``, ``acuplan`` and the
perfect-foresight ``oracle`` on one simulator of Aurora's reactive scaler. Imports
``forecasting`` and ``placement``; never ``service`` or ``traces``.
"""

from placement import CapacityLimits, PreviousLayout, SolverParams, SolveStatus, Topology
from policy.config import PolicyConfig, ReplayConfig, ScalerModel
from policy.engine import recommend
from policy.errors import InvalidRequestError, PolicyError, UnknownPolicyError
from policy.policies import Decision, Policy, make_policy
from policy.replay import replay
from policy.report import POLICY_NAMES, PolicyScore, ReplayReport, ReplayTiming
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
    "InvalidRequestError",
    "Layout",
    "PlanStep",
    "Policy",
    "PolicyConfig",
    "PolicyError",
    "PolicyScore",
    "PreviousLayout",
    "ReaderInstance",
    "Recommendation",
    "ReplayConfig",
    "ReplayReport",
    "ReplayTiming",
    "ScalerModel",
    "SimResult",
    "SolveStatus",
    "SolverParams",
    "SolverReport",
    "Topology",
    "UnknownPolicyError",
    "make_policy",
    "recommend",
    "replay",
    "simulate",
]
