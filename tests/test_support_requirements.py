"""A test that needs a binary or a service is skipped without it, except under CI, where it fails."""

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.support import requirements
from tests.support.requirements import check_needs, needs


class Marked:
    """Stands for a collected test carrying these marks."""

    def __init__(self, *marks):
        self.marks = [mark.mark for mark in marks]

    def iter_markers(self, name):
        return (mark for mark in self.marks if mark.name == name)


@pytest.mark.parametrize("in_ci, outcome", [(False, Skipped), (True, Failed)])
def test_a_missing_requirement_skips_or_under_ci_fails(monkeypatch, in_ci, outcome):
    monkeypatch.setattr(requirements, "IN_CI", in_ci)
    with pytest.raises(outcome, match="needs nginx"):
        check_needs(Marked(needs(True, "needs redis"), needs(False, "needs nginx")))


def test_what_is_there_runs_even_under_ci(monkeypatch):
    monkeypatch.setattr(requirements, "IN_CI", True)
    assert check_needs(Marked(needs("/usr/bin/something", "needs something"))) is None
