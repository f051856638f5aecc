"""Each private name of another package that ``pytest_botowire.aws.compat`` relies on still
exists and behaves as assumed. CI runs this module at the lowest and the newest botocore, and
in the aiobotocore environment (the aiobotocore tests run only there)."""

from __future__ import annotations

import inspect
import io
import sys
from typing import Any

import boto3
import botocore.session
import pytest
import requests
import responses
from botocore.awsrequest import HeadersDict
from botocore.credentials import Credentials, RefreshableCredentials
from botocore.exceptions import NoCredentialsError
from botocore.hooks import HierarchicalEmitter
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum
from requests.adapters import HTTPAdapter
from s3transfer.utils import ReadFileChunk

from pytest_botowire.aws import compat
from pytest_botowire.aws.headers import Headers
from pytest_botowire.model.request import snapshot_body


def test_host_from_url_drops_default_ports() -> None:
    assert compat.host_from_url("https://sqs.us-east-1.amazonaws.com:443/q") == (
        "sqs.us-east-1.amazonaws.com"
    )
    assert compat.host_from_url("http://127.0.0.1:80/") == "127.0.0.1"
    assert compat.host_from_url("http://127.0.0.1:8080/x") == "127.0.0.1:8080"


class _Sent(Exception):
    """Raised by a ``before-send`` handler: the request got that far, nothing is sent."""


def _stop(request: Any, **kwargs: Any) -> None:
    raise _Sent(request.headers.get("Authorization"))


def _client_without_credentials() -> Any:
    return botocore.session.Session().create_client("sqs", region_name="us-east-1")


@pytest.mark.usefixtures("no_aws_credentials")
def test_request_signer_keeps_credentials() -> None:
    """``RequestSigner._credentials`` is None without credentials and is what signing reads."""
    client = _client_without_credentials()
    seen: dict[str, Any] = {}

    def before_sign(request_signer: Any, **kwargs: Any) -> None:
        seen["lacked"] = compat.signer_lacks_credentials(request_signer)
        if seen["lacked"] and not seen.get("keep_none"):
            compat.set_signer_credentials(request_signer, Credentials("AKIDCOMPAT", "secret"))
        seen["signer"] = request_signer

    client.meta.events.register("before-sign.sqs.ListQueues", before_sign)
    client.meta.events.register("before-send.sqs.ListQueues", _stop)
    with pytest.raises(_Sent) as sent:
        client.list_queues()
    assert seen["lacked"] is True
    assert "Credential=AKIDCOMPAT/" in str(sent.value)
    assert compat.signer_credentials(seen["signer"]).access_key == "AKIDCOMPAT"

    compat.set_signer_credentials(seen["signer"], None)
    seen["keep_none"] = True
    with pytest.raises(NoCredentialsError):
        client.list_queues()
    assert seen["lacked"] is True
    assert compat.signer_credentials(seen["signer"]) is None


def test_request_signer_of_a_client_with_credentials() -> None:
    client = boto3.client(
        "sqs", region_name="us-east-1", aws_access_key_id="AKIDX", aws_secret_access_key="s"
    )
    signers: list[Any] = []
    client.meta.events.register(
        "before-sign", lambda request_signer, **kw: signers.append(request_signer)
    )
    client.meta.events.register("before-send", _stop)
    with pytest.raises(_Sent):
        client.list_queues()
    assert not compat.signer_lacks_credentials(signers[0])
    assert compat.signer_credentials(signers[0]).access_key == "AKIDX"
    assert compat.signer_lacks_credentials(object()) is False  # no attribute: lend nothing


@pytest.mark.parametrize("checksum", [None, Crc32Checksum])
def test_aws_chunked_wrapper_parts_rebuild_its_bytes(checksum: Any) -> None:
    raw = io.BytesIO(b"x" * 70_000)
    raw.seek(5)
    wrapper = AwsChunkedWrapper(
        raw, checksum_cls=checksum, checksum_name="x-amz-checksum-crc32", chunk_size=65_536
    )
    assert compat.is_aws_chunked(wrapper)
    parts = compat.aws_chunked_parts(wrapper)
    assert parts.raw is raw
    assert parts.chunk_size == 65_536
    assert parts.checksum_cls is checksum
    assert parts.checksum_name == "x-amz-checksum-crc32"
    snapshot = snapshot_body(wrapper, Headers([]), cap=1 << 20)
    assert raw.tell() == 5  # capture put the stream back
    assert snapshot.data == wrapper.read()  # what the wrapper sends, byte for byte
    assert not compat.is_aws_chunked(io.BytesIO(b""))


def test_headers_dict_keeps_its_dict() -> None:
    headers = HeadersDict()
    headers["X-Amz-Target"] = "AmazonSQS.ListQueues"
    headers["content-type"] = "application/x-amz-json-1.0"
    fast = compat.header_dict_fast(headers)
    assert fast is not None
    pairs = [(str(key), value) for key, value in fast.items()]
    assert pairs == list(headers.items())
    assert pairs == [
        ("X-Amz-Target", "AmazonSQS.ListQueues"),
        ("content-type", "application/x-amz-json-1.0"),
    ]
    assert compat.header_dict_fast({"a": "b"}) is None
    # the names as set, read from the key objects without calling __str__
    assert compat.header_names_fast(fast) == ["X-Amz-Target", "content-type"]
    assert all(isinstance(getattr(key, "_key", None), str) for key in fast)
    assert compat.header_names_fast({"plain": "key"}) == ["plain"]  # no _key: str() instead
    lines = compat.header_lines_fast(fast, str)
    assert (
        lines
        == "X-Amz-Target: AmazonSQS.ListQueues\r\ncontent-type: application/x-amz-json-1.0\r\n"
    )
    assert compat.header_lines_fast({"plain": "key"}, str) is None  # the caller falls back


def test_read_file_chunk_callbacks_flag() -> None:
    progress: list[int] = []
    chunk = ReadFileChunk(
        io.BytesIO(b"abcdef"),
        6,
        6,
        callbacks=[lambda bytes_transferred: progress.append(bytes_transferred)],
    )
    assert compat.progress_callbacks_enabled(chunk)
    chunk.disable_callback()
    assert not compat.progress_callbacks_enabled(chunk)
    chunk.read(2)
    assert progress == []
    chunk.enable_callback()
    assert compat.progress_callbacks_enabled(chunk)
    chunk.read(2)
    assert progress == [2]
    assert not compat.progress_callbacks_enabled(io.BytesIO())


def test_caller_frame() -> None:
    def inner() -> Any:
        return compat.caller_frame(1)

    assert inner().f_code is test_caller_frame.__code__


def test_emitters_emit_through_emit() -> None:
    """botocore's handlers run below ``HierarchicalEmitter._emit``, named ``EMIT_NAME``."""
    emitter = HierarchicalEmitter()
    codes: list[Any] = []

    def handler(**kwargs: Any) -> None:
        frame = compat.caller_frame(0)
        while frame is not None:
            codes.append(frame.f_code)
            frame = frame.f_back

    emitter.register("before-send", handler)
    emitter.emit("before-send.sqs.ListQueues", request=None)
    emit_code = HierarchicalEmitter._emit.__code__
    assert emit_code in codes
    assert emit_code.co_name == compat.EMIT_NAME
    if "aiobotocore.hooks" not in sys.modules:
        assert compat.emitter_codes() is None


def test_emitter_codes_with_aiobotocore() -> None:
    pytest.importorskip("aiobotocore", reason="runs in the aiobotocore environment (.ci/run)")
    import aiobotocore.hooks

    codes = compat.emitter_codes()
    assert codes == (
        aiobotocore.hooks.AioHierarchicalEmitter._emit.__code__,
        HierarchicalEmitter._emit.__code__,
    )


def test_refreshable_credentials_keep_frozen_set() -> None:
    creds = RefreshableCredentials.create_from_metadata(
        {
            "access_key": "AKIDR",
            "secret_key": "s",
            "token": "t",
            "expiry_time": "2999-01-01T00:00:00Z",
        },
        refresh_using=lambda: {},
        method="test",
    )
    frozen = compat.frozen_of_refreshable(creds)
    assert frozen == creds.get_frozen_credentials()
    assert frozen is not None
    assert frozen.access_key == "AKIDR"
    assert compat.frozen_of_refreshable(Credentials("a", "b")) is None


def test_responses_private_names() -> None:
    assert compat.responses_default_send() is HTTPAdapter.send
    sent: list[str] = []

    def adapter_send(adapter: Any, request: Any, **kwargs: Any) -> requests.Response:
        sent.append(request.url)
        response = requests.Response()
        response.status_code = 204
        return response

    mock = compat.requests_mock(lambda request: "answer" in request.url, adapter_send)
    assert compat.requests_mock_send(mock) is adapter_send
    assert compat.requests_mock_patch_target(mock) is None
    mock.add(responses.GET, "http://example.invalid/answer", body=b"ok", status=200)
    mock.start()
    try:
        assert compat.requests_mock_patch_target(mock) is HTTPAdapter.send  # what it patched in
        assert requests.get("http://example.invalid/answer").content == b"ok"
        assert requests.get("http://example.invalid/through").status_code == 204
    finally:
        mock.stop()
        mock.reset()
    assert sent == ["http://example.invalid/through"]
    assert compat.requests_mock_patch_target(mock) is None
    parameters = inspect.signature(responses.RequestsMock._on_request).parameters
    assert list(parameters)[:3] == ["self", "adapter", "request"]
    assert parameters["retries"].kind is inspect.Parameter.KEYWORD_ONLY


def test_moto_responses_mock_patcher() -> None:
    from moto import mock_aws

    assert not compat.moto_requests_mock_active()
    with mock_aws():
        assert compat.moto_requests_mock_active()
    assert not compat.moto_requests_mock_active()


def test_moto_stubber_call_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws
    from moto.core import botocore_stubber, models

    stubber = botocore_stubber.BotocoreStubber
    original = getattr(stubber.__call__, "__wrapped__", stubber.__call__)
    assert list(inspect.signature(original).parameters) == [
        "self",
        "event_name",
        "request",
        "kwargs",
    ]
    assert isinstance(models.botocore_stubber, stubber)
    # moto answers through that method: wrapped to skip, moto leaves the request alone
    monkeypatch.setattr(stubber, "__call__", original)
    skip = [False]
    assert compat.wrap_moto_responder(lambda: skip[0])
    assert compat.wrap_moto_responder(lambda: True)  # once: the first wrapper stays
    with mock_aws():
        client = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        url = client.create_queue(QueueName="compat")["QueueUrl"]
        skip[0] = True
        client.meta.events.register("before-send", _stop)
        with pytest.raises(_Sent):  # moto stood aside: the next handler saw the request
            client.send_message(QueueUrl=url, MessageBody="x")
        skip[0] = False
        client.meta.events.unregister("before-send", _stop)
        attributes = client.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        client.send_message(QueueUrl=url, MessageBody="y")  # not skipped: moto answers
        again = client.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert again["ApproximateNumberOfMessages"] == "1"


class _ProbeConfig:
    acceptors: tuple[Any, ...] = ()
    delay = 0
    max_attempts = 1


def _probe_waiter() -> tuple[Any, list[Any]]:
    """A real botocore ``Waiter`` whose one poll notes ``current_waiter()``, and the notes."""
    from botocore.waiter import Waiter

    seen: list[Any] = []

    def operation(**_: Any) -> dict[str, Any]:
        seen.append(compat.current_waiter())
        return {}

    return Waiter("Probe", _ProbeConfig(), operation), seen


def test_current_waiter_is_the_waiter_whose_wait_runs() -> None:
    """``Waiter.wait`` (public, called through the class) is wrapped to note its waiter."""
    from botocore.waiter import Waiter

    waiter, seen = _probe_waiter()
    with pytest.raises(Exception, match="Max attempts exceeded"):
        waiter.wait()
    with pytest.raises(Exception, match="Max attempts exceeded"):
        waiter.wait()  # wrapped by now: the context variable answers
    assert seen == [waiter, waiter]
    assert compat.current_waiter() is None
    assert "botocore.waiter" in compat._WAITS_WRAPPED
    assert inspect.unwrap(Waiter.wait) is not Waiter.wait


def test_current_waiter_running_before_the_wrap_is_found_on_the_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``wait()`` that started before its class was wrapped is found by its frame, once."""
    from botocore.waiter import Waiter

    monkeypatch.setattr(Waiter, "wait", inspect.unwrap(Waiter.wait))
    aio_waiter = getattr(sys.modules.get("aiobotocore.waiter"), "AIOWaiter", None)
    if aio_waiter is not None:  # wrapped afresh below too: put it back afterwards
        monkeypatch.setattr(aio_waiter, "wait", aio_waiter.wait)
    monkeypatch.setattr(compat, "_WAITS_WRAPPED", {})
    waiter, seen = _probe_waiter()
    with pytest.raises(Exception, match="Max attempts exceeded"):
        waiter.wait()
    assert seen == [waiter]
    assert compat._WAITS_WRAPPED["botocore.waiter"] is Waiter


def test_botocore_endpoint_sleeps_through_its_time_module() -> None:
    """``botocore.endpoint`` retries with ``time.sleep(delay)`` on its module-level ``time``."""
    import time

    import botocore.endpoint

    assert "time.sleep(handler_response)" in inspect.getsource(botocore.endpoint.Endpoint)
    from pytest_botowire.features import retries

    retries.install()  # the plugin's own wrapper (the first one installed stays)
    assert botocore.endpoint.time.sleep is not time.sleep  # wrapped (once per process)
    assert botocore.endpoint.time.monotonic is time.monotonic  # every other name is the module's


def test_metadata_fetchers_send_through_urllib3_session() -> None:
    """The container and IMDS credential fetchers send with ``URLLib3Session.send``."""
    from botocore.utils import ContainerMetadataFetcher, InstanceMetadataFetcher

    session_class = compat.urllib3_session_class()
    assert isinstance(ContainerMetadataFetcher()._session, session_class)
    assert isinstance(InstanceMetadataFetcher()._session, session_class)


def test_aws_chunked_wrapper_frames_a_replaced_stream() -> None:
    from botocore.httpchecksum import Crc32Checksum

    wrapper = AwsChunkedWrapper(
        io.BytesIO(b"plain"), checksum_cls=Crc32Checksum, checksum_name="x-amz-checksum-crc32"
    )
    compat.replace_aws_chunked_stream(wrapper, io.BytesIO(b"other bytes"))
    assert compat.aws_chunked_parts(wrapper).raw.getvalue() == b"other bytes"
    sent = wrapper.read()
    assert sent.startswith(b"b\r\nother bytes\r\n0\r\nx-amz-checksum-crc32:")
    expected = Crc32Checksum()
    expected.update(b"other bytes")
    assert sent.endswith(b"x-amz-checksum-crc32:%s\r\n\r\n" % expected.b64digest().encode())
    with pytest.raises(AttributeError):
        compat.replace_aws_chunked_stream(io.BytesIO(), io.BytesIO())


# --------------------------------------------------------------------------- i14: capture path


@pytest.mark.parametrize("module_name", compat.ANSWER_CHOOSER_MODULES)
def test_the_endpoint_chooses_the_before_send_answer_through_first_non_none_response(
    module_name: str,
) -> None:
    import importlib
    import inspect

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        pytest.skip(f"{module_name} is not installed here (the aiobotocore environment runs it)")
    chooser = getattr(module, compat.ANSWER_CHOOSER_NAME)
    # installed by the plugin, wrapping botocore's own function
    assert chooser.botowire_original.__module__ == "botocore.hooks"
    endpoint_class = module.AioEndpoint if module_name.startswith("aio") else module.Endpoint
    source = inspect.getsource(endpoint_class)
    emit = source.index("before-send")
    assert f"{compat.ANSWER_CHOOSER_NAME}(responses)" in source[emit:]


def test_a_pool_worker_is_told_from_a_thread_started_for_one_job() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    seen: list[bool] = []

    def note() -> None:
        seen.append(compat.is_pool_worker(threading.current_thread()))

    with ThreadPoolExecutor(1) as pool:
        pool.submit(note).result()
    thread = threading.Thread(target=note)
    thread.start()
    thread.join()
    assert seen == [True, False]


def test_install_watches_the_endpoint_modules_compat_names() -> None:
    """``capture.install`` writes the module names out (start-up loads no compat): they agree."""
    from pytest_botowire.capture.install import WATCHED_MODULES

    assert ("botocore.handlers", *compat.ANSWER_CHOOSER_MODULES) == WATCHED_MODULES
