"""How the capture handlers reach every client: the import hook and already-created clients.

These run in fresh interpreters, because the test process itself imported botocore long ago.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_importing_the_plugin_does_not_import_botocore() -> None:
    result = run_python(
        """
        import sys
        import pytest_botowire, pytest_botowire.plugin
        assert "botocore" not in sys.modules, sorted(m for m in sys.modules if m.startswith("boto"))
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_clients_created_after_the_plugin_loaded_are_captured_through_the_import_hook() -> None:
    result = run_python(
        """
        import sys
        import pytest_botowire.plugin            # installs the import hook, botocore not loaded
        from pytest_botowire.capture import install as _capture
        from pytest_botowire.capture.recorder import Recorder
        import boto3                              # botocore.handlers loads here
        client = boto3.client("sqs", region_name="us-east-1",
                              aws_access_key_id="AKID", aws_secret_access_key="x")
        recorder = Recorder(mode="passthrough")
        seen = []
        client.meta.events.register("before-send.sqs.ListQueues", lambda request, **kw: seen.append(1) or _answer(request))
        def _answer(request):
            from pytest_botowire.aws.serialize import serialize_response, to_aws_response
            model = client.meta.service_model.operation_model("ListQueues")
            return to_aws_response(request.url, serialize_response(model, {}))
        _capture.activate(recorder)
        client.list_queues()
        _capture.deactivate(recorder)
        client.list_queues()                      # not captured: no test is capturing
        assert [r.operation for r in recorder.requests] == ["ListQueues"], recorder.requests
        assert seen == [1, 1]
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_clients_that_existed_before_the_plugin_loaded_are_captured_too() -> None:
    result = run_python(
        """
        import boto3
        early = boto3.client("sqs", region_name="us-east-1",
                             aws_access_key_id="AKID", aws_secret_access_key="x")
        from pytest_botowire.capture import install as _capture
        from pytest_botowire.capture.recorder import Recorder
        from pytest_botowire.features.offline import offline_answer
        _capture.install()                        # botocore already loaded: finds the emitters
        recorder = Recorder(mode="offline")
        recorder.last_responder = offline_answer
        _capture.activate(recorder)
        early.list_queues()
        late = boto3.client("sqs", region_name="us-east-1",
                            aws_access_key_id="AKID", aws_secret_access_key="x")
        late.list_queues()
        _capture.deactivate(recorder)
        assert [r.answered_by for r in recorder.requests] == ["botowire", "botowire"], recorder.requests
        # each handler registered once on the early client's emitter
        handlers = list(early.meta.events._emitter._lookup_cache.get("before-send.sqs.ListQueues", []))
        names = [getattr(h, "__name__", "") for h in handlers]
        assert names.count("_on_before_send_first") == 1, names
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_module_level_client_of_the_code_under_test_is_captured(
    pytester: pytest.Pytester,
) -> None:
    """The real thing: a fresh pytest process where conftest imports the app before any test."""
    pytester.makepyfile(
        app="""
        import boto3
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")

        def publish(n):
            cloudwatch.put_metric_data(Namespace="app", MetricData=[
                {"MetricName": f"m{i}", "Value": 1.0} for i in range(n)])
        """
    )
    pytester.makeconftest("import app\n")
    pytester.makepyfile(
        test_app="""
        import sys
        import app

        def test_it(botowire):
            app.publish(3)
            botowire.select("cloudwatch.PutMetricData").assert_called(times=1)
            botowire.assert_params(Namespace="app")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


START_UP_MODULES = [
    "pytest_botowire",
    "pytest_botowire.capture",
    "pytest_botowire.capture.install",
    "pytest_botowire.features",
    "pytest_botowire.features.options",
    "pytest_botowire.features.settings",
    "pytest_botowire.hooks",
    "pytest_botowire.plugin",
]


def test_a_run_that_never_imports_botocore_loads_only_the_start_up_modules(
    pytester: pytest.Pytester,
) -> None:
    """Every module is one more file pytest's assertion rewriter reads at start-up (issue 13):
    the capture machinery and the integrations wait for botocore or a capturing test."""
    pytester.makeconftest(
        """
        import sys

        def pytest_unconfigure(config):
            loaded = sorted(n for n in sys.modules if n.startswith("pytest_botowire"))
            print("LOADED", ",".join(loaded))
        """
    )
    pytester.makepyfile(test_empty="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["LOADED " + ",".join(START_UP_MODULES)])


def test_the_capture_machinery_loads_with_botocore(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_client="""
        import sys

        def test_import_botocore():
            assert "pytest_botowire.capture.handlers" not in sys.modules
            import botocore.session
            assert "pytest_botowire.capture.handlers" in sys.modules
            import botocore.handlers
            from pytest_botowire.capture import handlers

            registered = {handler for _, handler, *_ in botocore.handlers.BUILTIN_HANDLERS}
            assert {handler for _, handler, _ in handlers.HANDLERS} <= registered
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
