"""The errors moderate raises on purpose; the CLI turns each into a one-line message and exit code 2."""


class ModerateError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class InputError(ModerateError):
    """Input that cannot be read as text: missing, a directory, binary, too large, undecodable."""


class ModelError(ModerateError):
    """A model directory that is missing, malformed, tampered with or of an unknown format version."""


class DataError(ModerateError):
    """A labelled corpus or data file that is missing or malformed."""


class ThresholdError(InputError, ValueError):
    """A flag threshold that names no label of the model, or is not a number between 0 and 1.

    Also a ValueError: a bad argument to the Python API, reported like any other bad input on the command line.
    """

    def __init__(self, assignment: str, problem: str):
        super().__init__(f"threshold {assignment}: {problem}")
        self.assignment = assignment
        self.problem = problem
