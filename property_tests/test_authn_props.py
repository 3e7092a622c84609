"""AuthN: permission sets, login requests and error mapping over arbitrary input."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.authn import AccessAttr, AuthNError, ops
from aisclient.authn.access import perm_string
from aisclient.authn.errors import authn_error_from_response
from aisclient.errors import error_from_response
from aisclient.request import render_url

EXAMPLES = settings(max_examples=300, deadline=None)
FLAGS = list(AccessAttr)


@EXAMPLES
@given(st.sets(st.sampled_from(FLAGS)))
def test_a_permission_set_round_trips_through_its_wire_form(flags: set[AccessAttr]) -> None:
    wire = perm_string(sorted(flags))
    assert int(wire) == sum(int(flag) for flag in flags)  # single bits: OR is the sum
    named = AccessAttr.describe(wire)
    assert set(filter(None, named.split(","))) == {flag.name for flag in flags}


@EXAMPLES
@given(
    st.text(min_size=1).filter(lambda s: s.strip() and "/" not in s),
    st.text(min_size=1).filter(lambda s: s.strip()),
    st.one_of(st.none(), st.just(0), st.floats(min_value=60, max_value=1e7)),
)
def test_login_keeps_the_user_in_one_segment_and_the_password_out_of_reprs(
    user: str, password: str, expires_in: float | None
) -> None:
    request = ops.login(user, password, expires_in)
    assert request.path == ("users", user)
    url = render_url("http://authn:52001", request)
    assert url.count("/") == 5  # the name, whatever it holds, stays one path segment
    assert request.json["password"] == password
    assert repr(request.body) == "SecretJsonBody(***)"


def _jwt(claims: dict[str, object]) -> str:
    def part(doc: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@EXAMPLES
@given(
    st.integers(min_value=400, max_value=599),
    st.text(max_size=60),
    st.text(alphabet="abcdefghij", min_size=1, max_size=12),
)
def test_no_error_ever_shows_a_token(status: int, text: str, subject: str) -> None:
    token = _jwt({"sub": subject, "exp": 1796413962})
    body = json.dumps({"message": f"{text} invalid token: {token} {text}"}).encode()
    for err in (
        authn_error_from_response(status, {}, body),
        error_from_response(status, {}, body),
    ):
        assert token not in str(err) and token not in err.detail and token not in repr(err)
        assert err.status_code == status


@EXAMPLES
@given(st.integers(min_value=0, max_value=999), st.binary(max_size=200))
def test_authn_error_mapping_is_total(status: int, body: bytes) -> None:
    err = authn_error_from_response(status, {"Hdr-Error": "x"}, body)
    assert isinstance(err, AuthNError)
