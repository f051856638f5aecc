"""``botowire_gzip``: gzip the requests of every client for the duration of one test."""

from __future__ import annotations

from collections.abc import Iterable

from pytest_botowire.aws.patterns import parse_patterns
from pytest_botowire.capture.recorder import Recorder
from pytest_botowire.features.gzip import DEFAULT_LEVEL, GzipPolicy, warn_unmodeled


class BotowireGzip:
    """What the ``botowire_gzip`` fixture gives: which requests are gzipped during the test.

    It starts with every operation whose service model declares gzip request compression
    (CloudWatch ``PutMetricData``), at any body size. Each call to ``enable`` replaces what is
    gzipped, so it can widen (name an operation botocore does not compress) or narrow (a
    single pattern, or a ``min_size``); ``disable`` turns gzip off for the rest of the test.
    """

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self.enable()

    @property
    def policy(self) -> GzipPolicy | None:
        """The policy in force, or ``None`` when disabled."""
        policy = self._recorder.gzip_policy
        return policy if isinstance(policy, GzipPolicy) else None

    def enable(
        self,
        pattern: str | Iterable[str] | None = None,
        *,
        min_size: int = 0,
        level: int = DEFAULT_LEVEL,
    ) -> None:
        """Gzip ``pattern`` (default: the operations modeled with gzip) from now on.

        Naming an operation whose model does not declare gzip issues a
        ``BotowireGzipWarning``: AWS may reject such a request.
        """
        __tracebackhide__ = True
        if pattern is None:
            policy = GzipPolicy(modeled=True, min_size=min_size, level=level)
        else:
            patterns = parse_patterns(pattern, "botowire_gzip.enable()")
            warn_unmodeled(patterns)
            policy = GzipPolicy(modeled=False, patterns=patterns, min_size=min_size, level=level)
        self._recorder.gzip_policy = policy

    def enable_for_marker(self, value: str | Iterable[str], location: tuple[str, int]) -> None:
        """``enable(value)`` for ``@pytest.mark.botowire(gzip=value)``.

        A ``BotowireGzipWarning`` points at ``location`` (the marked test's ``def`` line): the
        plugin's own frames, which call this, are not where the user wrote the pattern.
        """
        patterns = parse_patterns(value, "@pytest.mark.botowire(gzip=...)")
        warn_unmodeled(patterns, location=location)
        self._recorder.gzip_policy = GzipPolicy(modeled=False, patterns=patterns)

    def disable(self) -> None:
        """Stop gzipping for the rest of the test."""
        self._recorder.gzip_policy = None

    def __repr__(self) -> str:
        return f"<BotowireGzip {self.policy!r}>"
