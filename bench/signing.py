"""AK/SK request signing, as the official SDK signs (SDK-HMAC-SHA256), computed with elbd.auth.sdk_hmac."""

from datetime import UTC, datetime

from elbd.auth import sdk_hmac

CONTENT_TYPE = "application/json;charset=utf-8"
USER_AGENT = "huaweicloud-usdk-python/3.0; os/Linux python/3.11 impl/CPython; app/elbd-bench"


def signed_headers(
    method: str, path: str, query: str, body: bytes, host: str, project_id: str, access_key: str, secret_key: str
) -> dict[str, str]:
    """The headers the SDK sends: Content-Type, User-Agent, X-Project-Id, X-Sdk-Date (all signed, with
    Host) and the Authorization line."""
    sdk_date = datetime.now(UTC).strftime(sdk_hmac.DATE_FORMAT)
    signed = {
        "content-type": CONTENT_TYPE,
        "host": host,
        "user-agent": USER_AGENT,
        "x-project-id": project_id,
        "x-sdk-date": sdk_date,
    }
    names = tuple(sorted(signed))
    canonical = sdk_hmac.canonical_request(method, path, query, signed, names, body)
    signature = sdk_hmac.sign(secret_key, canonical, sdk_date)
    return {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        "X-Project-Id": project_id,
        "X-Sdk-Date": sdk_date,
        "Authorization": f"{sdk_hmac.ALGORITHM} Access={access_key}, SignedHeaders={';'.join(names)}, Signature={signature}",
    }
