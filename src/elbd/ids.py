import secrets
import string
import uuid


def new_id() -> str:
    return str(uuid.uuid4())


def new_hex_id() -> str:
    """32 lowercase hex characters: the form of project and user ids."""
    return uuid.uuid4().hex


def new_access_key() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(20))


def new_secret(length: int = 40) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))
