"""IAM authorization: verify a request's Signature Version 4 (``Authorization: AWS4-HMAC-SHA256 ...``).

The canonical request and the signature are computed by botocore's own signer (``SigV4Auth``, the code that
signs every boto3 call), over exactly the headers the client lists in ``SignedHeaders``, at the client's
``X-Amz-Date``, with the secret the access key has in the local AWS (:mod:`.credentials`). A request
signed by botocore, the AWS CLI or any SigV4 library for ``execute-api`` in the API's region passes.

Refusals carry AWS's messages: a missing part of the header (``IncompleteSignatureException``), an
unknown access key (``The security token included in the request is invalid.``), a date more than 5
minutes off (``Signature expired: ...``), a credential scoped to another region or service, and a wrong
signature, with the canonical request and string to sign AWS would have expected.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Final

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials as BotoCredentials

from lambda_micro.local.exchange import GatewayRequest

from .credentials import Caller, Credentials

__all__ = ["SignatureRejected", "verify_sigv4"]

_SCHEME: Final = "AWS4-HMAC-SHA256"
_SKEW: Final = timedelta(minutes=5)
_STAMP: Final = "%Y%m%dT%H%M%SZ"
SERVICE: Final = "execute-api"


class SignatureRejected(Exception):
    """The signature fails; ``unsigned`` when there is none at all, ``error_type`` AWS's exception name."""

    def __init__(
        self, message: str, error_type: str = "InvalidSignatureException", *, unsigned: bool = False
    ):
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.unsigned = unsigned


class _Signer(SigV4Auth):
    """botocore's SigV4 over the client's ``SignedHeaders`` only, as they arrived."""

    def __init__(self, credentials: BotoCredentials, region: str, signed: Sequence[tuple[str, str]]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: Any) -> HTTPHeaders:
        headers = HTTPHeaders()
        for name, value in self._signed:
            headers[name] = value
        return headers


def _fields(header: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in header[len(_SCHEME) :].split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def _moment(request: GatewayRequest) -> tuple[str, datetime]:
    stamp = request.header("X-Amz-Date")
    if stamp:
        try:
            return stamp, datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            raise SignatureRejected(
                f"Date must be in ISO-8601 'basic format'. Got '{stamp}'. See http://en.wikipedia.org/wiki/ISO_8601",
                "IncompleteSignatureException",
            ) from None
    date = request.header("Date")
    try:
        moment = parsedate_to_datetime(date or "").astimezone(UTC)
    except (TypeError, ValueError):
        raise SignatureRejected(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            "IncompleteSignatureException",
        ) from None
    return moment.strftime(_STAMP), moment


def verify_sigv4(
    request: GatewayRequest, *, region: str, credentials: Credentials, now: datetime | None = None
) -> Caller:
    """The caller whose key signed ``request``; :class:`SignatureRejected` naming what is wrong."""
    header = request.header("Authorization")
    if not header:
        raise SignatureRejected(
            "Missing Authentication Token", "MissingAuthenticationTokenException", unsigned=True
        )
    if not header.startswith(_SCHEME + " "):
        raise SignatureRejected(
            f"Authorization header requires '{_SCHEME}' as its scheme. Authorization={header}",
            "IncompleteSignatureException",
        )
    fields = _fields(header)
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    if missing:
        raise SignatureRejected(
            " ".join([*missing, f"Authorization={header}"]), "IncompleteSignatureException"
        )
    stamp, moment = _moment(request)
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise SignatureRejected(
            "Credential should be scoped to a valid region, service and aws4_request. "
            f"Credential={fields['Credential']}",
            "IncompleteSignatureException",
        )
    access_key, date, scope_region, service, _ = scope
    caller = credentials.lookup(access_key)
    if caller is None:
        raise SignatureRejected(
            "The security token included in the request is invalid.", "UnrecognizedClientException"
        )
    current = now or datetime.now(UTC)
    if moment < current - _SKEW:
        early = (current - _SKEW).strftime(_STAMP)
        raise SignatureRejected(
            f"Signature expired: {stamp} is now earlier than {early} ({current.strftime(_STAMP)} - 5 min.)"
        )
    if moment > current + _SKEW:
        late, at = (current + _SKEW).strftime(_STAMP), current.strftime(_STAMP)
        raise SignatureRejected(
            f"Signature not yet current: {stamp} is still later than {late} ({at} + 5 min.)"
        )
    if scope_region != region:
        raise SignatureRejected(f"Credential should be scoped to a valid region, not '{scope_region}'. ")
    if service != SERVICE:
        raise SignatureRejected(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    if date != stamp[:8]:
        raise SignatureRejected(f"Credential should be scoped to a valid date: '{stamp[:8]}', not '{date}'. ")
    names = [name.strip().lower() for name in fields["SignedHeaders"].split(";") if name.strip()]
    signed = [(name, value) for name in names for key, value in request.headers if key.lower() == name]
    host = request.header("Host") or "localhost"
    url = f"https://{host}{request.path}" + (f"?{request.query}" if request.query else "")
    aws_request = AWSRequest(method=request.method, url=url, data=request.body)
    for name, value in signed:
        aws_request.headers[name] = value
    aws_request.context["timestamp"] = stamp
    signer = _Signer(BotoCredentials(caller.access_key, caller.secret_key), region, signed)
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    expected = signer.signature(string_to_sign, aws_request)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise SignatureRejected(
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
            f"The Canonical String for this request should have been\n'{canonical}'\n\n"
            f"The String-to-Sign should have been\n'{string_to_sign}'\n"
        )
    return caller
