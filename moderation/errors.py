"""The errors moderate raises on purpose; the CLI turns each into a one-line message and exit code 2."""


class ModerateError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class InputError(ModerateError):
    """Input that cannot be read as text: missing, a directory, binary, too large, undecodable."""


class ModelError(ModerateError):
    """A model directory that is missing, malformed, tampered with or of an unknown format version."""


class DataError(ModerateError):
    """A labelled corpus or data file that is missing or malformed."""
