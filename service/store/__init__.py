"""Persistent storage of the service: SQLAlchemy 2 tables, Alembic migrations, one Store.

SQLite (an embedded file, the default) or PostgreSQL by URL. Only ``service`` modules
use this package; it imports nothing of ours outside it.
"""

from service.store.engine import (
    StoreMissingError,
    StoreUnavailableError,
    failure_reason,
    make_engine,
    migrate,
    normalise_url,
    open_engine,
)
from service.store.records import (
    LEARNING_JOB_KIND,
    ClusterRecord,
    JobRecord,
    KeyRecord,
    NewRecommendation,
    RecommendationRecord,
)
from service.store.repo import ClusterNotFoundError, StepChangeError, Store

__all__ = [
    "LEARNING_JOB_KIND",
    "ClusterNotFoundError",
    "ClusterRecord",
    "JobRecord",
    "KeyRecord",
    "NewRecommendation",
    "RecommendationRecord",
    "StepChangeError",
    "Store",
    "StoreMissingError",
    "StoreUnavailableError",
    "failure_reason",
    "make_engine",
    "migrate",
    "normalise_url",
    "open_engine",
]
