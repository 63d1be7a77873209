"""Thresholds: each label's flag threshold, validated once, and the one place a flag is decided.

A :class:`Thresholds` value is immutable and covers every label of a model, in the model's order. Changes
come as a mapping or as ``label=value`` strings (the command line's ``--threshold hateful=0.4``); either way
a label the model lacks, a value that is not a number or one outside [0, 1] is refused with a
:class:`~moderation.errors.ThresholdError` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from moderation.errors import ThresholdError
from moderation.types import IMPLIED_BY, REFINES


class Thresholds(Mapping[str, float]):
    """Label -> threshold for every label of a model, in its order; a probability at or over its label's
    threshold is a flag, but for a label that refines another (antisemitic: only a hateful comment is flagged
    antisemitic), and so is any label implied by a flagged one (:meth:`flags`)."""

    __slots__ = ("_labels", "_values", "_implied", "_refines")

    def __init__(self, values: Mapping[str, float]):
        labels = tuple(values)
        array = np.array([_checked(label, values[label]) for label in labels], dtype=np.float64)
        array.setflags(write=False)
        implied = tuple(
            (k, labels.index(implied_by))
            for k, label in enumerate(labels)
            for implied_by in IMPLIED_BY.get(label, ())
            if implied_by in labels
        )
        object.__setattr__(self, "_labels", labels)
        object.__setattr__(self, "_values", array)
        object.__setattr__(self, "_implied", implied)
        refines = tuple(
            (k, labels.index(REFINES[label]))
            for k, label in enumerate(labels)
            if REFINES.get(label) in labels
        )
        object.__setattr__(self, "_refines", refines)

    def __setattr__(self, name, value):
        raise AttributeError("Thresholds are immutable; replace() returns changed ones")

    @staticmethod
    def parse(assignments: Iterable[str], labels: Sequence[str]) -> dict[str, float]:
        """``["hateful=0.7", ...]`` -> ``{"hateful": 0.7}``, each label one of ``labels`` and each value in
        [0, 1]; a ThresholdError naming the assignment otherwise."""
        parsed: dict[str, float] = {}
        for assignment in assignments:
            label, equals, number = assignment.partition("=")
            label = label.strip()
            if not equals:
                raise ThresholdError(assignment, "expected LABEL=VALUE, e.g. hateful=0.7")
            try:
                value = float(number)
            except ValueError:
                raise ThresholdError(assignment, f"{number.strip()!r} is not a number") from None
            parsed[label] = _checked(label, value, labels, assignment)
        return parsed

    def replace(self, changes: Mapping[str, float] | Iterable[str]) -> Thresholds:
        """These thresholds with some changed: a mapping, or ``label=value`` strings (see :meth:`parse`)."""
        if not isinstance(changes, Mapping):
            changes = self.parse(changes, self._labels)
        for label, value in changes.items():
            _checked(label, value, self._labels)
        return Thresholds({**self, **changes})

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    @property
    def refines(self) -> dict[str, str]:
        """Label -> the label whose flag its flag also needs, for this model's labels (``types.REFINES``)."""
        return {self._labels[k]: self._labels[base] for k, base in self._refines}

    @property
    def array(self) -> np.ndarray:
        """The thresholds in label order (read-only)."""
        return self._values

    def flags(self, probabilities: np.ndarray) -> np.ndarray:
        """Which labels each row of ``probabilities`` (n x labels) is flagged with: at or over its threshold,
        and for a refining label its base flagged too (antisemitic only among hateful comments); then any
        label implied by a flagged one (hate is toxic). So an antisemitic flag always comes with a hateful one,
        whatever thresholds a user sets."""
        flags = np.asarray(probabilities) >= self._values
        for k, base in self._refines:
            flags[:, k] &= flags[:, base]
        for k, implied_by in self._implied:
            flags[:, k] |= flags[:, implied_by]
        return flags

    def __getitem__(self, label: str) -> float:
        try:
            return float(self._values[self._labels.index(label)])
        except ValueError:
            raise KeyError(label) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __hash__(self) -> int:
        return hash((self._labels, self._values.tobytes()))

    def __repr__(self) -> str:
        return f"Thresholds({dict(self)!r})"


def _checked(
    label: str, value: object, labels: Sequence[str] | None = None, assignment: str | None = None
) -> float:
    """``value`` as a float when ``label`` is one of ``labels`` (if given) and it lies in [0, 1]."""
    shown = assignment if assignment is not None else f"{label}={value}"
    if labels is not None and label not in labels:
        raise ThresholdError(shown, f"unknown label {label!r} (labels: {', '.join(labels)})")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ThresholdError(shown, f"{value!r} is not a number") from None
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise ThresholdError(shown, "the value must be between 0 and 1")
    return number
