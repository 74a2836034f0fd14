"""TEMPORARY aggregated exports while the package is being assembled."""

from ._accounts import *  # noqa: F403
from ._activity import *  # noqa: F403
from ._cards import *  # noqa: F403
from ._channel_id import *  # noqa: F403
from ._entities import *  # noqa: F403
from ._enums import *  # noqa: F403
from ._exceptions import *  # noqa: F403
from ._invoke import *  # noqa: F403
from ._model import *  # noqa: F403
from ._protocols import *  # noqa: F403
from ._tokens import *  # noqa: F403
from .config import *  # noqa: F403
