"""botocore's service models by client name, service ids, and the protocol each service uses.

Every lookup of a service model in the package goes through here: one loader, cached for the
process, and one table of service ids (``service_ids``) with the models as the fallback.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

#: host suffixes that are AWS whatever the test configured
AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".on.aws")
#: SigV4 signing names of HTTP APIs that botocore has no client for; patterns accept them
HTTP_SERVICES = frozenset({"execute-api", "aoss", "neptune-db", "vpc-lattice-svcs", "unknown"})
#: operation names of requests whose operation is not a botocore one
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _loader() -> Loader:
    from botocore.loaders import create_loader

    return create_loader()


@functools.lru_cache(maxsize=1)
def available_services() -> frozenset[str]:
    """The client names of every service the installed botocore ships."""
    return frozenset(_loader().list_available_services("service-2"))


@functools.cache
def service_model(client_name: str) -> ServiceModel:
    """botocore's ``ServiceModel`` for a client name (cached for the process)."""
    from botocore.model import ServiceModel

    with _lock:
        data = _loader().load_service_model(client_name, "service-2")
    return ServiceModel(data, service_name=client_name)


def service_id_of(client_name: str) -> str:
    """The hyphenized service id of a client name (``"logs"`` -> ``"cloudwatch-logs"``)."""
    known = _ids()[0].get(client_name)
    if known is not None:
        return known
    return service_id_of_model(client_name)


@functools.lru_cache(maxsize=1)
def _service_id_index() -> dict[str, str]:
    """Map the service ids of the services the shipped table lacks to their client names.

    Loads the model of each such service (a few with a botocore newer than the table).
    """
    index = {}
    for name in sorted(available_services() - _ids()[1]):
        index[service_id_of_model(name)] = name
    return index


def service_id_of_model(client_name: str) -> str:
    """The hyphenized service id read from the service model itself."""
    return str(service_model(client_name).service_id.hyphenize())


@functools.cache
def _ids() -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    """The shipped table (client name -> service id), its client names, and the reverse map;
    loaded on first use (the table is large, and the capture handlers load with botocore)."""
    from pytest_botowire.aws.service_ids import CLIENT_TO_SERVICE_ID, KNOWN_CLIENTS

    reverse = {service_id: client for client, service_id in CLIENT_TO_SERVICE_ID.items()}
    return CLIENT_TO_SERVICE_ID, frozenset(KNOWN_CLIENTS), reverse


def client_name_for(service: str) -> str | None:
    """Resolve a client name or a hyphenized service id to the client name, or ``None``."""
    services = available_services()
    if service in services:
        return service
    _, known_clients, by_service_id = _ids()
    client = by_service_id.get(service)
    if client is not None and client in services:
        return client
    if services <= known_clients:
        return None  # the shipped table covers every service of this botocore
    # A service id of a service the shipped table does not know (a newer botocore): ask the
    # models of those services only.
    return _service_id_index().get(service)


def operation_names(client_name: str) -> tuple[str, ...]:
    """The API names of every operation of a service."""
    return tuple(service_model(client_name).operation_names)


def resolved_protocol(service_model: ServiceModel | Any) -> str:
    """The protocol botocore uses for a service (newer botocore picks one of several)."""
    protocol = getattr(service_model, "resolved_protocol", None)
    if isinstance(protocol, str):
        return protocol
    return str(service_model.metadata.get("protocol", ""))


@functools.cache
def paginator_configs(client_name: str) -> dict[str, Any]:
    """botocore's paginator configurations of a service by operation name (empty if none)."""
    with _lock:
        try:
            data = _loader().load_service_model(client_name, "paginators-1")
        except Exception:
            return {}
    return dict(data.get("pagination") or {})


@functools.cache
def waiter_configs(client_name: str) -> dict[str, Any]:
    """botocore's waiter configurations of a service by waiter name (empty if none)."""
    with _lock:
        try:
            data = _loader().load_service_model(client_name, "waiters-2")
        except Exception:
            return {}
    return dict(data.get("waiters") or {})


@functools.cache
def content_encoding_is_metadata(client_name: str, operation: str) -> bool:
    """Whether the operation's caller sets ``Content-Encoding`` as a stored value.

    S3's ``PutObject``, ``CreateMultipartUpload`` and ``CopyObject`` model ``ContentEncoding``
    as a header member: S3 stores it with the object and never decodes the body by it (only
    ``aws-chunked`` is a transfer framing there), so ``gzip`` over plain bytes is legal.
    """
    try:
        shape = service_model(client_name).operation_model(operation).input_shape
    except Exception:
        return False
    if shape is None:
        return False
    return any(
        member.serialization.get("location") == "header"
        and str(member.serialization.get("name", "")).lower() == "content-encoding"
        for member in shape.members.values()
    )
