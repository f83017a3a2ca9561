"""The one error type of elbd: every refusal is an ElbError, turned into the ELB error body by the API."""


class ElbError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str, code: str = "ELB.8902") -> ElbError:
    return ElbError(400, code, message)


def not_found(kind: str, resource_id: str) -> ElbError:
    return ElbError(404, "ELB.8904", f"{kind} {resource_id} could not be found.")


def conflict(message: str) -> ElbError:
    return ElbError(409, "ELB.8907", message)


def quota_exceeded(resource: str) -> ElbError:
    return ElbError(409, "ELB.8905", f"Quota exceeded for resources: ['{resource}'].")


def unauthenticated(detail: str) -> ElbError:
    return ElbError(401, "APIGW.0301", f"Incorrect IAM authentication information: {detail}")


def forbidden() -> ElbError:
    return ElbError(403, "APIGW.0302", "The IAM user is not authorized to access the API.")
