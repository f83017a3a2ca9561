"""The limit settings from the environment: defaults, derived burst, and refusal of nonsense."""

from pathlib import Path

import pytest

from elbd.config import DEFAULT_MAX_BODY_BYTES, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ELBD_MAX_BODY_BYTES", "ELBD_RATE_LIMIT", "ELBD_RATE_BURST"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_a_2_mib_body_and_no_rate_limit(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.max_body_bytes == DEFAULT_MAX_BODY_BYTES == 2 * 1024 * 1024
    assert settings.rate_limit == 0


@pytest.mark.parametrize(("rate", "burst"), [("5", 5), ("0.5", 1), ("2.5", 3), ("0", 1)])
def test_the_burst_defaults_to_one_seconds_worth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rate: str, burst: int) -> None:
    monkeypatch.setenv("ELBD_RATE_LIMIT", rate)
    settings = load_settings(tmp_path)
    assert (settings.rate_limit, settings.rate_burst) == (float(rate), burst)


def test_given_values_are_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELBD_MAX_BODY_BYTES", "65536")
    monkeypatch.setenv("ELBD_RATE_LIMIT", "10")
    monkeypatch.setenv("ELBD_RATE_BURST", "40")
    settings = load_settings(tmp_path)
    assert (settings.max_body_bytes, settings.rate_limit, settings.rate_burst) == (65536, 10.0, 40)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ELBD_MAX_BODY_BYTES", "0"),
        ("ELBD_MAX_BODY_BYTES", "1MB"),
        ("ELBD_MAX_BODY_BYTES", "-5"),
        ("ELBD_RATE_LIMIT", "-1"),
        ("ELBD_RATE_LIMIT", "fast"),
        ("ELBD_RATE_LIMIT", "nan"),
        ("ELBD_RATE_LIMIT", "inf"),
        ("ELBD_RATE_BURST", "0"),
        ("ELBD_RATE_BURST", "1.5"),
    ],
)
def test_nonsense_is_refused_with_the_variables_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        load_settings(tmp_path)
