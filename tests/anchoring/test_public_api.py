"""The public surface of anchoring: re-exported from __init__, sorted, one error family."""

from __future__ import annotations

import inspect

import anchoring
from anchoring import errors


def test_all_is_sorted_and_complete() -> None:
    assert anchoring.__all__ == sorted(anchoring.__all__, key=lambda name: (not name.isupper(),
                                                                            name))
    for name in anchoring.__all__:
        assert hasattr(anchoring, name), name


def test_every_error_is_an_anchoring_error() -> None:
    classes = [value for value in vars(errors).values()
               if inspect.isclass(value) and issubclass(value, Exception)]
    assert len(classes) >= 10
    for cls in classes:
        assert issubclass(cls, anchoring.AnchoringError), cls
    assert sorted(errors.__all__) == errors.__all__
