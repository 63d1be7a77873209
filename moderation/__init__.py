"""moderate: an offline moderation classifier for news-site comment sections.

Data flows one way: ``reading -> parsing -> normalize -> features -> model -> moderator -> reporting/service``.

>>> from moderation import Moderator, parse
>>> moderator = Moderator.load()                      # the shipped default model
>>> moderator.score("my Jewish neighbours invited us for Shabbat").flags
()
"""

from moderation.errors import DataError, InputError, ModelError, ModerateError, ThresholdError
from moderation.moderator import Moderator
from moderation.parsing import parse, parse_file
from moderation.thresholds import Thresholds
from moderation.types import (
    LABELS,
    Article,
    Comment,
    LabelScore,
    ModeratedArticle,
    ModeratedComment,
    Reason,
    Scores,
)

__version__ = "0.1.0"

__all__ = [
    "LABELS",
    "Article",
    "Comment",
    "DataError",
    "InputError",
    "LabelScore",
    "ModelError",
    "ModerateError",
    "ModeratedArticle",
    "ModeratedComment",
    "Moderator",
    "Reason",
    "Scores",
    "ThresholdError",
    "Thresholds",
    "__version__",
    "parse",
    "parse_file",
]
