"""What ``content``, ``decoded_size`` and the gzip checks read from a body, and at what cost.

aws-chunked is a transfer framing (removed first, wherever it stands in the header), every
other encoding is removed in turn, S3 object uploads carry ``Content-Encoding`` as metadata,
and decoding streams: sizes are counted, at most the capture cap of decoded bytes is kept, and
a decompression that runs away stops with a note.
"""

from __future__ import annotations

import gzip
import io
import os
import tracemalloc
import zlib
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pytest_botowire.aws.codec import MAX_RATIO, decode_stream
from pytest_botowire.features.checks import encoding_problem
from pytest_botowire.model.assertions import gzip_problem

MiB = 1024 * 1024
BUCKET = "botowire-content"
CRC32 = {"ChecksumAlgorithm": "CRC32"}  # aws-chunked at the lowest botocore too


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def zeros_gzipped(size: int, chunk: int = 4 * MiB) -> bytes:
    """``size`` zero bytes gzipped, built a chunk at a time (never ``size`` bytes at once)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(chunk)
    parts = [compressor.compress(block) for _ in range(size // chunk)]
    parts.append(compressor.compress(bytes(size % chunk)))
    parts.append(compressor.flush())
    return b"".join(parts)


# ------------------------------------------------------------------ every encoding, in order


@pytest.mark.botowire(mode="passthrough")
def test_s3_gzip_upload_with_checksums_decodes_every_encoding(
    botowire: Any, moto_tls_server: Any
) -> None:
    payload = os.urandom(2000) * 6  # 12,000 bytes
    s3 = moto_tls_server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="k", Body=gzip.compress(payload), ContentEncoding="gzip", **CRC32
    )
    put = botowire.select("s3.PutObject")[0]
    assert put.encodings == ("gzip", "aws-chunked")
    assert put.content == payload
    assert put.decoded_size == 12_000
    assert put.gzipped is True
    put.assert_gzipped()
    assert encoding_problem(put) is None
    got = s3.get_object(Bucket=BUCKET, Key="k", ChecksumMode="ENABLED")
    assert got["ContentEncoding"] == "gzip"
    assert gzip.decompress(got["Body"].read()) == payload


def test_aws_chunked_is_removed_first_wherever_it_stands(botowire: Any) -> None:
    del botowire
    from pytest_botowire.aws.codec import decode_body

    framed = b"%x\r\n%s\r\n0\r\n\r\n" % (len(gzip.compress(b"hi")), gzip.compress(b"hi"))
    assert decode_body(framed, ("aws-chunked", "gzip")) == b"hi"  # AWS's documented order
    assert decode_body(framed, ("gzip", "aws-chunked")) == b"hi"  # botocore's order


# ------------------------------------------------------------------ S3 Content-Encoding metadata


def test_s3_gzip_metadata_over_plain_bytes_is_not_a_contradiction(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest
        from moto import mock_aws

        @pytest.fixture(autouse=True)
        def env(monkeypatch):
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

        @mock_aws
        def test_plain_bytes_labelled_gzip(botowire):
            s3 = boto3.client("s3")
            s3.create_bucket(Bucket="bkt")
            s3.put_object(Bucket="bkt", Key="k", Body=b"plain text", ContentEncoding="gzip",
                          ChecksumAlgorithm="CRC32")
            s3.put_object(Bucket="bkt", Key="h", Body=b"plain text", ContentEncoding="gzip")
            assert s3.get_object(Bucket="bkt", Key="k")["Body"].read() == b"plain text"
            for put in botowire.select("s3.PutObject"):
                assert put.content == b"plain text"
                assert put.decoded_size == 10
                assert put.gzipped is False
            with pytest.raises(AssertionError, match="Content-Encoding: gzip but the body is not gzip"):
                botowire.select("s3.PutObject").assert_gzipped()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--botowire-aws-limits")
    result.assert_outcomes(passed=1)
    # The summary counts what the bytes are: no request of the test was gzip data.
    result.stdout.fnmatch_lines(["s3.PutObject * 2 * 0 * 0%*"])


# ------------------------------------------------------------------ bounded memory


def test_a_gzip_bomb_is_counted_streaming_and_never_held(botowire: Any, aws_env: None) -> None:
    size = 200 * MiB
    bomb = zeros_gzipped(size)
    assert len(bomb) < 1 * MiB
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="disk.img", Body=bomb, ContentEncoding="gzip", **CRC32)
    put = botowire.select("s3.PutObject")[0]
    del bomb
    from pytest_botowire.features.limits.report import Collector

    tracemalloc.start()
    try:
        assert put.decoded_size == size
        assert put.content is None
        assert put.content_error == (
            f"the decoded body is {size:,} bytes, over the capture cap ({8 * MiB:,}); "
            "decoded_size still counts it"
        )
        assert encoding_problem(put) is None
        assert gzip_problem(put) is None
        Collector(keep_rows=True).add("t", put, [], reported=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # At most the capture cap (8 MiB) of decoded bytes, plus a decompression step or two;
    # holding the decoded body took 200 MiB and more.
    assert peak < 12 * MiB, f"peak {peak:,} bytes"


def test_content_keeps_at_most_the_cap_of_decoded_bytes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import gzip, boto3, pytest
        from moto import mock_aws

        @pytest.fixture(autouse=True)
        def env(monkeypatch):
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

        @pytest.mark.botowire(body_cap=1000)
        @mock_aws
        def test_cap(botowire):
            s3 = boto3.client("s3")
            s3.create_bucket(Bucket="bkt")
            s3.put_object(Bucket="bkt", Key="small", Body=gzip.compress(b"x" * 1000),
                          ContentEncoding="gzip")
            s3.put_object(Bucket="bkt", Key="large", Body=gzip.compress(b"x" * 1001),
                          ContentEncoding="gzip")
            small, large = botowire.select("s3.PutObject")
            assert small.content == b"x" * 1000
            assert large.content is None
            assert large.decoded_size == 1001
            assert "over the capture cap (1,000)" in large.content_error
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_runaway_decompression_stops_with_a_note(botowire: Any, aws_env: None) -> None:
    # gzip of gzip of 200 MiB of zeros: a few hundred bytes that would decode to 200 MiB.
    bomb = gzip.compress(zeros_gzipped(200 * MiB))
    assert len(bomb) < 4096
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="bomb", Body=bomb, ContentEncoding="gzip,gzip", **CRC32)
    put = botowire.select("s3.PutObject")[0]
    tracemalloc.start()
    try:
        assert put.decoded_size is None
        assert put.content is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB, f"peak {peak:,} bytes"
    assert put.note is not None
    assert f"a ratio over {MAX_RATIO}:1, which no real payload has" in put.note
    assert put.content_error == put.note


def test_decode_stream_bound_on_size() -> None:
    decoded = decode_stream(zeros_gzipped(3 * MiB), ["gzip"], keep=0, max_size=2 * MiB)
    assert decoded.size is None
    assert decoded.stopped is not None
    assert f"past the bound of {2 * MiB:,} bytes" in decoded.stopped
    decoded = decode_stream(zeros_gzipped(2 * MiB), ["gzip"], keep=0, max_size=2 * MiB)
    assert decoded.size == 2 * MiB
    assert decoded.stopped is None


def test_decode_stream_reads_every_gzip_member() -> None:
    data = gzip.compress(b"a" * 300_000) + gzip.compress(b"b" * 5)
    decoded = decode_stream(data, ["gzip"], keep=1 << 20)
    assert decoded.data == b"a" * 300_000 + b"b" * 5
    assert decode_stream(data + b"junk", ["gzip"], keep=10).error is not None


# ------------------------------------------------------------------ gzip on streaming uploads


@pytest.mark.parametrize("tls", [True, False], ids=["https-aws-chunked", "http-header-checksum"])
@pytest.mark.filterwarnings("ignore::pytest_botowire.BotowireGzipWarning")
@pytest.mark.botowire(mode="passthrough", gzip="s3.PutObject")
def test_the_gzip_policy_gzips_the_payload_of_a_checksummed_upload(
    botowire: Any, moto_server: Any, moto_tls_server: Any, tls: bool
) -> None:
    server = moto_tls_server if tls else moto_server
    payload = os.urandom(1000) * 20
    s3 = server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="k", Body=io.BytesIO(payload), **CRC32)
    put = botowire.select("s3.PutObject")[0]
    assert put.encodings == (("gzip", "aws-chunked") if tls else ("gzip",))
    put.assert_gzipped()
    assert put.content == payload
    assert encoding_problem(put) is None
    assert server.received[-1].body == put.body  # what the server read is what was captured
    got = s3.get_object(Bucket=BUCKET, Key="k", ChecksumMode="ENABLED")
    assert got["ContentEncoding"] == "gzip"
    # S3 stores the gzip bytes as the object (Content-Encoding is its metadata); the
    # checksum S3 stored is of those bytes, and botocore validated it on the way back.
    assert gzip.decompress(got["Body"].read()) == payload


def test_the_gzip_policy_leaves_a_checksum_it_cannot_recompute_alone(
    botowire: Any, aws_env: None
) -> None:
    from pytest_botowire import BotowireGzipWarning
    from pytest_botowire.features.gzip import gzip_request_body

    payload = b"abc" * 1000
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.meta.events.register("before-sign.s3.PutObject", gzip_request_body)
        with pytest.warns(
            BotowireGzipWarning,
            match="the body of s3.PutObject was left uncompressed: its x-amz-checksum-crc32c",
        ):
            s3.put_object(
                Bucket=BUCKET,
                Key="k",
                Body=payload,
                ChecksumCRC32C="AAAAAA==",  # a given one
            )
    put = botowire.select("s3.PutObject")[0]
    assert put.body == payload
    assert "gzip" not in put.encodings


def test_a_gzipped_aws_chunked_framing_is_reported_as_corrupt(pytester: pytest.Pytester) -> None:
    # The classic recipe, a before-sign handler gzipping whatever the body is, over an S3
    # upload with a trailing checksum: S3 cannot read the framing back.
    pytester.makepyfile(
        """
        import gzip, boto3, pytest

        def squeeze(request, **kwargs):
            request.data = gzip.compress(request.body.read())
            request.headers["Content-Encoding"] += ",gzip"

        def test_put(botowire):
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.meta.events.register("before-sign.s3.PutObject", squeeze)
            s3.put_object(Bucket="bkt", Key="k", Body=b"x" * 5000, ChecksumAlgorithm="CRC32")
            put = botowire[0]
            assert put.encodings == ("aws-chunked", "gzip")
            with pytest.raises(AssertionError, match="framing"):
                put.assert_gzipped()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "botowire: 1 request sent a body that contradicts its own headers",
            "  - s3.PutObject (attempt 1), *: Content-Encoding names aws-chunked but the "
            "framing is broken: body is not valid aws-chunked data (*)",
        ]
    )


# ------------------------------------------------------------------ progress callbacks


def _upload_progress(path: Any, multipart: bool, **client: Any) -> list[int]:
    from boto3.s3.transfer import TransferConfig

    s3 = boto3.client("s3", region_name="us-east-1", **client)
    seen: list[int] = []
    threshold = 5 * MiB if multipart else 64 * MiB
    config = TransferConfig(multipart_threshold=threshold, multipart_chunksize=5 * MiB)
    s3.upload_file(str(path), BUCKET, "f", Callback=seen.append, Config=config)
    return seen


@pytest.mark.parametrize("multipart", [False, True], ids=["put", "multipart"])
@pytest.mark.parametrize("answer", ["offline", "respond"])
def test_progress_callbacks_see_every_byte_offline_as_under_moto(
    botowire: Any, aws_env: None, tmp_path: Any, multipart: bool, answer: str
) -> None:
    size = 11 * MiB + 123 if multipart else 300_000
    path = tmp_path / "upload.bin"
    path.write_bytes(os.urandom(size))
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        under_moto = _upload_progress(path, multipart)
    if answer == "respond" and multipart:
        botowire.respond("s3.CreateMultipartUpload", {"UploadId": "u"})
        botowire.respond("s3.UploadPart", {"ETag": '"e"'}, times=3)
        botowire.respond(
            "s3.CompleteMultipartUpload", {"Bucket": BUCKET, "Key": "f", "ETag": '"e"'}
        )
    elif answer == "respond":
        botowire.respond("s3.PutObject", {"ETag": '"e"'})
    offline = _upload_progress(path, multipart)
    assert sum(under_moto) == size
    assert sum(offline) == size
    sent = [r for r in botowire if r.operation in ("PutObject", "UploadPart")]
    assert {r.answered_by for r in sent} == {"moto", "botowire"}
    assert sum(r.decoded_size for r in sent if r.answered_by == "botowire") == size
