"""The Intelligems External API client: auth, pacing, retries and typed errors."""

from igops.api.client import (
    API_PREFIX,
    DEFAULT_BASE_URL,
    DOCUMENTED_RATES,
    ExperiencePage,
    Group,
    IntelligemsClient,
    ListFilters,
    Waiting,
)
from igops.api.errors import (
    AmbiguousCreate,
    ApiError,
    ConnectionFailed,
    Interrupted,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    UnexpectedResponse,
    ValidationFailed,
)
from igops.api.pacing import Pacer
from igops.api.retry import RetryPolicy
from igops.api.secret import Secret

__all__ = [
    "API_PREFIX",
    "DEFAULT_BASE_URL",
    "DOCUMENTED_RATES",
    "AmbiguousCreate",
    "ApiError",
    "ConnectionFailed",
    "ExperiencePage",
    "Group",
    "IntelligemsClient",
    "Interrupted",
    "ListFilters",
    "NotFound",
    "Pacer",
    "RateLimited",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "Unauthorized",
    "UnexpectedResponse",
    "ValidationFailed",
    "Waiting",
]
