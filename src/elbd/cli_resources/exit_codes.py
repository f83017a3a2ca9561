"""The resource CLI's exit codes, for scripts (README: "The resource CLI")."""

OK = 0
FAILED = 1  # anything not below: a config file that cannot be read, an answer that is not the API's
USAGE = 2  # the command line itself (typer's own code for it)
REFUSED = 3  # 400: the API refused the input (nothing was changed)
NOT_FOUND = 4  # 404
CONFLICT = 5  # 409: in use, already exists, or a quota
UNAUTHORIZED = 6  # 401 or 403: missing or wrong credentials
UNAVAILABLE = 7  # elbd unreachable, or an answer 5xx (a 503 says the data plane did not confirm)
PARTIAL = 8  # member import: stopped at a failed chunk (rows before it are in; run it again to resume)


def for_status(status: int) -> int:
    if status == 400:
        return REFUSED
    if status == 404:
        return NOT_FOUND
    if status == 409:
        return CONFLICT
    if status in (401, 403):
        return UNAUTHORIZED
    if status >= 500:
        return UNAVAILABLE
    return FAILED
