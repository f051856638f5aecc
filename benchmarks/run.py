"""pytest-botowire's performance benchmarks (issue 7): one Markdown table of side-by-side ratios.

Usage: ``python benchmarks/run.py [--quick | --smoke]``

Every figure in the table is a ratio of two things measured in the same run, interleaved in
alternating rounds so that load from other processes hits both sides alike; absolute times
are shown for information only. The sections:

1. capture overhead: a 20-metric CloudWatch ``PutMetricData`` call through a client whose
   ``before-send`` handler returns a canned response (no capture) versus the same call captured
   by a recorder set up as the ``botowire`` fixture does it in ``offline`` mode, and versus
   capture alone (``passthrough`` recorder, the same canned response);
2. peers: botowire ``offline`` versus moto's ``mock_aws``, botocore's ``Stubber`` and a real
   HTTP round trip to a local server (botowire ``passthrough``);
3. start-up: ``python -m pytest`` on an empty test file with the plugin versus
   ``-p no:botowire``; the plugin's import cost (``-X importtime``); botocore not imported;
4. scale: time per captured request in tests of 10, 1,000 and 100,000 requests, and peak
   memory of a test that uploads 200 file objects of 8 MiB through S3 ``put_object``;
5. gzip: ``gzip_request_body`` at every level against botocore's own compression (the
   measurement of ``benchmarks/bench_gzip.py``).

``--quick`` takes well under a minute on two cores and uses smaller counts (the table says
which); the full run takes a few minutes. ``--smoke`` runs everything with tiny counts so the
test suite can check that the script still works (its figures mean nothing).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

MiB = 1024 * 1024


@dataclass(frozen=True)
class Profile:
    name: str
    overhead_rounds: int
    overhead_calls: int  # calls per side and round
    warmup: int
    peer_rounds: int
    peer_calls: int
    startup_warmup: int  # pairs of runs before measuring (they fill the bytecode cache)
    startup_pairs: int
    importtime_runs: int
    scale_medium: int  # requests in the "1,000" tests
    scale_big: int  # requests in the "100,000" test
    scale_every: int  # one call to the small and medium tests every this many big-test calls
    memory_uploads: int
    memory_object: int
    memory_kept_uploads: int  # uploads of 4 MiB (kept, under the body cap); 0: not run
    gzip_levels_big: tuple[int, ...]  # levels measured on the ~1 MB body
    gzip_quick: bool
    suite_rounds: int = 20  # rounds of whole tests, one test per side each
    suite_calls: int = 400  # calls per whole test
    held_requests: int = 50_000  # requests in the memory-held test (the row)
    #: numbers of requests at which the held memory is read (``held_requests`` among them)
    held_checkpoints: tuple[int, ...] = (1_000, 10_000, 50_000, 100_000)
    gzip_smoke: bool = False


PROFILES = {
    "full": Profile(
        "full",
        overhead_rounds=60,
        overhead_calls=50,
        warmup=200,
        peer_rounds=20,
        peer_calls=25,
        startup_warmup=2,
        startup_pairs=80,
        importtime_runs=5,
        scale_medium=1_000,
        scale_big=100_000,
        scale_every=20,
        memory_uploads=200,
        memory_object=8 * MiB,
        memory_kept_uploads=200,
        gzip_levels_big=tuple(range(1, 10)),
        gzip_quick=False,
    ),
    "quick": Profile(
        "quick",
        overhead_rounds=20,
        overhead_calls=25,
        warmup=25,
        peer_rounds=6,
        peer_calls=10,
        startup_warmup=1,
        startup_pairs=6,
        importtime_runs=1,
        scale_medium=1_000,
        scale_big=3_000,
        scale_every=3,
        memory_uploads=200,
        memory_object=8 * MiB,
        memory_kept_uploads=80,
        gzip_levels_big=(1, 6, 9),
        gzip_quick=True,
        suite_rounds=4,
        suite_calls=100,
        held_requests=10_000,
        held_checkpoints=(1_000, 10_000),
    ),
    "smoke": Profile(
        "smoke",
        overhead_rounds=2,
        overhead_calls=3,
        warmup=2,
        peer_rounds=1,
        peer_calls=2,
        startup_warmup=0,
        startup_pairs=1,
        importtime_runs=1,
        scale_medium=20,
        scale_big=60,
        scale_every=2,
        memory_uploads=3,
        memory_object=1 * MiB,
        memory_kept_uploads=0,
        gzip_levels_big=(),
        gzip_quick=True,
        suite_rounds=1,
        suite_calls=3,
        held_requests=50,
        held_checkpoints=(50,),
        gzip_smoke=True,
    ),
}

CREDENTIALS = {"aws_access_key_id": "AKIDBENCH0000000000", "aws_secret_access_key": "bench-secret"}


# -- output -------------------------------------------------------------------------------
@dataclass
class Row:
    section: str
    measurement: str
    versus: str
    ratio: str
    detail: str
    target: str = ""
    result: str = ""


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)

    def add(self, *args: str, **kwargs: str) -> None:
        self.rows.append(Row(*args, **kwargs))

    def render(self) -> str:
        head = ("#", "measurement", "versus", "ratio", "absolute figures (information)", "target")
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        for row in self.rows:
            target = f"{row.target} **{row.result}**" if row.result else row.target
            cells = (row.section, row.measurement, row.versus, row.ratio, row.detail, target)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def interval_verdict(low: float, high: float, limit: float) -> str:
    """``met`` / ``MISSED`` when the whole 95% interval is on one side of ``limit``."""
    if high <= limit:
        return "met"
    if low > limit:
        return "MISSED"
    return "inconclusive (the interval spans the target)"


def signed_us(seconds: float) -> str:
    return f"{seconds * 1e6:+,.0f} µs"


def bootstrap_ratio(a: list[float], b: list[float], resamples: int = 200) -> tuple[float, float]:
    """95% interval of median(a) / median(b), resampling the pairs (a[i], b[i]) together."""
    rng = random.Random(7)
    n = len(a)
    ratios = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        ratios.append(
            statistics.median([a[i] for i in picks]) / statistics.median([b[i] for i in picks])
        )
    ratios.sort()
    return ratios[int(0.025 * resamples)], ratios[int(0.975 * resamples) - 1]


def machine_line() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or model
    import boto3
    import botocore

    versions = [f"botocore {botocore.__version__}", f"boto3 {boto3.__version__}"]
    try:
        from importlib.metadata import version

        versions.append(f"moto {version('moto')}")
        versions.append(f"pytest {version('pytest')}")
    except Exception:
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"Machine: {model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {', '.join(versions)}; "
        f"load average at start {load}"
    )


# -- measurement helpers ------------------------------------------------------------------
Clock = str  # "cpu": CPU time of this process; "wall": elapsed time


# -- botowire set up the way the fixture does it -------------------------------------------
def fixture_recorder(mode: str) -> Any:
    """A ``Recorder`` configured as ``plugin.botowire`` configures it (environment aside)."""
    from pytest_botowire.capture.recorder import Recorder
    from pytest_botowire.features.offline import offline_answer
    from pytest_botowire.features.respond import Responses

    recorder = Recorder(mode=mode, test_id="benchmarks/run.py::bench")
    recorder.responses = Responses()
    recorder.first_responder = recorder.responses.answer
    if mode in ("offline", "strict"):
        recorder.last_responder = offline_answer
        recorder.fake_credentials = True
    return recorder


@contextmanager
def capturing(recorder: Any) -> Iterator[Any]:
    from pytest_botowire.capture.install import activate, deactivate

    activate(recorder)
    try:
        yield recorder
    finally:
        deactivate(recorder)


@contextmanager
def handler(client: Any, event: str, func: Callable[..., Any]) -> Iterator[None]:
    client.meta.events.register(event, func, unique_id="bench-canned")
    try:
        yield
    finally:
        client.meta.events.unregister(event, unique_id="bench-canned")


def canned_responder(client: Any, operation: str, params: dict[str, Any]) -> Callable[..., Any]:
    """A ``before-send`` handler returning a prebuilt response: the bytes botowire would send."""
    from pytest_botowire.aws.models import service_model
    from pytest_botowire.aws.serialize import serialize_response, synthesize_output, to_aws_response

    model = service_model(client.meta.service_model.service_name).operation_model(operation)
    wire = serialize_response(model, synthesize_output(model, params))

    def respond(request: Any, **_: Any) -> Any:
        return to_aws_response(request.url, wire)

    return respond


def make_client(service: str, **kwargs: Any) -> Any:
    """A client of a new session, so it carries every handler registered so far (moto's too)."""
    import boto3

    session = boto3.session.Session()
    return session.client(service, region_name="us-east-1", **CREDENTIALS, **kwargs)


def metrics20() -> list[dict[str, Any]]:
    from bench_gzip import realistic_metrics

    return realistic_metrics(20)


# -- 0. whole tests: what a suite pays --------------------------------------------------------
def without_plugin(client: Any) -> Any:
    """Take botowire's handlers off one client: the baseline is the process without the plugin."""
    from pytest_botowire.capture import handlers
    from pytest_botowire.capture.install import install

    install()  # the handlers are on every client of a process with the plugin: take them off
    for event, func, _ in handlers.HANDLERS:
        client.meta.events.unregister(event, func)
    return client


def bench_suite(p: Profile, table: Table) -> None:
    """Whole tests of ``suite_calls`` 20-metric ``PutMetricData`` calls, garbage collection on.

    One round runs one test per side, in an order shuffled afresh each round (no side always
    follows the same one); before each test the collector runs
    (``gc.collect()``), then the whole test is timed in CPU time: setting up (recorder, or
    ``mock_aws`` and its client), every call, tearing down. The figure is the ratio of the mean
    test times, so every collection, every cache miss and every slow call counts as a suite
    pays for it. The baseline runs twice per round ("none" and "none, again"): their ratio is
    the noise floor of this very run (an A/A comparison), and the ratios against the baseline
    use both. A 95% interval comes from resampling whole rounds. Per-call medians are reported
    beside, for comparison with section 1.
    """
    log("0. whole tests ...")
    import moto

    from pytest_botowire.capture.install import activate, deactivate

    params = {"Namespace": "Bench/App", "MetricData": metrics20()}
    plain = without_plugin(make_client("cloudwatch"))
    canned_plain = canned_responder(plain, "PutMetricData", params)
    plain.meta.events.register("before-send.cloudwatch.PutMetricData", canned_plain)
    answered = make_client("cloudwatch")  # the plugin's handlers on, a user's responder answers
    answered.meta.events.register(
        "before-send.cloudwatch.PutMetricData", canned_responder(answered, "PutMetricData", params)
    )
    offline = make_client("cloudwatch")  # botowire answers
    calls = p.suite_calls
    per_call: dict[str, list[float]] = {}

    def timed_calls(side: str, client: Any) -> None:
        times = per_call.setdefault(side, [])
        for _ in range(calls):
            start = time.process_time()
            client.put_metric_data(**params)
            times.append(time.process_time() - start)

    def test_none(side: str) -> Callable[[], None]:
        def test() -> None:
            timed_calls(side, plain)

        return test

    def test_with(side: str, client: Any) -> Callable[[], None]:
        def test() -> None:
            recorder = fixture_recorder("offline")
            activate(recorder)
            try:
                timed_calls(side, client)
            finally:
                deactivate(recorder)
            assert not recorder.errors, recorder.errors
            assert len(recorder.requests) == calls

        return test

    def test_moto() -> None:
        with moto.mock_aws():
            timed_calls("moto", make_client("cloudwatch"))

    sides: dict[str, Callable[[], None]] = {
        "none": test_none("none"),
        "capture": test_with("capture", answered),
        "none2": test_none("none2"),
        "offline": test_with("offline", offline),
        "moto": test_moto,
    }
    totals: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for test in sides.values():  # warm-up: caches, imports, moto's first start
        test()
    per_call.clear()
    shuffler = random.Random(2026)
    for _ in range(p.suite_rounds):
        # a fresh order each round: no side always follows the same one (moto's garbage, say)
        order = shuffler.sample(names, len(names))
        for name in order:
            gc.collect()
            start = time.process_time()
            sides[name]()
            totals[name].append(time.process_time() - start)
    rounds = len(totals["none"])
    # the baseline of each round: the mean of its two runs without the plugin
    totals["base"] = [(a + b) / 2 for a, b in zip(totals["none"], totals["none2"], strict=True)]
    per_call["base"] = per_call["none"] + per_call["none2"]

    def mean_ratio(side: str, base: str, picks: Sequence[int] = ()) -> float:
        picks = picks or range(rounds)
        return sum(totals[side][i] for i in picks) / sum(totals[base][i] for i in picks)

    def interval(side: str, base: str) -> str:
        if rounds < 3:
            return "too few rounds for an interval"
        rng = random.Random(13)
        resampled = sorted(
            mean_ratio(side, base, [rng.randrange(rounds) for _ in range(rounds)])
            for _ in range(1000)
        )
        return f"95% interval {resampled[25]:.3f}-{resampled[974]:.3f}"

    def med_call(name: str) -> float:
        return statistics.median(per_call[name])

    what = f"{rounds} rounds of whole tests of {calls} calls, sides in a shuffled order"
    noise = mean_ratio("none2", "none")
    table.add(
        "0",
        "noise floor of this run (A/A): the test without the plugin, run twice per round",
        "itself",
        f"{noise:.3f} ({interval('none2', 'none')})",
        f"mean per test {statistics.fmean(totals['none2']) * 1e3:,.1f} vs "
        f"{statistics.fmean(totals['none']) * 1e3:,.1f} ms; {what}",
        "(reported: a ratio below differs from 1 by this much by chance)",
        "",
    )
    for side, base, label, versus, target, ok in (
        (
            "capture",
            "base",
            "capture only: a test uses botowire (offline), a user's before-send handler answers",
            "the same test without the plugin (its handlers off the client)",
            "≤ 1.05",
            lambda r: r <= 1.05,
        ),
        (
            "offline",
            "base",
            "offline: botowire answers",
            "a canned before-send answer, without the plugin",
            "≤ 1.10",
            lambda r: r <= 1.10,
        ),
        (
            "moto",
            "offline",
            "moto mock_aws (started and stopped in the test)",
            "botowire offline",
            "≥ 2.0",
            lambda r: r >= 2.0,
        ),
    ):
        ratio = mean_ratio(side, base)
        table.add(
            "0",
            f"{label}: mean CPU time of a whole test, GC on, 20-metric PutMetricData",
            versus,
            f"{ratio:.3f} ({interval(side, base)}; per-call medians "
            f"{med_call(side) / med_call(base):.3f})",
            f"mean per test {statistics.fmean(totals[side]) * 1e3:,.1f} vs "
            f"{statistics.fmean(totals[base]) * 1e3:,.1f} ms; per call: median "
            f"{us(med_call(side))} vs {us(med_call(base))}; {what}",
            target,
            verdict(ok(ratio)),
        )
    bench_held_memory(p, table)


HELD_CHILD = "--held-child"


def held_child(arm: str, checkpoints: list[int]) -> None:
    """One test of SQS messages of 100 bytes; print the RSS it holds after each checkpoint's
    number of requests (a test of N requests holds what this one holds after N)."""
    params = {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
        "MessageBody": "x" * 100,
    }
    if arm == "none":
        client = without_plugin(make_client("sqs"))
        client.meta.events.register(
            "before-send.sqs.SendMessage", canned_responder(client, "SendMessage", params)
        )
    else:
        client = make_client("sqs")

    def warm_up() -> None:
        recorder = fixture_recorder("offline")
        with capturing(recorder):
            for _ in range(50):
                client.send_message(**params)

    warm_up()  # caches filled on both sides
    gc.collect()
    before = rss_bytes()
    held: dict[int, int] = {}
    recorder = fixture_recorder("offline")
    sent = 0
    if arm != "none":
        activate_capture(recorder)
    try:
        for checkpoint in checkpoints:
            for _ in range(checkpoint - sent):
                client.send_message(**params)
            sent = checkpoint
            gc.collect()
            held[checkpoint] = rss_bytes() - before
    finally:
        if arm != "none":
            deactivate_capture(recorder)
    if arm != "none":
        assert len(recorder.requests) == sent
        assert not recorder.errors, recorder.errors
    print(json.dumps({"held": {str(n): b for n, b in held.items()}}))


def activate_capture(recorder: Any) -> None:
    from pytest_botowire.capture.install import activate

    activate(recorder)


def deactivate_capture(recorder: Any) -> None:
    from pytest_botowire.capture.install import deactivate

    deactivate(recorder)


def bench_held_memory(p: Profile, table: Table) -> None:
    checkpoints = p.held_checkpoints
    log(f"0. memory held per captured request, tests of {checkpoints[-1]:,} requests ...")
    results: dict[str, dict[str, int]] = {}
    for arm in ("botowire", "none"):  # one after the other: RSS of one process each
        done = subprocess.run(
            [sys.executable, __file__, HELD_CHILD, arm, *map(str, checkpoints)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[arm] = json.loads(done.stdout.strip().splitlines()[-1])["held"]
    per = {n: (results["botowire"][str(n)] - results["none"][str(n)]) / n for n in checkpoints}
    main = p.held_requests
    others = ", ".join(
        f"{n:,}: {per[n] / 1024:.2f} KiB ({results['botowire'][str(n)] / MiB:,.1f} MiB)"
        for n in checkpoints
    )
    table.add(
        "0",
        f"memory held per captured request: one offline test of {main:,} SQS SendMessage calls "
        "with 100-byte messages (RSS at the end of the test, after a collection)",
        "the same test without the plugin",
        f"{per[main] / 1024:.2f} KiB per request",
        f"RSS growth over the test {results['botowire'][str(main)] / MiB:,.1f} MiB with botowire "
        f"vs {results['none'][str(main)] / MiB:,.1f} MiB without; per request (and held in all) "
        f"after N requests of one test, N = {others}",
        "≤ 1.5 KiB",
        verdict(per[main] <= 1.5 * 1024),
    )


# -- 1. capture overhead --------------------------------------------------------------------
def bench_overhead(p: Profile, table: Table) -> None:
    """Three sides, alternated call by call (the order rotating), each call timed on its own.

    Comparing call by call, the three sides share every moment of the machine's load; the
    median per-call time is robust to the calls another process interrupted. A fresh recorder
    is started every ``overhead_calls`` calls, as a test of that many calls would.
    """
    log("1. capture overhead ...")
    from pytest_botowire.capture.install import activate, deactivate

    client = make_client("cloudwatch")
    params = {"Namespace": "Bench/App", "MetricData": metrics20()}
    canned = canned_responder(client, "PutMetricData", params)
    # One handler for the whole run, switched by a flag: registering and unregistering it
    # between calls would also clear the emitter's lookup cache and slow the next call.
    canned_on = [False]

    def maybe_canned(request: Any, **_: Any) -> Any:
        return canned(request) if canned_on[0] else None

    client.meta.events.register("before-send.cloudwatch.PutMetricData", maybe_canned)
    sides = ("canned", "offline", "capture")
    per_call: dict[str, list[float]] = {side: [] for side in sides}

    def run(calls: int, keep: bool) -> None:
        recorders = {
            "offline": fixture_recorder("offline"),
            "capture": fixture_recorder("passthrough"),
        }
        for i in range(calls):
            for side in sides[i % 3 :] + sides[: i % 3]:
                canned_on[0] = side != "offline"
                recorder = recorders.get(side)
                if recorder is not None:
                    activate(recorder)
                start = time.process_time()
                client.put_metric_data(**params)
                elapsed = time.process_time() - start
                if recorder is not None:
                    deactivate(recorder)
                if keep:
                    per_call[side].append(elapsed)
        for recorder in recorders.values():
            assert not recorder.errors, recorder.errors
            assert len(recorder.requests) == calls
            assert all(r.answered_by == "botowire" for r in recorder.requests)

    run(p.warmup, keep=False)
    for _ in range(p.overhead_rounds):
        gc.collect()
        run(p.overhead_calls, keep=True)
    client.meta.events.unregister("before-send.cloudwatch.PutMetricData", maybe_canned)

    def med(side: str) -> float:
        return statistics.median(per_call[side])

    def mean(side: str) -> float:
        return statistics.fmean(per_call[side])

    n = len(per_call["canned"])
    for side, what, target in (
        (
            "offline",
            f"capture overhead: botowire offline, 20-metric PutMetricData ({n:,} calls per "
            f"side, after {p.warmup} warm-up, in tests of {p.overhead_calls} calls)",
            "≤ 1.05",
        ),
        ("capture", "capture only: passthrough recorder, the same canned response", ""),
    ):
        ratio = med(side) / med("canned")
        low, high = bootstrap_ratio(per_call[side], per_call["canned"])
        table.add(
            "1",
            what,
            "canned before-send response, no capture",
            f"{ratio:.3f} (95% CI {low:.3f}-{high:.3f}; means {mean(side) / mean('canned'):.3f})",
            f"CPU time per call, median {us(med(side))} vs {us(med('canned'))} ({signed_us(med(side) - med('canned'))}); "
            f"mean {us(mean(side))} vs {us(mean('canned'))}; sides alternated call by call",
            target or "(reported)",
            interval_verdict(low, high, 1.05) if target else "",
        )


# -- 2. peers -------------------------------------------------------------------------------
SERVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
status, body = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
headers = [tuple(h.split(": ", 1)) for h in sys.argv[3:]]
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    disable_nagle_algorithm = True  # else each response waits for a delayed ACK (40 ms)
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@contextmanager
def local_server(wire: Any) -> Iterator[str]:
    """A small HTTP/1.1 server on 127.0.0.1, in its own process, answering ``wire``."""
    headers = [f"{k}: {v}" for k, v in wire.headers.items() if k.lower() != "content-length"]
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(wire.status), wire.body.hex(), *headers],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class Side:
    """One side of a comparison run in rounds: ``context()`` is set up once per round (a test)."""

    name: str
    context: Callable[[], AbstractContextManager[object]]
    call: Callable[[], object]
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    setup_cpu: list[float] = field(default_factory=list)

    def times(self, clock: Clock) -> list[float]:
        return self.cpu if clock == "cpu" else self.wall


def alternate_rounds(sides: list[Side], rounds: int, calls: int, warmup: int) -> None:
    """Each round runs every side (order rotating) for ``calls`` calls, each timed on its own."""
    for r in range(-1, rounds):
        for side in sides[r % len(sides) :] + sides[: r % len(sides)]:
            gc.collect()
            timed = 0.0
            start = time.process_time()
            with side.context():
                for _ in range(warmup if r < 0 else calls):
                    cpu, wall = time.process_time(), time.perf_counter()
                    side.call()
                    cpu = time.process_time() - cpu
                    timed += cpu
                    if r >= 0:
                        side.wall.append(time.perf_counter() - wall)
                        side.cpu.append(cpu)
            if r >= 0:  # what setting up and tearing down the test cost besides its calls
                side.setup_cpu.append(time.process_time() - start - timed)


def side_ratio(side: Side, base: Side, clock: Clock = "cpu") -> tuple[float, str, str]:
    """(ratio of the medians, ratio text with the means', absolute detail)."""
    a, b = side.times(clock), base.times(clock)
    ratio = statistics.median(a) / statistics.median(b)
    text = f"{ratio:.3f} (means {statistics.fmean(a) / statistics.fmean(b):.3f})"
    detail = (
        f"{clock} time per call, median {us(statistics.median(a))} vs "
        f"{us(statistics.median(b))}; mean {us(statistics.fmean(a))} vs "
        f"{us(statistics.fmean(b))}"
    )
    return ratio, text, detail


def bench_peers(p: Profile, table: Table) -> None:
    log("2. peers ...")
    import moto  # before the client: moto adds its before-send responder to new sessions
    from botocore.stub import Stubber

    from pytest_botowire.aws.models import service_model
    from pytest_botowire.aws.serialize import serialize_response, synthesize_output

    params = {"Namespace": "Bench/App", "MetricData": metrics20()}
    # Created after moto is imported, so moto's before-send responder is on this client.
    client = make_client("cloudwatch")
    model = service_model("cloudwatch").operation_model("PutMetricData")
    wire = serialize_response(model, synthesize_output(model, params))

    def call() -> object:
        return client.put_metric_data(**params)

    @contextmanager
    def botowire_test(mode: str) -> Iterator[None]:
        with capturing(fixture_recorder(mode)) as rec:
            yield
        assert not rec.errors, rec.errors
        expected = "network" if mode == "passthrough" else "botowire"
        assert all(r.answered_by == expected for r in rec.requests), rec.requests

    stub = Stubber(client)

    @contextmanager
    def stubber_test() -> Iterator[None]:
        with stub:
            yield

    def stubbed_call() -> object:  # queuing the response is part of each call
        stub.add_response("put_metric_data", {})
        return call()

    canned = canned_responder(client, "PutMetricData", params)

    def canned_test() -> AbstractContextManager[None]:
        return handler(client, "before-send.cloudwatch.PutMetricData", canned)

    with local_server(wire) as url:
        http_client = make_client("cloudwatch", endpoint_url=url)
        sides = [
            Side("botowire", lambda: botowire_test("offline"), call),
            Side("moto", moto.mock_aws, call),
            Side("stubber", stubber_test, stubbed_call),
            Side(
                "http",
                lambda: botowire_test("passthrough"),
                lambda: http_client.put_metric_data(**params),
            ),
            Side("canned", canned_test, call),
        ]
        alternate_rounds(sides, p.peer_rounds, p.peer_calls, max(2, p.warmup // 4))
    bw, mo, st, http, floor = sides
    # The same against moto for a light call: SQS SendMessage, where botocore's own work is small.
    sqs = make_client("sqs")
    queue = "https://sqs.us-east-1.amazonaws.com/123456789012/bench"

    @contextmanager
    def moto_with_queue() -> Iterator[None]:
        with moto.mock_aws():
            sqs.create_queue(QueueName="bench")
            yield

    def send() -> object:
        return sqs.send_message(QueueUrl=queue, MessageBody="x" * 200)

    light = [
        Side("botowire", lambda: botowire_test("offline"), send),
        Side("moto", moto_with_queue, send),
    ]
    alternate_rounds(light, p.peer_rounds, p.peer_calls, max(2, p.warmup // 4))
    n = len(bw.cpu)
    per = f"{n:,} calls per side in {p.peer_rounds} rounds (tests) of {p.peer_calls}"
    ratio, text, detail = side_ratio(mo, bw)
    table.add(
        "2",
        f"moto mock_aws ÷ botowire offline, CPU time per call ({per})",
        "botowire offline",
        text,
        f"{detail}; starting and stopping mock_aws costs another "
        f"{statistics.median(mo.setup_cpu) * 1e3:.1f} ms CPU per test",
        "≥ 2 (botowire at least 2x faster)",
        verdict(ratio >= 2.0),
    )
    ratio, text, detail = side_ratio(mo, floor)
    table.add(
        "2",
        "moto mock_aws ÷ a canned before-send response (no capture), CPU time per call: the "
        "most a zero-cost before-send responder could show against moto on this call",
        "canned response",
        text,
        f"{detail}; botowire offline ÷ canned in the same rounds: {side_ratio(bw, floor)[1]}",
        "(reported)",
    )
    ratio, text, detail = side_ratio(light[1], light[0])
    table.add(
        "2",
        "moto mock_aws ÷ botowire offline on a light call: sqs SendMessage, 200-byte body",
        "botowire offline",
        text,
        f"{detail}; setting up mock_aws and the queue costs another "
        f"{statistics.median(light[1].setup_cpu) * 1e3:.1f} ms CPU per test",
        "(reported)",
    )
    ratio, text, detail = side_ratio(st, bw)
    table.add(
        "2",
        "botocore Stubber (add_response included) ÷ botowire offline, CPU time per call",
        "botowire offline",
        text,
        f"{detail}; the Stubber answers at before-call: parameters are validated and "
        "serialized, but no request is built, signed, sent or parsed",
        "(reported)",
    )
    ratio, text, detail = side_ratio(http, bw, "wall")
    table.add(
        "2",
        "real HTTP round trip to 127.0.0.1 (botowire passthrough) ÷ botowire offline, "
        "wall time per call",
        "botowire offline",
        text,
        f"{detail}; HTTP/1.1 keep-alive server in its own process",
        "(reported)",
    )


# -- 3. start-up ----------------------------------------------------------------------------
def cached_bytecode_env(prefix: str) -> dict[str, str]:
    """The environment with bytecode caching on (in a private prefix), as installed code has.

    Without it (``PYTHONDONTWRITEBYTECODE=1``) every start compiles the plugin from source.
    ``PYTEST_*`` variables (``PYTEST_ADDOPTS``, ``PYTEST_DISABLE_PLUGIN_AUTOLOAD``, those of
    an enclosing pytest run) are left out so both sides run plain pytest.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = prefix
    return env


CHECK_IMPORTS = r"""
import sys
import pytest_botowire.plugin
plugin_only = "botocore" in sys.modules
import pytest
rc = pytest.main(["-q", "-p", "no:cacheprovider", sys.argv[1]])
print(f"{int(plugin_only)} {int('botocore' in sys.modules)} "
      f"{int('pytest_botowire.plugin' in sys.modules)} {int(rc)}")
"""

_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _importtime(command: list[str], cwd: str, env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """``python -X importtime`` of ``command``: module -> (self µs, cumulative µs)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    ).stderr
    found = {}
    for line in out.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            found[m[4]] = (int(m[1]), int(m[2]))
    return found


def import_costs(
    commands: dict[str, list[str]], cwd: str, env: dict[str, str], runs: int
) -> tuple[float, float, float, list[tuple[str, float]]]:
    """What importing the plugin costs, and what of it a pytest run really adds (µs, medians).

    ``import pytest; import pytest_botowire.plugin`` under ``-X importtime`` gives the plugin's
    import tree; the modules of that tree which a ``-p no:botowire`` pytest run imports anyway
    (``xml.etree`` for junitxml, say) cost the run nothing extra. Returns the plugin's
    cumulative import, the sum of the self times of the modules only it imports, the import
    of ``pytest``, and the largest of those self times.
    """
    plugin_cum: list[float] = []
    added_sum: list[float] = []
    pytest_cum: list[float] = []
    selfs: dict[str, list[float]] = {}
    for _ in range(runs):
        tree = _importtime(["-c", "import pytest; import pytest_botowire.plugin"], cwd, env)
        run_without = _importtime(commands["without"][1:], cwd, env)
        names = list(tree)
        after_pytest = names[names.index("pytest") + 1 :]
        added = [name for name in after_pytest if name not in run_without]
        for name in added:
            selfs.setdefault(name, []).append(tree[name][0])
        plugin_cum.append(tree["pytest_botowire.plugin"][1])
        added_sum.append(sum(tree[name][0] for name in added))
        pytest_cum.append(tree["pytest"][1])
    top = sorted(((n, statistics.median(v)) for n, v in selfs.items()), key=lambda kv: -kv[1])
    return (
        statistics.median(plugin_cum),
        statistics.median(added_sum),
        statistics.median(pytest_cum),
        top[:6],
    )


def run_child(command: list[str], cwd: str, env: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; its (wall seconds, CPU seconds: user + system of the child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stdout is not None
    output = proc.stdout.read()
    proc.stdout.close()
    if proc.returncode not in (0, 5):  # 5: no tests collected
        raise RuntimeError(f"{command} failed ({proc.returncode}): {output.decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def _startup_pairs(
    commands: dict[str, list[str]], cwd: str, env: dict[str, str], pairs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], list[float], list[float]]:
    """``pairs`` alternating pairs of child runs: (wall, cpu) per side, and the differences."""
    wall: dict[str, list[float]] = {"with": [], "without": []}
    cpu: dict[str, list[float]] = {"with": [], "without": []}
    wall_diff, cpu_diff = [], []
    for i in range(pairs):
        order = ("with", "without") if i % 2 == 0 else ("without", "with")
        pair = {which: run_child(commands[which], cwd, env) for which in order}
        for which, (w, c) in pair.items():
            wall[which].append(w)
            cpu[which].append(c)
        wall_diff.append(pair["with"][0] - pair["without"][0])
        cpu_diff.append(pair["with"][1] - pair["without"][1])
    return wall, cpu, wall_diff, cpu_diff


def _median_interval(values: list[float]) -> tuple[float, float]:
    """A bootstrap 95% interval of the median of ``values``."""
    rng = random.Random(7)
    medians = sorted(statistics.median(rng.choice(values) for _ in values) for _ in range(1000))
    return medians[25], medians[974]


def bench_startup(p: Profile, table: Table) -> None:
    """``python -m pytest`` with the plugin and with ``-p no:botowire``, alternated.

    Two test files: an empty one (what every run pays) and one that imports boto3 (a suite of
    the plugin's users: the capture machinery loads with botocore). The figure is the median
    of the pairwise CPU differences, with a bootstrap 95% interval; runs on a shared machine
    vary by tens of milliseconds, so the difference of the fastest runs of each side (the
    runs least disturbed) is reported beside it.
    """
    log("3. start-up ...")
    with tempfile.TemporaryDirectory(prefix="botowire-bench-") as tmp:
        test_file = Path(tmp, "test_empty.py")
        test_file.write_text('"""No tests: only start-up and collection are timed."""\n')
        boto_file = Path(tmp, "test_boto3.py")
        boto_file.write_text(
            '"""Imports boto3, as the suites of the plugin\'s users do."""\nimport boto3\n'
        )
        env = cached_bytecode_env(str(Path(tmp, "pycache")))
        base_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name]
        commands = {"with": base_cmd, "without": [*base_cmd, "-p", "no:botowire"]}
        boto_cmd = [*base_cmd[:-1], boto_file.name]
        boto_commands = {"with": boto_cmd, "without": [*boto_cmd, "-p", "no:botowire"]}
        for which in ("with", "without") * p.startup_warmup:
            run_child(commands[which], tmp, env)  # warm-up: fills the private bytecode cache
            run_child(boto_commands[which], tmp, env)
        wall, cpu, wall_diff, cpu_diff = _startup_pairs(commands, tmp, env, p.startup_pairs)
        _, boto_cpu, _, boto_diff = _startup_pairs(
            boto_commands, tmp, env, max(1, p.startup_pairs // 2)
        )
        check = subprocess.run(
            [sys.executable, "-c", CHECK_IMPORTS, test_file.name],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        plugin_only, after_run, loaded = (f == "1" for f in check.stdout.split()[-4:-1])
        plugin_cum, added_sum, pytest_cum, top = import_costs(commands, tmp, env, p.importtime_runs)

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1e3

    def cpu_figure(sides: dict[str, list[float]], diffs: list[float]) -> str:
        low, high = (v * 1e3 for v in _median_interval(diffs))
        fastest = (min(sides["with"]) - min(sides["without"])) * 1e3
        return (
            f"CPU median {ms(diffs):+.1f} ms (95% interval {low:+.1f} to {high:+.1f}; fastest "
            f"runs {fastest:+.1f} ms)"
        )

    table.add(
        "3",
        f"pytest start-up, empty test file ({p.startup_pairs} alternating pairs of runs)",
        "-p no:botowire",
        f"{cpu_figure(cpu, cpu_diff)}; wall median {ms(wall_diff):+.1f} ms",
        f"median per run: CPU {ms(cpu['with']):.0f} vs {ms(cpu['without']):.0f} ms, wall "
        f"{ms(wall['with']):.0f} vs {ms(wall['without']):.0f} ms; wall differences of the "
        f"pairs from {min(wall_diff) * 1e3:+.0f} to {max(wall_diff) * 1e3:+.0f} ms; bytecode "
        "cached (as installed code has it)",
        "≤ +10 ms (judged on the CPU median)",
        verdict(ms(cpu_diff) <= 10),
    )
    table.add(
        "3",
        f"pytest start-up, a test file that imports boto3 ({len(boto_diff)} pairs)",
        "-p no:botowire",
        cpu_figure(boto_cpu, boto_diff),
        f"median per run: CPU {ms(boto_cpu['with']):.0f} vs {ms(boto_cpu['without']):.0f} ms; "
        "the capture handlers, request model and service tables load with botocore",
        "(reported)",
    )
    table.add(
        "3",
        "botocore imported by the plugin?",
        "",
        "—",
        f"after `import pytest_botowire.plugin`: botocore in sys.modules = {plugin_only}; "
        f"after a pytest run of the empty file with the plugin loaded ({loaded}): {after_run}",
        "not imported",
        verdict(not plugin_only and not after_run and loaded),
    )
    contributors = ", ".join(f"{name} {v / 1e3:.1f} ms" for name, v in top)
    table.add(
        "3",
        f"import of pytest_botowire.plugin (-X importtime, median of {p.importtime_runs})",
        "import of pytest",
        f"{plugin_cum / pytest_cum:.3f}",
        f"pytest_botowire.plugin {plugin_cum / 1e3:.1f} ms cumulative, of which "
        f"{added_sum / 1e3:.1f} ms in modules a pytest run does not import anyway, vs pytest "
        f"{pytest_cum / 1e3:.1f} ms; largest self times: {contributors}",
        "(reported)",
    )


# -- 4. scale -------------------------------------------------------------------------------
def high_water_rss() -> int:
    """Peak RSS of this process (``VmHWM``).

    Not ``ru_maxrss``: on Linux that keeps the high-water mark of the process before
    ``execve``, i.e. of the parent that forked it.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_scale(p: Profile, table: Table) -> None:
    """Per-request CPU time in a test of 100,000 requests against tests of 10 and 1,000.

    The three run side by side, call by call: every call goes to the big test's recorder,
    and every ``scale_every``-th step one call also goes to the current 10-request test and
    one to the current 1,000-request test (each started afresh when full). Each call is timed
    on its own, so the sizes are compared under the same load; medians ignore the calls
    another process interrupted, means include every garbage collection.
    """
    log("4. scale ...")
    from pytest_botowire.capture.install import activate, deactivate

    client = make_client("sqs")
    sizes = {"small": 10, "medium": p.scale_medium}
    current = {name: fixture_recorder("offline") for name in sizes}
    done: dict[str, int] = dict.fromkeys(sizes, 0)
    big_times: list[float] = []
    # (step of the big test, seconds) of each call of the small and medium tests
    side_times: dict[str, list[tuple[int, float]]] = {name: [] for name in sizes}

    def timed_call(recorder: Any) -> float:
        activate(recorder)
        start = time.process_time()
        client.list_queues()
        elapsed = time.process_time() - start
        deactivate(recorder)
        return elapsed

    for _ in range(p.warmup):
        timed_call(fixture_recorder("offline"))
    big = fixture_recorder("offline")
    gc.collect()
    rss_before = rss_bytes()
    for i in range(p.scale_big):
        big_times.append(timed_call(big))
        if i % p.scale_every == 0:
            for name, size in sizes.items():
                recorder = current[name]
                side_times[name].append((i, timed_call(recorder)))
                if len(recorder.requests) == size:
                    assert not recorder.errors, recorder.errors
                    done[name] += 1
                    current[name] = fixture_recorder("offline")
    rss_growth = rss_bytes() - rss_before
    n_big = len(big.requests)
    assert not big.errors, big.errors
    assert n_big == p.scale_big
    tenth = max(p.scale_every, n_big // 10)

    def window(name: str, start: int, stop: int) -> list[float]:
        if name == "big":
            return big_times[start:stop]
        return [t for step, t in side_times[name] if start <= step < stop]

    def ratio(
        name: str, start: int = 0, stop: int = n_big, *, agg: Any = statistics.median
    ) -> float:
        """``name``'s time per request ÷ the 10-request tests', over the same steps."""
        return float(agg(window(name, start, stop)) / agg(window("small", start, stop)))

    small = [t for _, t in side_times["small"]]
    medium = [t for _, t in side_times["medium"]]
    note = "" if n_big == 100_000 else f" ({p.name} run: not 100,000)"
    medium_ratio = ratio("medium")
    table.add(
        "4",
        f"CPU time per captured request in tests of {p.scale_medium:,} requests "
        "(sqs list_queues, offline)",
        "in tests of 10 requests",
        f"{medium_ratio:.3f} (means {ratio('medium', agg=statistics.fmean):.3f})",
        f"median {us(statistics.median(medium))} vs {us(statistics.median(small))} per "
        f"request; {len(medium):,} and {len(small):,} requests ({done['medium']} and "
        f"{done['small']} complete tests), alternated call by call with the big test",
        "flat (≤ 1.10)",
        verdict(medium_ratio <= 1.10),
    )
    last = n_big - tenth
    last_ratio = ratio("big", last)
    growth = last_ratio / ratio("big", 0, tenth)
    growth_mean = ratio("big", last, agg=statistics.fmean) / ratio(
        "big", 0, tenth, agg=statistics.fmean
    )
    table.add(
        "4",
        f"CPU time per captured request, last {tenth:,} requests of one test of {n_big:,}{note}",
        "in tests of 10 requests, at the same moments",
        f"{last_ratio:.3f} (means {ratio('big', last, agg=statistics.fmean):.3f})",
        f"median {us(statistics.median(window('big', last, n_big)))} vs "
        f"{us(statistics.median(window('small', last, n_big)))} per request; the same ratio "
        f"for the big test's last {tenth:,} ÷ for its first {tenth:,}: {growth:.3f} (means "
        f"{growth_mean:.3f}); memory {rss_growth / n_big / 1024:.1f} KiB per captured "
        "request (RSS growth)",
        "flat (≤ 1.10)",
        verdict(last_ratio <= 1.10 and growth <= 1.10),
    )
    del big, current
    gc.collect()
    bench_memory(p, table)


MEMORY_CHILD = "--memory-child"


def memory_child(arm: str, count: int, size: int, path: str) -> None:
    """Upload ``count`` file objects of ``size`` bytes (all one file on disk); print the peaks."""
    import tracemalloc

    client = make_client("s3")
    params = {"Bucket": "bench-bucket", "Key": "object"}
    canned = canned_responder(client, "PutObject", params)
    recorder = fixture_recorder("offline") if arm == "botowire" else None

    def upload() -> None:
        with open(path, "rb") as body:
            client.put_object(Body=body, **params)

    def run() -> dict[str, float]:
        upload()  # warm-up (not traced)
        gc.collect()
        tracemalloc.start()
        hwm0 = high_water_rss()
        cpu = time.process_time()
        for _ in range(count):
            upload()
        cpu = time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"peak": peak, "hwm0": hwm0, "hwm1": high_water_rss(), "cpu": cpu}

    if recorder is None:
        with handler(client, "before-send.s3.PutObject", canned):
            result = run()
        result.update(kept=0, captured=0, largest=0)
    else:
        with capturing(recorder):
            result = run()
        assert not recorder.errors, recorder.errors
        # bytes held: the body as sent, plus the decoded copy kept for aws-chunked bodies
        result.update(
            kept=sum(r._kept_bytes() for r in recorder.requests),
            budget=recorder.kept_bytes,
            captured=len(recorder.requests),
            largest=max(r.size or 0 for r in recorder.requests),
        )
    print(json.dumps(result))


def run_memory(arms: tuple[str, ...], count: int, size: int, path: str) -> dict[str, Any]:
    """Run one child process per arm, at the same time (what is measured is memory)."""
    procs = {
        arm: subprocess.Popen(
            [sys.executable, __file__, MEMORY_CHILD, arm, str(count), str(size), path],
            stdout=subprocess.PIPE,
            text=True,
        )
        for arm in arms
    }
    results = {}
    for arm, proc in procs.items():
        out, _ = proc.communicate()
        if proc.returncode:
            raise RuntimeError(f"memory child {arm} failed ({proc.returncode})")
        results[arm] = json.loads(out.strip().splitlines()[-1])
    return results


def bench_memory(p: Profile, table: Table) -> None:
    from pytest_botowire.capture.recorder import DEFAULT_BODY_CAP, DEFAULT_TOTAL_CAP

    variants = [(p.memory_uploads, p.memory_object, "")]
    if p.memory_kept_uploads:  # bodies under the per-request cap are kept: the total cap binds
        variants.append((p.memory_kept_uploads, 4 * MiB, "; bodies under the body cap"))
    for count, size, label in variants:
        log(f"4. memory, {count} x {size / MiB:g} MiB ...")
        with tempfile.NamedTemporaryFile(prefix="botowire-bench-", suffix=".bin") as f:
            f.write(os.urandom(size))
            f.flush()
            results = run_memory(("botowire", "none"), count, size, f.name)
        bw, none = results["botowire"], results["none"]
        total = count * size
        extra = bw["peak"] - none["peak"]
        bound = min(DEFAULT_TOTAL_CAP, total)
        table.add(
            "4",
            f"peak memory, one test uploading {count} file objects of {size / MiB:g} MiB "
            f"through S3 put_object, offline{label}",
            f"total uploaded ({total / MiB:,.0f} MiB)",
            f"{bw['peak'] / total:.3f}",
            f"traced peak {bw['peak'] / MiB:,.1f} MiB with botowire vs {none['peak'] / MiB:,.1f} "
            f"MiB without (canned response); bodies held {bw['kept'] / MiB:,.1f} MiB, counted "
            f"against the total cap {bw['budget'] / MiB:,.1f} MiB ({bw['captured']:.0f} requests, "
            f"largest {bw['largest'] / MiB:.2f} MiB on the wire; caps: "
            f"{DEFAULT_BODY_CAP / MiB:g} MiB per body, {DEFAULT_TOTAL_CAP / MiB:g} MiB per "
            f"test); peak RSS {bw['hwm1'] / MiB:,.0f} vs {none['hwm1'] / MiB:,.0f} MiB; CPU for "
            f"the uploads {bw['cpu']:.1f} vs {none['cpu']:.1f} s",
            "bounded by the capture cap, not the total",
            verdict(extra <= bound + 2 * DEFAULT_BODY_CAP),
        )


# -- 5. gzip --------------------------------------------------------------------------------
def bench_gzip_rows(p: Profile, table: Table) -> None:
    log("5. gzip ...")
    import bench_gzip
    from botocore.compress import _gzip_compress_body

    from pytest_botowire.features.gzip import DEFAULT_LEVEL

    if p.gzip_smoke:
        bodies = {"100 metrics": bench_gzip.realistic_metrics(100)}
        levels: tuple[int, ...] = (1, DEFAULT_LEVEL, 9)
        repeats, min_seconds = 1, 0.0
    else:
        bodies = {
            "1000 metrics": bench_gzip.realistic_metrics(1000),
            "~1 MB (1000 metrics x 50 values)": bench_gzip.realistic_metrics(1000, values=50),
        }
        repeats, min_seconds = (2, 0.02) if p.gzip_quick else (5, 0.1)
    for n, (label, metrics) in enumerate(bodies.items()):
        if not p.gzip_smoke:
            levels = tuple(range(1, 10)) if n == 0 else p.gzip_levels_big
        body = bench_gzip.serialize_put_metric_data(metrics)
        mb = len(body) / 1e6
        ref_out = _gzip_compress_body(body)

        def ref(b: bytes = body) -> object:
            return _gzip_compress_body(b)

        for level in levels:
            run = bench_gzip.handler_call(body, level)
            out = run()
            assert isinstance(out, bytes)
            ref_time, seconds = bench_gzip.best_times(ref, run, repeats, min_seconds)
            star = " (default)" if level == DEFAULT_LEVEL else ""
            table.add(
                "5",
                f"gzip_request_body level {level}{star}, {label} ({len(body):,} bytes)",
                "botocore's gzip (level 9)",
                f"time {seconds / ref_time:.2f}, size {len(out) / len(ref_out):.3f}",
                f"{seconds * 1e3:.2f} ms vs {ref_time * 1e3:.2f} ms "
                f"({mb / seconds:.1f} vs {mb / ref_time:.1f} MB/s); "
                f"{len(out):,} vs {len(ref_out):,} bytes out",
                "(reported)",
            )


# -- main -----------------------------------------------------------------------------------
SECTIONS: dict[str, Callable[[Profile, Table], None]] = {
    "suite": bench_suite,
    "overhead": bench_overhead,
    "peers": bench_peers,
    "startup": bench_startup,
    "scale": bench_scale,
    "gzip": bench_gzip_rows,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == HELD_CHILD:
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        held_child(argv[1], [int(n) for n in argv[2:]])
        return 0
    if argv and argv[0] == MEMORY_CHILD:
        memory_child(argv[1], int(argv[2]), int(argv[3]), argv[4])
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller counts (under a minute)")
    size.add_argument("--smoke", action="store_true", help="tiny counts: checks the script runs")
    parser.add_argument(
        "--only", action="append", choices=sorted(SECTIONS), help="run only these sections"
    )
    args = parser.parse_args(argv)
    profile = PROFILES["smoke" if args.smoke else "quick" if args.quick else "full"]
    # Offline answers and the clients need neither real credentials nor a region.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    started = time.perf_counter()
    machine = machine_line()
    table = Table()
    for name, section in SECTIONS.items():
        if args.only and name not in args.only:
            continue
        begun = time.perf_counter()
        section(profile, table)
        log(f"   {name}: {time.perf_counter() - begun:.1f} s")
    elapsed = time.perf_counter() - started
    print(f"## pytest-botowire benchmarks ({profile.name} run, {elapsed:.0f} s)")
    print()
    print(machine)
    print()
    print(table.render())
    print()
    print(
        "Ratios are of medians of per-call times (means in brackets), both sides measured in the"
        " same run, alternated call by call (sections 1 and 4) or round by round (2, 3); the"
        " figures of in-process work are CPU time of the benchmark process, since on a shared"
        " machine wall time also counts other processes' time slices. Absolute times are for"
        " information only."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
