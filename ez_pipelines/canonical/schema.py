"""Every table of the store in one metadata, for migrations and test databases."""

from ez_pipelines.canonical import models as _models  # noqa: F401 - registers the tables
from ez_pipelines.canonical.base import Base
from ez_pipelines.finance import tables as _finance  # noqa: F401
from ez_pipelines.inbox import tables as _inbox  # noqa: F401
from ez_pipelines.leads import tables as _leads  # noqa: F401
from ez_pipelines.ops import tables as _ops  # noqa: F401
from ez_pipelines.outbox import tables as _outbox  # noqa: F401

metadata = Base.metadata
