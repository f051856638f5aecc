"""The private names of botocore, aiobotocore and CPython listed in ``aws.compat`` still exist."""

from __future__ import annotations

import importlib
import inspect
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pytest_botowire.aws import compat


@pytest.mark.parametrize("module_name", compat.ANSWER_CHOOSER_MODULES)
def test_the_endpoint_chooses_the_before_send_answer_through_first_non_none_response(
    module_name: str,
) -> None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        pytest.skip(f"{module_name} is not installed here (tests/test_aiobotocore.py covers it)")
    chooser = getattr(module, compat.ANSWER_CHOOSER_NAME)
    # installed by the plugin, wrapping botocore's own function
    assert chooser.botowire_original.__module__ == "botocore.hooks"
    endpoint_class = module.AioEndpoint if module_name.startswith("aio") else module.Endpoint
    source = inspect.getsource(endpoint_class)
    emit = (
        source.index('f"before-send.')
        if 'f"before-send.' in source
        else source.index("before-send")
    )
    assert f"{compat.ANSWER_CHOOSER_NAME}(responses)" in source[emit:]


def test_a_pool_worker_is_told_from_a_thread_started_for_one_job() -> None:
    seen: list[bool] = []
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: seen.append(compat.is_pool_worker(threading.current_thread()))).result()
    thread = threading.Thread(
        target=lambda: seen.append(compat.is_pool_worker(threading.current_thread()))
    )
    thread.start()
    thread.join()
    assert seen == [True, False]
