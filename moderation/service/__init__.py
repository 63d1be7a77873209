"""moderate as an HTTP service: a Perspective API drop-in, a Coral Talk moderation phase and a native API."""

from moderation.service.app import create_app
from moderation.service.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
