from datetime import timedelta

from elbd.api.credential_cache import CredentialCache
from elbd.clock import utcnow
from elbd.service.identity import Principal

ALICE = Principal("project-a", "user-a")


def test_a_verified_token_is_known_until_forgotten() -> None:
    cache = CredentialCache[Principal]()
    cache.put("token-1", ALICE, utcnow() + timedelta(hours=1))
    assert cache.get("token-1") == ALICE
    assert cache.get("token-2") is None
    cache.forget("token-1")
    assert cache.get("token-1") is None


def test_an_expired_token_is_not_known() -> None:
    cache = CredentialCache[Principal]()
    cache.put("token-1", ALICE, utcnow() - timedelta(seconds=1))
    assert cache.get("token-1") is None


def test_an_entry_lives_at_most_the_ttl() -> None:
    cache = CredentialCache[Principal](ttl_s=0)
    cache.put("token-1", ALICE, utcnow() + timedelta(hours=1))
    assert cache.get("token-1") is None


def test_the_oldest_entries_make_room() -> None:
    cache = CredentialCache[Principal](entries=2)
    for name in ("token-1", "token-2", "token-3"):
        cache.put(name, ALICE, utcnow() + timedelta(hours=1))
    assert [cache.get(name) for name in ("token-1", "token-2", "token-3")] == [None, ALICE, ALICE]


def test_a_credential_without_expiry_lives_the_ttl() -> None:
    cache = CredentialCache[str]()
    cache.put("access-key", "signing key")
    assert cache.get("access-key") == "signing key"
