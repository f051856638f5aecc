"""Cost and output size of ``gzip_request_body`` at levels 1..9 against botocore's own gzip.

Usage: ``python benchmarks/bench_gzip.py [--quick]``

Bodies are real PutMetricData serializations made by a botocore client (compression off, the
request captured at ``before-send``): 1000 metrics, and about 1 MB (1000 metrics with value
arrays). botocore's own compression (``botocore.compress._gzip_compress_body``, level 9) is
measured on the same bodies in the same process, and every timing is shown as a ratio to it;
MB/s (uncompressed MB per second) is shown for information only. Each figure is the best of
several repeats, so it estimates the cost without scheduler noise.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_botowire.features.gzip import DEFAULT_LEVEL, gzip_request_body


def serialize_put_metric_data(metric_data: list[dict[str, Any]]) -> bytes:
    """The body a real cloudwatch client sends for ``put_metric_data`` (uncompressed)."""
    import botocore.session
    from botocore.config import Config

    from pytest_botowire.aws.serialize import serialize_response, to_aws_response

    client = botocore.session.get_session().create_client(
        "cloudwatch",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="bench-secret",
        config=Config(disable_request_compression=True),
    )
    seen: list[bytes] = []

    model = client.meta.service_model.operation_model("PutMetricData")

    def send(request: Any, **kwargs: Any) -> Any:
        body = request.body
        # botocore < 1.42.7 sends CloudWatch as a query form, a str at before-send
        seen.append(body.encode("utf-8") if isinstance(body, str) else body)
        return to_aws_response(request.url, serialize_response(model, {}))

    client.meta.events.register("before-send.cloudwatch.PutMetricData", send)
    client.put_metric_data(Namespace="Bench/App", MetricData=metric_data)
    return seen[-1]


def realistic_metrics(count: int, values: int = 0, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` metrics like a service publishes: names, dimensions, timestamps, values."""
    rng = random.Random(seed)
    base = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.timezone.utc)
    names = ["Latency", "RequestCount", "Errors", "QueueDepth", "CpuPercent", "BytesOut"]
    metrics = []
    for i in range(count):
        metric: dict[str, Any] = {
            "MetricName": rng.choice(names),
            "Dimensions": [
                {"Name": "Service", "Value": f"svc-{rng.randrange(40)}"},
                {"Name": "Host", "Value": f"ip-10-0-{rng.randrange(256)}-{rng.randrange(256)}"},
                {"Name": "Shard", "Value": f"shardId-{i % 64:012d}"},
            ],
            "Timestamp": base + datetime.timedelta(seconds=i),
            "Unit": rng.choice(["Milliseconds", "Count", "Percent", "Bytes"]),
            "StorageResolution": 60,
        }
        if values:
            metric["Values"] = [round(rng.lognormvariate(3, 1), 3) for _ in range(values)]
            metric["Counts"] = [float(rng.randrange(1, 20)) for _ in range(values)]
        else:
            metric["Value"] = round(rng.lognormvariate(3, 1), 3)
        metrics.append(metric)
    return metrics


def _calls_for(func: Callable[[], object], min_seconds: float) -> int:
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            func()
        if time.perf_counter() - start >= min_seconds:
            return calls
        calls *= 2


def _run(func: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        func()
    return (time.perf_counter() - start) / calls


def best_times(
    ref: Callable[[], object], func: Callable[[], object], repeats: int, min_seconds: float
) -> tuple[float, float]:
    """Best seconds per call of ``ref`` and ``func``, measured interleaved so drift cancels."""
    ref_calls = _calls_for(ref, min_seconds)
    calls = _calls_for(func, min_seconds)
    ref_best = func_best = float("inf")
    for _ in range(repeats):
        ref_best = min(ref_best, _run(ref, ref_calls))
        func_best = min(func_best, _run(func, calls))
    return ref_best, func_best


def handler_call(body: bytes, level: int) -> Callable[[], object]:
    """One ``gzip_request_body`` call on a fresh ``AWSRequest`` carrying ``body``."""
    from botocore.awsrequest import AWSRequest

    def run() -> object:
        request = AWSRequest(
            method="POST",
            url="https://monitoring.us-east-1.amazonaws.com/",
            data=body,
            headers={"Content-Type": "application/x-amz-json-1.0"},
        )
        gzip_request_body(request, compresslevel=level)
        return request.data

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI smoke run)")
    args = parser.parse_args(argv)
    repeats, min_seconds = (2, 0.02) if args.quick else (5, 0.1)

    from botocore.compress import _gzip_compress_body

    bodies = {
        "1000 metrics": serialize_put_metric_data(realistic_metrics(1000)),
        "~1 MB (1000 metrics x 50 values)": serialize_put_metric_data(
            realistic_metrics(1000, values=50)
        ),
    }
    print(f"Python {sys.version.split()[0]}; default level {DEFAULT_LEVEL}")
    header = (
        f"{'body':<34} {'compressor':<18} {'out bytes':>10} {'size/botocore':>13} "
        f"{'time/botocore':>13} {'ms':>8} {'MB/s':>8}"
    )
    for label, body in bodies.items():
        mb = len(body) / 1e6
        print()
        print(f"{label}: {len(body):,} bytes uncompressed")
        print(header)
        print("-" * len(header))
        ref_out = _gzip_compress_body(body)

        def ref(b: bytes = body) -> object:
            return _gzip_compress_body(b)

        ref_times: list[float] = []
        rows = []
        for level in range(1, 10):
            run = handler_call(body, level)
            out = run()
            assert isinstance(out, bytes)
            ref_time, seconds = best_times(ref, run, repeats, min_seconds)
            ref_times.append(ref_time)
            rows.append((level, out, ref_time, seconds))
        ref_best = min(ref_times)
        print(
            f"{label[:34]:<34} {'botocore (level 9)':<18} {len(ref_out):>10,} {1.0:>13.3f} "
            f"{1.0:>13.2f} {ref_best * 1e3:>8.2f} {mb / ref_best:>8.1f}"
        )
        for level, out, ref_time, seconds in rows:
            name = f"handler level {level}" + (" *" if level == DEFAULT_LEVEL else "")
            print(
                f"{label[:34]:<34} {name:<18} {len(out):>10,} {len(out) / len(ref_out):>13.3f} "
                f"{seconds / ref_time:>13.2f} {seconds * 1e3:>8.2f} {mb / seconds:>8.1f}"
            )
    print()
    print("* = DEFAULT_LEVEL. Ratios < 1 mean smaller output / less time than botocore's gzip.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
