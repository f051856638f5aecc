"""``Wire``: the sequence of requests a test sent, and the selections narrowed from it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from pytest_botowire.aws.patterns import Pattern, parse_patterns
from pytest_botowire.model.assertions import Assertable
from pytest_botowire.model.messages import agree, bullet_lines, plural, request_items
from pytest_botowire.model.request import CapturedRequest

if TYPE_CHECKING:
    from pytest_botowire.capture.recorder import Recorder
    from pytest_botowire.features.checks import LimitExplanation
    from pytest_botowire.features.respond import Response


class RequestSequence(Assertable, Sequence[CapturedRequest]):
    """A live, ordered view of captured requests with the assertions and ``select``.

    The view is evaluated at each use, so a selection made before the code under test runs
    sees the requests it sends afterwards.
    """

    __slots__ = ("_recorder",)

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder

    def _targets(self) -> list[CapturedRequest]:
        return list(self._recorder.requests)

    def _patterns(self) -> tuple[Any, ...]:
        return ()

    @overload
    def __getitem__(self, index: int) -> CapturedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> Selection: ...
    def __getitem__(self, index: int | slice) -> CapturedRequest | Selection:
        """A request by position, or a slice as a live ``Selection`` with every assertion."""
        __tracebackhide__ = True
        if isinstance(index, slice):
            for part in (index.start, index.stop, index.step):
                if part is not None and (isinstance(part, bool) or not isinstance(part, int)):
                    raise TypeError(f"slice indices must be int or None, not {part!r}")
            if index.step == 0:
                raise ValueError("slice step cannot be zero")
            return Selection(self._recorder, (*self._patterns(), _Slice(index)))
        return self._targets()[index]

    def __len__(self) -> int:
        return len(self._targets())

    def __iter__(self) -> Iterator[CapturedRequest]:
        return iter(self._targets())

    def __bool__(self) -> bool:
        return bool(self._targets())

    def select(self, pattern: str | Sequence[str]) -> Selection:
        """The requests matching ``pattern`` (or any of a list of patterns).

        Patterns follow botocore's event naming: ``"cloudwatch.PutMetricData"``,
        ``"cloudwatch.*"``, ``"cloudwatch"``, ``"*"``; the service may be the client name or
        the hyphenized service id, the operation its API or method name. An unknown service or
        operation raises ``ValueError`` naming the closest valid names.
        """
        __tracebackhide__ = True
        return Selection(
            self._recorder, (*self._patterns(), _AnyOf(parse_patterns(pattern, "select()")))
        )

    def shapes(self) -> list[dict[str, Any]]:
        """``CapturedRequest.shape()`` of each request, in sending order, for snapshots.

        ``assert botowire.shapes() == snapshot`` (syrupy) fails when what the code sends
        changes, and not when only signatures, dates or generated tokens do.
        """
        return [request.shape() for request in self._targets()]

    @property
    def stubbed_calls(self) -> int:
        """How many API calls botocore's ``Stubber`` answered before they reached the wire."""
        return len(self._matching_stubbed())

    def _matching_stubbed(self) -> list[str]:
        return list(self._recorder.stubbed_calls)

    def _nothing_matched(self, assertion: str) -> str:
        captured = list(self._recorder.requests)
        message = f"{assertion}: {self._no_match()}"
        stubbed = self._matching_stubbed()
        if stubbed:
            message += (
                f"; {plural(len(stubbed), 'matching call')} {agree(len(stubbed), 'was', 'were')} "
                "answered by a botocore Stubber before reaching the wire (a Stubber answers at "
                "before-call, so nothing is serialized, signed or sent)"
            )
        if captured:
            message += f"\n  captured in this test ({len(captured)}):\n" + "\n".join(
                bullet_lines(request_items(captured), len(captured))
            )
        else:
            message += "\n  nothing was captured in this test"
        return message

    def _label(self) -> str:
        return "all captured requests"

    def _no_match(self) -> str:
        return "no request was captured"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._label()}: {plural(len(self), 'request')}>"


class _AnyOf:
    __slots__ = ("patterns",)

    def __init__(self, patterns: tuple[Pattern, ...]) -> None:
        self.patterns = patterns

    def matches(self, service: str, operation: str) -> bool:
        return any(p.matches(service, operation) for p in self.patterns)

    def narrow(self, requests: list[CapturedRequest]) -> list[CapturedRequest]:
        return [r for r in requests if self.matches(r.service, r.operation)]

    def __str__(self) -> str:
        return " or ".join(repr(p.text) for p in self.patterns)


class _Slice:
    """A step of a selection that keeps the requests at some positions (``botowire[1:]``)."""

    __slots__ = ("index",)

    def __init__(self, index: slice) -> None:
        self.index = index

    def matches(self, service: str, operation: str) -> bool:
        return True  # a position says nothing about a call a Stubber answered

    def narrow(self, requests: list[CapturedRequest]) -> list[CapturedRequest]:
        return requests[self.index]

    def __str__(self) -> str:
        start, stop, step = self.index.start, self.index.stop, self.index.step
        text = f"{'' if start is None else start}:{'' if stop is None else stop}"
        if step is not None:
            text += f":{step}"
        return f"[{text}]"


class Selection(RequestSequence):
    """The requests of a test that match a pattern (or sit in a slice): ``select``, every assertion.

    ``botowire.select("sqs")`` and ``botowire[1:]`` both give one; narrowing steps apply in
    the order written (``botowire.select("sqs")[1:]`` is every SQS request but the first).
    """

    __slots__ = ("_filters",)

    def __init__(self, recorder: Recorder, filters: tuple[Any, ...]) -> None:
        super().__init__(recorder)
        self._filters = filters

    def _matches(self, service: str, operation: str) -> bool:
        return all(f.matches(service, operation) for f in self._filters)

    def _targets(self) -> list[CapturedRequest]:
        requests = self._recorder.requests
        for step in self._filters:  # each step makes a new list: the recorder's is never handed out
            requests = step.narrow(requests)
        return requests

    def _patterns(self) -> tuple[Any, ...]:
        return self._filters

    def _matching_stubbed(self) -> list[str]:
        return [name for name in self._recorder.stubbed_calls if self._matches(*name.split(".", 1))]

    def _label(self) -> str:
        parts: list[str] = []
        for step in self._filters:
            if isinstance(step, _Slice):
                parts.append(f"sliced {step}")
            elif parts and parts[-1].startswith("matching"):
                parts[-1] += f" and {step}"
            else:
                parts.append(f"matching {step}")
        if parts[0].startswith("sliced"):
            parts.insert(0, "all captured requests")
        return ", ".join(parts)

    def _no_match(self) -> str:
        if any(isinstance(step, _Slice) for step in self._filters):
            return f"no request in {self._label()}"
        return "no request matched " + " and ".join(str(f) for f in self._filters)


class Wire(RequestSequence):
    """Every request the test sent, in sending order: the ``botowire`` fixture.

    Indexing, ``len`` and iteration give ``CapturedRequest`` objects; ``select`` narrows by
    pattern; every assertion of ``CapturedRequest`` is available and must hold for every
    request.
    """

    __slots__ = ("_limits",)

    def __init__(self, recorder: Recorder, *, limits: Callable[[], Any] | None = None) -> None:
        super().__init__(recorder)
        #: the test's limit rules (``_checks.item_limits``), computed when asked for
        self._limits = limits

    @property
    def mode(self) -> str | None:
        """Where requests go: ``"offline"``, ``"passthrough"`` or ``"strict"``."""
        return self._recorder.mode

    def clear(self) -> None:
        """Forget the requests captured so far (for example after set-up calls)."""
        self._recorder.reset()

    def respond(
        self,
        pattern: str | Sequence[str],
        data: Any = None,
        *,
        error: str | None = None,
        message: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> Response:
        """Answer the next requests matching ``pattern`` at the wire, in any mode.

        ``data`` is shaped like the client method's return value (as ``Stubber.add_response``
        takes it) and is checked against the operation's output shape now; it is serialized
        in the operation's own protocol and parsed back by botocore. ``error="Throttling"``
        (with ``status``, default the error's modeled status or 400) answers with that service
        error, so botocore raises the modeled exception and retries as against AWS.
        For an API with no botocore model, named by signing name and HTTP method
        (``"execute-api.POST"``, ``"lambda.POST"`` for function URLs), ``data`` is the body
        itself: bytes, ``str`` or anything ``json.dumps`` takes; ``error=`` gives the status
        (default 400) and a JSON error body.
        Responses are used in the order registered; ``times=None`` answers every matching
        request, ``times=N`` the next N. A response never used fails the test at its end
        (opt out with ``@pytest.mark.botowire(assert_all_responses_used=False)``).
        """
        __tracebackhide__ = True
        responses = self._recorder.responses
        if responses is None:
            raise RuntimeError("respond() needs the botowire fixture's recorder")
        response: Response = responses.add(
            pattern, data, error=error, message=message, status=status, headers=headers, times=times
        )
        return response

    def limit_for(self, request: CapturedRequest | str) -> LimitExplanation:
        """Which limit rules apply to ``request`` in this test, and why.

        ``request`` is a captured request (its parameters and sizes are measured) or a name
        like ``"sqs.SendMessage"`` (nothing is measured). The rules are the test's markers
        over the run's options (``--botowire-aws-limits``, ``--botowire-max-payload``, ini
        ``botowire_limits``); ``str()`` of the result tells where each comes from and why each
        matching rule applies or not.
        """
        __tracebackhide__ = True
        from pytest_botowire.features.checks import explain_limits

        limits = self._limits() if self._limits is not None else None
        return explain_limits(limits, request, self._recorder.test_id)
