"""Error mapping and the exception values."""

from __future__ import annotations

import json
import pickle

import pytest

from aisclient import errors
from aisclient.errors import (
    AISConnectionError,
    AISError,
    AISRetryableError,
    AISTimeoutError,
    APIRequestError,
    ErrBckAlreadyExists,
    ErrBckNotFound,
    ErrETLAlreadyExists,
    ErrETLNotFound,
    ErrGETConflict,
    ErrObjNotFound,
    ErrRemoteBckNotFound,
    IncompleteBodyError,
    InvalidBckProvider,
    InvalidURLException,
    NoTargetError,
    ObjectFileReaderMaxResumeError,
    Timeout,
    UnexpectedHTTPStatusCode,
    error_from_response,
)
from aisclient.request import JsonBody, Request

URL = "http://proxy:8080/v1/x"


def ais_body(message: str, status: int, tcode: str = "") -> bytes:
    doc = {"message": message, "method": "GET", "url_path": "/v1/x", "status": status}
    if tcode:
        doc["tcode"] = tcode
    return json.dumps(doc, separators=(",", ":")).encode()


def mapped(status: int, message: str, method: str = "GET") -> APIRequestError:
    request = Request(method, ("x",))
    return error_from_response(status, {}, ais_body(message, status), request, url=URL)


@pytest.mark.parametrize(
    ("status", "method", "message", "cls"),
    [
        (404, "HEAD", 'bucket "ais://abc" does not exist', ErrBckNotFound),
        (404, "GET", 'aws bucket "s3://abc" does not exist', ErrRemoteBckNotFound),
        (404, "GET", 'gcp bucket "gs://abc" does not exist', ErrRemoteBckNotFound),
        (404, "GET", 'azure bucket "az://abc" does not exist', ErrRemoteBckNotFound),
        (404, "GET", 'oci bucket "oc://abc" does not exist', ErrRemoteBckNotFound),
        (404, "GET", 'remote bucket "ais://@Zuuid#ns/abc" does not exist', ErrRemoteBckNotFound),
        (404, "GET", 'remote bucket "ais://@remais/abc" does not exist', ErrRemoteBckNotFound),
        (404, "GET", 'bucket "ais://@uuid" does not exist', ErrRemoteBckNotFound),
        (404, "GET", "t[kWQt8081]: ais://abc/dir/obj.bin does not exist", ErrObjNotFound),
        (404, "GET", "t[x]: s3://abc/obj does not exist", ErrObjNotFound),
        (404, "GET", "t[x]: ais://@uuid#ns/abc/obj does not exist", ErrObjNotFound),
        (404, "GET", "etl job my-etl does not exist", ErrETLNotFound),
        # "etl job" is checked first, even when a bucket URL is present
        (404, "GET", "etl job e1 (ais://abc) does not exist", ErrETLNotFound),
        (404, "GET", "not found", APIRequestError),
        (409, "POST", 'bucket "ais://abc" already exists', ErrBckAlreadyExists),
        (409, "POST", "etl job e1 already exists", ErrETLAlreadyExists),
        (409, "GET", 'bucket "ais://abc" already exists', ErrGETConflict),
        (409, "GET", "object is write-locked", ErrGETConflict),
        (409, "PUT", "t[x]: ais://abc/obj is busy", APIRequestError),
        (409, "PUT", "busy", APIRequestError),
        (400, "GET", 'bucket "ais://abc" does not exist', APIRequestError),
        (500, "GET", "internal", APIRequestError),
        (503, "GET", "", APIRequestError),
    ],
)
def test_mapping_table(status: int, method: str, message: str, cls: type) -> None:
    err = mapped(status, message, method)
    assert type(err) is cls
    assert err.status_code == status
    assert err.req_url == URL
    assert err.message == ais_body(message, status).decode()  # the raw body, as in the SDK
    assert err.detail == (message or err.message)  # an empty message field: the raw text


def test_retryable_and_base_classes_follow_the_sdk() -> None:
    assert issubclass(ErrObjNotFound, AISRetryableError)
    assert issubclass(ErrGETConflict, AISRetryableError)
    for cls in (ErrBckNotFound, ErrRemoteBckNotFound, ErrBckAlreadyExists, ErrETLNotFound):
        assert issubclass(cls, APIRequestError) and not issubclass(cls, AISRetryableError)
    # one root: `except AISError` catches HTTP, network and client-side errors alike
    for cls in (APIRequestError, AISConnectionError, InvalidBckProvider, Timeout):
        assert issubclass(cls, AISError)
    assert issubclass(AISTimeoutError, TimeoutError) and issubclass(
        AISTimeoutError, ConnectionError
    )
    assert issubclass(InvalidBckProvider, ValueError) and issubclass(Timeout, TimeoutError)


def test_head_error_comes_from_the_hdr_error_header() -> None:
    header = ais_body('bucket "ais://abc" does not exist', 404, "ErrBckNotFound").decode()
    request = Request("HEAD", ("buckets", "abc"))
    err = error_from_response(404, {"hdr-error": header}, b"", request, url=URL)
    assert type(err) is ErrBckNotFound
    assert err.tcode == "ErrBckNotFound"
    assert err.message == header
    err = error_from_response(404, {"Hdr-Error": header}, b"", request)
    assert type(err) is ErrBckNotFound


def test_head_without_any_detail_is_a_plain_error() -> None:
    err = error_from_response(404, {}, b"", Request("HEAD", ("objects", "b", "o")), url=URL)
    assert type(err) is APIRequestError and err.status_code == 404 and err.message == ""


def test_a_body_wins_over_the_header() -> None:
    body = ais_body("t[x]: ais://b/o does not exist", 404)
    header = ais_body('bucket "ais://b" does not exist', 404).decode()
    assert type(error_from_response(404, {"Hdr-Error": header}, body)) is ErrObjNotFound


def test_plain_text_and_non_json_bodies() -> None:
    err = error_from_response(405, {"Allow": "GET"}, b"Method Not Allowed")
    assert err.message == "Method Not Allowed" and err.tcode == "" and err.detail == err.message
    err = error_from_response(400, {}, b"{not json")
    assert err.message == "{not json"
    err = error_from_response(404, {}, b'{"message": 5, "tcode": ["x"]}')
    assert err.tcode == "" and err.detail == '{"message": 5, "tcode": ["x"]}'
    err = error_from_response(500, {}, b"\xff\xfe bad utf8")
    assert "bad utf8" in err.message


def test_str_is_the_sdk_format() -> None:
    err = mapped(404, 'bucket "ais://abc" does not exist')
    assert str(err) == f"STATUS:404, MESSAGE:{err.message}, REQ_URL:{URL}"


def test_the_request_is_kept_on_the_error() -> None:
    request = Request("DELETE", ("buckets", "b"))
    assert error_from_response(500, {}, b"x", request).req is request


def test_http_errors_pickle_without_the_request() -> None:
    request = Request("POST", ("buckets", "b"), body=JsonBody.of({"action": "x"}))
    err = error_from_response(409, {}, ais_body('bucket "ais://b" already exists', 409), request)
    err.add_note("while creating")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is ErrBckAlreadyExists
    assert (copy.status_code, copy.message, copy.req_url, copy.tcode, copy.detail) == (
        err.status_code,
        err.message,
        err.req_url,
        err.tcode,
        err.detail,
    )
    assert copy.req is None and str(copy) == str(err)
    assert copy.__notes__ == ["while creating"]


@pytest.mark.parametrize(
    "err",
    [
        AISConnectionError("GET u: refused", method="GET", url="http://h/v1/x", phase="connect"),
        AISTimeoutError("GET u: timed out", method="GET", url="http://h/v1/x", phase="read"),
        IncompleteBodyError("broke", method="GET", url="http://h", phase="read"),
        InvalidBckProvider("ftp"),
        InvalidURLException("ais://"),
        Timeout("job x", "still running"),
        UnexpectedHTTPStatusCode([200, 202], 206),
        NoTargetError(3),
        ObjectFileReaderMaxResumeError(ValueError("boom"), 5),
        AISError("plain"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_error_pickles_with_its_attributes(err: AISError) -> None:
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert {k: v for k, v in vars(copy).items() if k != "original_error"} == {
        k: v for k, v in vars(err).items() if k != "original_error"
    }


def test_sdk_messages_of_client_side_errors() -> None:
    assert str(Timeout("job x")) == "Timed out while waiting for job x."
    assert str(Timeout("job x", "detail")) == "Timed out while waiting for job x. detail"
    assert str(InvalidURLException("b/o")) == (
        "Invalid URL: 'b/o'. Ensure it follows the format 'provider://bucket/object'."
    )
    err = UnexpectedHTTPStatusCode([200], 500)
    assert (err.expected_status_codes, err.received_status_code) == ([200], 500)


def test_all_names_are_exported() -> None:
    for name in errors.__all__:
        assert hasattr(errors, name)
