"""Reads across faults: a resumed or parallel read never returns parts of two versions of an
object, a connection that keeps dropping still lets a file read finish, and the resumes of one
read share one retry budget. On LocalCluster and on aisnode."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from _support.fault_hooks import CutResponse, Hook, ReceivedThenReset
from aisclient import Client
from aisclient.clock import FakeClock
from aisclient.content_stream import ObjectChangedError
from aisclient.errors import AISConnectionError, ObjectFileReaderMaxResumeError
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import Response

SIZE = 1 << 20
OLD, NEW = b"o" * SIZE, b"n" * SIZE
QUICK = RetryPolicy(backoff_factor=0.05, network_wait_min=0.05, network_wait_max=0.2)


@pytest.fixture
def plain(cluster_endpoint: str, bucket_name: str) -> Iterator[Any]:
    """The test's bucket, through a client without hooks (for set-up and overwrites)."""
    with Client(cluster_endpoint, retry_config=QUICK) as client:
        bucket = client.bucket(bucket_name).create()
        yield bucket
        bucket.delete(missing_ok=True)


def is_get(request: Request, name: str) -> bool:
    return request.method == "GET" and request.path[-1] == name


def test_a_resumed_file_read_fails_when_the_object_changes(
    cluster_endpoint: str, plain: Any
) -> None:
    plain.object("o").get_writer().put_content(OLD)
    gets = 0

    def cut_first_and_overwrite(request: Request, response: Response) -> Response:
        nonlocal gets
        if not is_get(request, "o"):
            return response
        gets += 1
        if gets > 1:
            return response
        cut = ReceivedThenReset(response, 64 * 1024)
        plain.object("o").get_writer().put_content(NEW)  # between the first GET and the resume
        return cut

    hook = Hook(cluster_endpoint, after=cut_first_and_overwrite)
    with Client(cluster_endpoint, transport=hook, retry_config=QUICK) as client:
        reader = client.bucket(plain.name).object("o").get_reader()
        with reader.as_file() as f, pytest.raises(ObjectChangedError, match="changed"):
            f.read()
    assert gets == 2  # the resume asked once, saw another version, and stopped


def test_a_parallel_read_fails_when_the_object_changes(cluster_endpoint: str, plain: Any) -> None:
    plain.object("o").get_writer().put_content(OLD)
    versions = iter([NEW, OLD])
    written = threading.Event()

    def first_range(request: Request) -> bool:
        return is_get(request, "o") and (request.header("Range") or "").startswith("bytes=0-")

    def later_ranges_wait(request: Request) -> None:
        if request.method == "HEAD":
            written.clear()  # a new read begins
        elif is_get(request, "o") and not first_range(request):
            assert written.wait(30), "the first range never came"
        return None

    def overwrite_after_first_range(request: Request, response: Response) -> Response:
        if first_range(request):
            # The first range arrives whole (and its connection is free) before the write.
            response.content  # noqa: B018
            plain.object("o").get_writer().put_content(next(versions))
            written.set()
        return response

    hook = Hook(cluster_endpoint, before=later_ranges_wait, after=overwrite_after_first_range)
    with Client(cluster_endpoint, transport=hook, retry_config=QUICK) as client:
        obj = client.bucket(plain.name).object("o")
        with pytest.raises(ObjectChangedError):
            obj.get_reader(num_workers=2, chunk_size=256 * 1024).read_all()
        with pytest.raises(ObjectChangedError):
            b"".join(obj.get_reader(num_workers=2, chunk_size=256 * 1024))


def test_a_file_read_makes_progress_under_repeated_drops(cluster_endpoint: str, plain: Any) -> None:
    data = bytes(range(256)) * (3 * SIZE // 256)
    plain.object("o").get_writer().put_content(data)

    def cut_every_answer(request: Request, response: Response) -> Response:
        # Every answer breaks off after 600 KiB: less than one 1 MiB read of the file.
        return CutResponse(response, 600 * 1024) if is_get(request, "o") else response

    hook = Hook(cluster_endpoint, after=cut_every_answer)
    with Client(cluster_endpoint, transport=hook, retry_config=QUICK) as client:
        reader = client.bucket(plain.name).object("o").get_reader()
        with reader.as_file(max_resume=10) as f:
            assert f.read() == data


def test_resumes_share_one_retry_budget(cluster_endpoint: str, plain: Any) -> None:
    plain.object("o").get_writer().put_content(OLD)
    opens = 0

    def first_cut_then_refused(request: Request) -> Response | None:
        nonlocal opens
        if not is_get(request, "o"):
            return None
        opens += 1
        if opens > 1:
            raise AISConnectionError("connection refused (injected)", phase="connect")
        return None

    def cut(request: Request, response: Response) -> Response:
        return CutResponse(response, 1024) if is_get(request, "o") else response

    hook = Hook(cluster_endpoint, before=first_cut_then_refused, after=cut)
    policy = RetryPolicy(network_attempts=4)
    client = Client(cluster_endpoint, transport=hook, retry_config=policy, clock=FakeClock().clock)
    reader = client.bucket(plain.name).object("o").get_reader()
    with client, reader.as_file(max_resume=5) as f, pytest.raises(ObjectFileReaderMaxResumeError):
        f.read()
    # One budget for the whole read: the first open plus the policy's 4 attempts in all,
    # then one attempt per remaining resume (not 4 attempts for each of 5 resumes).
    assert opens <= 1 + policy.network_attempts + 5
