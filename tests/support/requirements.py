"""Tests that need something outside Python (a binary, a running service, the front-end packages).

`needs(available, reason)` marks such a test: skipped where it is missing, except under CI
(`CI=true`), where a missing one fails the test instead, so a run that tested less than it
should cannot pass (conftest.py applies the marks)."""

import os

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def needs(available: bool, reason: str) -> pytest.MarkDecorator:
    return pytest.mark.needs(available=bool(available), reason=reason)


def check_needs(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs"):
        if not mark.kwargs["available"]:
            if IN_CI:
                pytest.fail(f"missing under CI: {mark.kwargs['reason']}", pytrace=False)
            pytest.skip(mark.kwargs["reason"])
