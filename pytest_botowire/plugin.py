"""The pytest plugin: options, the ``botowire`` marker, fixtures and end-of-test checks.

Importing this module does not import botocore: pytest's start-up stays fast, and the capture
handlers are added when botocore is first imported (see ``capture.install``). It loads only
what every run needs (options, settings, the install hook); the capture machinery and the
integrations load when botocore is imported or a test first captures.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import TYPE_CHECKING

import pytest

from pytest_botowire.capture import MODES
from pytest_botowire.capture import install as _capture
from pytest_botowire.features.options import MARKER_SIGNATURE
from pytest_botowire.features.settings import (
    ENV_KEY,
    OPTIONS_ERROR_KEY,
    OPTIONS_KEY,
    RECORDER_KEY,
    SESSION_KEY,
    RunSettings,
    limits_requested,
)
from pytest_botowire.features.settings import options as _options

if TYPE_CHECKING:
    from pytest_botowire.capture.recorder import Recorder
    from pytest_botowire.features.gzip_fixture import BotowireGzip
    from pytest_botowire.features.limits.report import ReportingPlugin
    from pytest_botowire.wire import Wire

_capture.install()

_integrations_installed = False


def _install_integrations() -> None:
    """Register the aiobotocore and moto integrations, when a test first captures."""
    global _integrations_installed
    if _integrations_installed:
        return
    from pytest_botowire.integrations import aiobotocore, moto

    aiobotocore.install()
    moto.install()
    _integrations_installed = True


_REPORTING_KEY = pytest.StashKey["ReportingPlugin"]()


def _reporting(config: pytest.Config) -> ReportingPlugin:
    """The summary/report plugin, registered with pytest on first use."""
    plugin = config.stash.get(_REPORTING_KEY, None)
    if plugin is None:
        from pytest_botowire.features.limits.report import ReportingPlugin

        limits = config.stash[SESSION_KEY].limits
        plugin = ReportingPlugin(config, limits)
        if limits.report_md_path is not None:
            from pytest_botowire.features.limits.markdown import write_markdown

            plugin.writers.append(("Markdown summary", limits.report_md_path, write_markdown))
        config.stash[_REPORTING_KEY] = plugin
        config.pluginmanager.register(plugin, "botowire-reporting")
    return plugin


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Add ``pytest_botowire_limits`` (see ``pytest_botowire.hooks``)."""
    from pytest_botowire import hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--botowire-*`` options and their ini forms."""
    group = parser.getgroup("botowire", "pytest-botowire: what botocore sends on the wire")
    group.addoption(
        "--botowire-mode",
        dest="botowire_mode",
        choices=MODES,
        default=None,
        help="where requests of tests using the botowire fixture go: offline (default: answered "
        "locally, nothing reaches the network), passthrough (sent where addressed), strict "
        "(a request nothing answered fails the test).",
    )
    group.addoption(
        "--botowire-body-cap",
        dest="botowire_body_cap",
        default=None,
        metavar="BYTES",
        help="keep at most BYTES of each request body (default 8 MiB); sizes stay exact.",
    )
    parser.addini(
        "botowire_mode",
        "default mode of the botowire fixture (offline, passthrough, strict)",
        default="offline",
    )
    parser.addini(
        "botowire_body_cap", "bytes of each request body to keep (default 8388608)", default=""
    )
    from pytest_botowire.features.options import add_limit_options, add_retry_options

    add_limit_options(group, parser)
    add_retry_options(group, parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and read the run-wide settings."""
    config.addinivalue_line(
        "markers",
        f"{MARKER_SIGNATURE}: configure pytest-botowire for a test, class or module; "
        "the closest marker wins and keys merge.",
    )
    settings = RunSettings(config)
    config.stash[SESSION_KEY] = settings
    if limits_requested(config):
        _reporting(config)

    def hook_rules(result: object) -> None:
        if result:
            _reporting(config)
            settings.limits._add_hook_result(result)

    # Historic: a conftest.py loaded later still adds its rules for the whole run.
    config.hook.pytest_botowire_limits.call_historic(
        kwargs={"config": config}, result_callback=hook_rules
    )


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """On the xdist controller, which runs no test itself: start reporting for a worker's rows."""
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    if _REPORTING_KEY not in config.stash and getattr(node, "workeroutput", {}).get("botowire"):
        _reporting(config).pytest_testnodedown(node, error)


def _start(item: pytest.Item, mode: str | None) -> Recorder:
    """The test's recorder, started when first needed (passive when ``mode`` is None)."""
    recorder = item.stash.get(RECORDER_KEY, None)
    settings = item.config.stash[SESSION_KEY]
    options = _options(item)
    if recorder is None:
        _install_integrations()
        from pytest_botowire.capture.recorder import Recorder

        recorder = Recorder(
            mode=mode,
            body_cap=options.body_cap if options.body_cap is not None else settings.body_cap,
            test_id=item.nodeid,
        )
        item.stash[RECORDER_KEY] = recorder
        _reporting(item.config)  # the summary counts this test's requests
        _capture.activate(recorder)
    elif mode is not None:
        recorder.mode = mode
    return recorder


def _start_fixture(item: pytest.Item) -> Recorder:
    """Capture for a test that uses the ``botowire`` fixture, in its mode (idempotent).

    Called before the test's first fixture is set up (``pytest_runtest_setup``), so the
    requests of function-scoped fixtures set up before ``botowire`` are captured and answered
    like the test's own; and by the fixture itself, for ``request.getfixturevalue``.
    """
    settings = item.config.stash[SESSION_KEY]
    options = _options(item)
    mode = options.mode or settings.mode
    recorder = _start(item, mode)
    if recorder.responses is None:
        from pytest_botowire.features.respond import Responses

        recorder.responses = Responses()
        recorder.first_responder = recorder.responses.answer
    from pytest_botowire.features import retries

    recorder.skip_retry_sleep = retries.skips_sleep(mode, options.retry_sleep, settings.retry_sleep)
    retries.install()
    if mode in ("offline", "strict") and recorder.last_responder is None:
        from pytest_botowire.capture.credentials import offline_environment
        from pytest_botowire.features.offline import install_metadata_answers, offline_answer

        install_metadata_answers()
        recorder.last_responder = offline_answer
        recorder.fake_credentials = True
        added = offline_environment()
        if added:
            item.stash[ENV_KEY] = {name: os.environ.get(name) for name in added}
            os.environ.update(added)
    return recorder


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    """Keep fixtures wider than a function out of the test that happens to set them up.

    A session-, package-, module- or class-scoped fixture is shared by tests of any mode: its
    set-up and its teardown are not captured (they go where they are addressed, as without
    the plugin), whichever test triggers them.
    """
    if fixturedef.scope == "function":
        return (yield)
    teardown = _Paused()
    fixturedef.addfinalizer(teardown.resume)  # runs after the fixture's own teardown
    recorder = _capture.active()
    if recorder is not None:
        _capture.pause(recorder)
    try:
        return (yield)
    finally:
        if recorder is not None:
            _capture.resume(recorder)
        fixturedef.addfinalizer(teardown.pause)  # runs before the fixture's own teardown


class _Paused:
    """Capture paused around a wide fixture's teardown, resumed for whoever was capturing."""

    __slots__ = ("recorder",)

    def __init__(self) -> None:
        self.recorder: Recorder | None = None

    def pause(self) -> None:
        self.recorder = _capture.active()
        if self.recorder is not None:
            _capture.pause(self.recorder)

    def resume(self) -> None:
        if self.recorder is not None:
            _capture.resume(self.recorder)
            self.recorder = None


def _stop(item: pytest.Item) -> None:
    recorder = item.stash.get(RECORDER_KEY, None)
    if recorder is not None:
        from pytest_botowire.integrations import requests as _requests_capture

        _requests_capture.stop(recorder)
        _capture.deactivate(recorder)
    saved = item.stash.get(ENV_KEY, None)
    if saved is not None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        del item.stash[ENV_KEY]
    _report_late(item.config, item)
    if recorder is not None and len(recorder.errors) > recorder.reported_errors:
        # failures after the test body (in fixture teardown): too late to fail the test
        import warnings

        from pytest_botowire.model.messages import BotowireWarning, internal_failures

        late = recorder.errors[recorder.reported_errors :]
        recorder.reported_errors = len(recorder.errors)
        warnings.warn(BotowireWarning(internal_failures(late)), stacklevel=2)
    if recorder is not None:
        from pytest_botowire.features.limits.report import collect

        collect(item, recorder)  # the run's summary and report


_LATE_KEY = pytest.StashKey[dict[tuple[str, str], int]]()


def _report_late(config: pytest.Config, item: pytest.Item | None = None) -> None:
    """Report requests that threads of ended tests sent since the last report: a warning on
    ``item`` (the test that ran meanwhile), and a line in the terminal summary."""
    if not _capture.LATE:
        return
    from pytest_botowire.model.messages import BotowireWarning, sent_after_test

    totals = config.stash.setdefault(_LATE_KEY, {})
    for test_id, mode, names in _capture.take_late():
        how = "answered offline" if mode in ("offline", "strict") else "sent to the network"
        key = (str(test_id), how)
        totals[key] = totals.get(key, 0) + len(names)
        # a passively captured test (mode None) gets no warning: with -W error it would
        # change the outcome of a test that did not ask for the plugin
        if item is not None and mode is not None:
            item.warn(BotowireWarning(sent_after_test(test_id, mode, names)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per test whose threads sent requests after it ended."""
    config = terminalreporter.config
    _report_late(config)
    totals = config.stash.get(_LATE_KEY, None)
    if not totals:
        return
    from pytest_botowire.model.messages import THREADS_DOCS, plural

    terminalreporter.write_sep("=", "botowire: requests sent outside their test")
    for (test_id, how), count in sorted(totals.items()):
        terminalreporter.write_line(
            f"{plural(count, 'request')} by threads of {test_id} after it ended: {how}, "
            "captured in no test"
        )
    terminalreporter.write_line(f"See {THREADS_DOCS}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Start capture before any fixture runs: for a test that uses ``botowire`` (in its mode), or
    passively when the run captures every test.

    A test marked ``botowire(gzip=...)`` is captured too, with its gzip policy in force from
    the first fixture on.
    """
    if "botowire" in getattr(item, "fixturenames", ()):
        _start_fixture(item)
    gzip = _options(item).gzip
    if item.config.stash[SESSION_KEY].capture_all or gzip not in (None, False):
        recorder = _start(item, None)
        if gzip not in (None, False):
            from pytest_botowire.features.gzip_fixture import BotowireGzip

            control = BotowireGzip(recorder)
            if gzip is not True:
                path, line, _ = item.reportinfo()
                control.enable_for_marker(gzip, (str(path), (line or 0) + 1))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Fail the test, after its body, for what its markers and the run's options ask."""
    _options(item)
    error = item.stash.get(OPTIONS_ERROR_KEY, None)
    if error is not None:
        pytest.fail(str(error), pytrace=False)
    raised: Exception | None = None
    try:
        result = yield
    except Exception as exc:
        recorder = item.stash.get(RECORDER_KEY, None)
        if recorder is None or not (recorder.unanswered or recorder.errors):
            raise
        raised = exc
    if raised is not None:
        # The code under test usually fails on the error response it got (in strict mode,
        # or where the plugin failed to answer); that cause is worth reading first.
        from pytest_botowire.features.checks import end_of_test_problems

        recorder = item.stash[RECORDER_KEY]
        problems = end_of_test_problems(item, recorder, item.stash[OPTIONS_KEY])
        if not problems:
            raise raised
        pytest.fail(
            "\n\n".join(problems) + f"\n  The test then raised {type(raised).__name__}: {raised}",
            pytrace=False,
        )
    recorder = item.stash.get(RECORDER_KEY, None)
    if recorder is not None:
        from pytest_botowire.features.checks import end_of_test_problems

        problems = end_of_test_problems(item, recorder, item.stash[OPTIONS_KEY])
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)
    return result


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    """Explain a comparison with captured ``Headers`` with their secrets redacted.

    pytest explains a comparison of mappings with their raw values, which would print the
    signature in ``Authorization`` and the session token; this explanation redacts them.
    """
    from collections.abc import Mapping

    from pytest_botowire.aws.redact import redact_headers
    from pytest_botowire.model.request import Headers

    if not isinstance(left, Headers) and not isinstance(right, Headers):
        return None
    sides = [redact_headers(s) if isinstance(s, Mapping) else s for s in (left, right)]
    lines = [f"{sides[0]!r} {op} {sides[1]!r}", "Headers compared (secret values redacted):"]
    shown_left, shown_right = sides
    if isinstance(shown_left, dict) and isinstance(shown_right, dict):
        for key in sorted(shown_left.keys() | shown_right.keys()):
            if key not in shown_right:
                lines.append(f"  only on the left: {key}: {shown_left[key]!r}")
            elif key not in shown_left:
                lines.append(f"  only on the right: {key}: {shown_right[key]!r}")
            elif left[key] != right[key]:  # type: ignore[index]
                lines.append(f"  differs: {key}: {shown_left[key]!r} != {shown_right[key]!r}")
    return lines


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """Stop capturing once every fixture of the test is torn down."""
    try:
        return (yield)
    finally:
        _stop(item)
        if RECORDER_KEY in item.stash:
            del item.stash[RECORDER_KEY]


@pytest.fixture
def botowire(request: pytest.FixtureRequest) -> Wire:
    """Capture every botocore request this test sends, exactly as it goes on the wire.

    Returns a ``Wire``: the ordered sequence of ``CapturedRequest`` with ``select(pattern)``
    and the assertions. In the default ``offline`` mode nothing reaches the network: a request
    that nothing else answers (moto, ``botowire.respond``) gets a successful placeholder
    response, and fake credentials and a region are set when none are configured.
    """
    item = request.node
    recorder = _start_fixture(item)
    # AWS requests sent with the requests library join the same sequence (_requests_capture)
    from pytest_botowire.integrations import requests as _requests_capture

    _requests_capture.start(recorder, item.config.getini("botowire_hosts"))
    # undone with this fixture, so patches of mocks set up around it are undone in LIFO order
    request.addfinalizer(lambda: _requests_capture.stop(recorder))  # noqa: PT021
    from pytest_botowire.features.checks import item_limits
    from pytest_botowire.wire import Wire

    options = _options(item)
    # Capture stays on until the test's last fixture is torn down (see
    # pytest_runtest_teardown): a fixture torn down after this one is still captured and,
    # offline, still kept off the network.
    return Wire(recorder, limits=lambda: item_limits(item, options))


@pytest.fixture
def botowire_gzip(request: pytest.FixtureRequest) -> BotowireGzip:
    """Gzip, for this test, the requests of every client (created before or during it).

    Starts with every operation whose model declares gzip request compression, whatever the
    body size; ``botowire_gzip.enable(pattern, min_size=...)`` changes what is gzipped and
    ``botowire_gzip.disable()`` stops it. Bodies are gzipped at ``before-sign`` with
    ``gzip_request_body``, so nothing is gzipped twice and signatures stay valid.
    """
    from pytest_botowire.features.gzip_fixture import BotowireGzip

    return BotowireGzip(_start(request.node, None))
