"""Hooks pytest-botowire adds to pytest (registered through ``pytest_addhooks``).

Implement them in a ``conftest.py`` or a plugin, like any pytest hook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_botowire.features.limits.rules import Rule


@pytest.hookspec(historic=True)
def pytest_botowire_limits(config: pytest.Config) -> Iterable[Rule | str] | None:
    """Add limit rules to every test of the run.

    Return rules (``pytest_botowire.Rule``) or lines in the ini form of ``botowire_limits``
    (``"PATTERN MEASURE<=LIMIT [source]"``), or ``None``. Rules from every implementation
    apply, after the built-in AWS limits table and the ini ``botowire_limits`` lines: a rule
    with the ``id`` of a built-in rule replaces it, as does a rule without ``when`` that has the
    same pattern, measure, paths and sizer. Any rule makes the run capture every test
    passively, as ``--botowire-aws-limits`` does.

    The hook is called once per run, when pytest is configured; a ``conftest.py`` loaded later
    (in a sub-directory) is called when it is loaded, and its rules still apply to the whole
    run. A bad rule is a usage error naming it.

    Example, in ``conftest.py``::

        from pytest_botowire import Rule

        def pytest_botowire_limits(config):
            return [
                "sqs.SendMessage body_bytes<=262144 our queue consumer's limit",
                Rule(
                    id="kinesis.put_records.records",  # replaces the built-in row
                    pattern="kinesis.PutRecords",
                    measure="entries",
                    limit=100,
                    unit="records",
                    paths=("Records",),
                    source="conftest.py: our shard budget",
                ),
            ]
    """
