"""The sealing primitives (domain.hotline.crypto) and where the configuration puts the keys:
ciphertexts bound to their complaint and column, keys wrapped by a KEK from the config, the
keyring's default place beside the main database."""

from __future__ import annotations

import pytest

from bot.config.hotline import HotlineConfig, data_keys, keyring_url
from domain.hotline import crypto


def test_a_sealed_text_opens_only_with_its_key_complaint_and_column() -> None:
    key = crypto.new_data_key()
    sealed = crypto.seal(key, -5, "description", "食堂多收费")
    assert sealed.startswith(crypto.PREFIX) and "食堂" not in sealed
    assert crypto.open_sealed(key, -5, "description", sealed) == "食堂多收费"
    for other_key, case_id, column in (
        (crypto.new_data_key(), -5, "description"),
        (key, -6, "description"),
        (key, -5, "message"),
    ):
        with pytest.raises(crypto.Unreadable):
            crypto.open_sealed(other_key, case_id, column, sealed)
    # Two seals of one text differ (random nonces): equal texts do not show as equal.
    assert crypto.seal(key, -5, "description", "x") != crypto.seal(key, -5, "description", "x")


def test_wrapped_keys_open_only_with_their_kek_and_complaint() -> None:
    kek = crypto.kek_from_secret("a" * 40)
    data_key = crypto.new_data_key()
    wrapped = crypto.wrap(kek, 9, data_key)
    assert data_key not in wrapped and crypto.unwrap(kek, 9, wrapped) == data_key
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(crypto.kek_from_secret("b" * 40), 9, wrapped)
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(kek, 10, wrapped)


def test_the_kek_comes_from_env_or_config_else_from_the_pepper() -> None:
    pepper = b"p" * 40
    (derived,) = data_keys(HotlineConfig(), pepper, env={})
    assert derived.key not in (pepper, pepper[:32])
    configured = HotlineConfig.model_validate(
        {"data_key": "c" * 40, "retired_data_keys": ["o" * 40]}
    )
    current, retired = data_keys(configured, pepper, env={})
    assert current == crypto.kek_from_secret("c" * 40) and current != derived
    assert retired == crypto.kek_from_secret("o" * 40)
    (from_env, _old) = data_keys(configured, pepper, env={"BOT_HOTLINE_DATA_KEY": "e" * 40})
    assert from_env == crypto.kek_from_secret("e" * 40)
    assert "c" * 40 not in repr(configured) and "key=" not in repr(current)


def test_the_keyring_lives_beside_the_main_database_never_in_it() -> None:
    plain = HotlineConfig()
    assert (
        keyring_url(plain, "sqlite+aiosqlite:///data/bot.db")
        == "sqlite+aiosqlite:///data/bot.keyring.db"
    )
    assert (
        keyring_url(plain, "postgresql+asyncpg://bot:pw@db:5432/rectify")
        == "postgresql+asyncpg://bot:pw@db:5432/rectify_keyring"
    )
    with pytest.raises(ValueError, match="keyring_url"):
        keyring_url(plain, "sqlite+aiosqlite:///:memory:")
    own = HotlineConfig(keyring_url="sqlite+aiosqlite:////secure/keys.db")
    assert (
        keyring_url(own, "sqlite+aiosqlite:///data/bot.db") == "sqlite+aiosqlite:////secure/keys.db"
    )
