"""Shared fixtures: moto servers on the loopback interface that record what they receive."""

from __future__ import annotations

import io
import ssl
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import pytest_botowire


def _import_the_whole_package() -> None:
    """Import every module of the plugin now, before any test runs.

    The plugin imports most of its modules on first use. pytester's in-process runs
    (``runpytest``) put ``sys.modules`` back as it was before the run, so a module first
    imported inside one is dropped afterwards and imported anew by a later run, with new
    classes: a module kept from the first import then holds the old ``CapturedRequest``
    and ``isinstance`` fails, depending on the order the tests ran in.
    """
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(pytest_botowire.__path__, "pytest_botowire."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


_import_the_whole_package()


@dataclass(frozen=True)
class Received:
    """One HTTP request as the server read it (transfer encoding removed, nothing else)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class _Recording:
    """WSGI middleware: read the whole body, remember it, hand the same bytes to moto."""

    def __init__(self, app: Any, log: list[Received], lock: threading.Lock) -> None:
        self.app, self.log, self.lock = app, log, lock

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.wsgi import get_input_stream

        body = b""
        if environ.get("wsgi.input_terminated") or environ.get("CONTENT_LENGTH"):
            body = get_input_stream(environ, safe_fallback=False).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/moto-api"):
            headers = {
                k[5:].replace("_", "-").lower(): v
                for k, v in environ.items()
                if k.startswith("HTTP_")
            }
            for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                if environ.get(key):
                    headers[key.replace("_", "-").lower()] = environ[key]
            with self.lock:
                self.log.append(
                    Received(
                        environ["REQUEST_METHOD"],
                        path,
                        environ.get("QUERY_STRING", ""),
                        headers,
                        body,
                    )
                )
        return self.app(environ, start_response)


class RecordingMotoServer:
    """moto's ``ThreadedMotoServer`` on 127.0.0.1, port 0, optionally over TLS, recording bodies."""

    def __init__(self, cert: tuple[str, str] | None = None) -> None:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from moto.server import ThreadedMotoServer

        class _Quiet(MotoRequestHandler):  # type: ignore[misc]
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.cert = cert
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        recording, moto = self, self._moto

        def entry() -> None:  # ThreadedMotoServer._server_entry, plus recording and TLS
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                create_backend_app,
            )
            from werkzeug.serving import make_server

            app = _Recording(
                DomainDispatcherApplication(create_backend_app), recording.received, recording._lock
            )
            moto._server = make_server(
                "127.0.0.1", 0, app, True, request_handler=_Quiet, ssl_context=cert
            )
            moto._server_ready_event.set()
            moto._server.serve_forever()

        self._moto._server_entry = entry  # type: ignore[method-assign]
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.url = f"https://localhost:{port}" if cert else f"http://{host}:{port}"

    def client(self, service: str, **config: Any) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            verify=self.cert[0] if self.cert else None,
            config=Config(
                retries={"mode": "standard", "total_max_attempts": 1},
                connect_timeout=10,
                read_timeout=60,
                s3={"addressing_style": "path"},
                **config,
            ),
        )

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def reset(self) -> None:
        """Forget what was received and every resource moto holds."""
        self.clear()
        context = ssl.create_default_context(cafile=self.cert[0]) if self.cert else None
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, context=context).close()


@pytest.fixture(scope="session")
def _moto_http() -> Iterator[RecordingMotoServer]:
    server = RecordingMotoServer()
    yield server
    server._moto.stop()


@pytest.fixture(scope="session")
def _moto_https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordingMotoServer]:
    from werkzeug.serving import make_ssl_devcert

    cert = make_ssl_devcert(str(tmp_path_factory.mktemp("tls") / "localhost"), host="localhost")
    server = RecordingMotoServer(cert)
    yield server
    server._moto.stop()


@pytest.fixture
def moto_server(_moto_http: RecordingMotoServer) -> RecordingMotoServer:
    """A plain-HTTP moto server (shared by the session), its log and state emptied."""
    _moto_http.reset()
    return _moto_http


@pytest.fixture
def moto_tls_server(_moto_https: RecordingMotoServer) -> RecordingMotoServer:
    """An HTTPS moto server on ``https://localhost`` (botocore then sends aws-chunked uploads)."""
    _moto_https.reset()
    return _moto_https


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No AWS credentials anywhere botocore looks: environment, files, instance metadata."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
