from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pydantic
import pytest

from bot.config import Config, ConfigError, config_from_dict, load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
TOKEN = "987654321:AAHsecretSECRETsecret_token-value"
NO_ENV: dict[str, str] = {}
UTC_ZONE = ZoneInfo("UTC")


def minimal() -> dict[str, Any]:
    return {
        "telegram": {"token": TOKEN},
        "campaign": {
            "name": "作风整顿",
            "phases": [
                {"key": "a", "name": "一", "start": date(2027, 2, 14), "end": date(2027, 3, 5)},
                {"key": "b", "name": "二", "start": date(2027, 3, 6), "end": date(2027, 3, 31)},
                {"key": "c", "name": "三", "start": date(2027, 4, 1), "end": date(2027, 10, 31)},
            ],
            "deadlines": [
                {"key": "d", "name": "清单", "due": date(2027, 4, 5), "audience": "unit_heads"}
            ],
        },
        "categories": [{"key": "other", "name": "其他", "description": "其他问题"}],
    }


def problems(data: dict[str, Any], env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        config_from_dict(data, env=NO_ENV if env is None else env)
    text = str(info.value)
    assert TOKEN not in text
    assert text.splitlines() == list(info.value.problems)
    return text.splitlines()


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


# --- the example file ---------------------------------------------------------------


def test_example_loads() -> None:
    cfg = load_config(EXAMPLE, env=NO_ENV)
    assert isinstance(cfg, Config)
    assert cfg.telegram.token.get_secret_value() == "123456:REPLACE-ME"
    assert cfg.telegram.token_is_placeholder
    assert cfg.telegram.base_url == "https://api.telegram.org/bot"
    assert cfg.storage.url == "sqlite+aiosqlite:///data/bot.db"
    camp = cfg.campaign
    assert camp.timezone == "Asia/Shanghai"
    assert str(camp.tz) == "Asia/Shanghai"
    assert camp.language == "zh_CN"
    assert [p.name for p in camp.phases] == ["学习动员", "自查自纠", "综合整治", "总结提高"]
    assert [(p.start, p.end) for p in camp.phases] == [
        (date(2027, 2, 14), date(2027, 3, 5)),
        (date(2027, 3, 6), date(2027, 3, 31)),
        (date(2027, 4, 1), date(2027, 10, 31)),
        (date(2027, 11, 1), date(2027, 12, 31)),
    ]
    assert all(p.name_en and p.description and p.description_en for p in camp.phases)
    assert (camp.start, camp.end) == (date(2027, 2, 14), date(2027, 12, 31))
    (deadline,) = camp.deadlines
    assert deadline.key == "problem_list"
    assert deadline.name == "问题整改清单报局办公室"
    assert deadline.due == date(2027, 4, 5)
    assert deadline.audience == "unit_heads"
    assert camp.deadline("problem_list") is deadline
    assert [c.name for c in cfg.categories] == [*"弱松庸慢散懒推奢", "其他"]
    assert cfg.category("other").name == "其他"
    for cat in cfg.categories:
        assert len(cat.description) <= 40, cat.key
        assert cat.name_en and cat.description_en
        if cat.key != "other":
            assert len(cat.items) == 3 and cat.items_en is not None and len(cat.items_en) == 3
    assert cfg.access.admins == () and cfg.access.staff_chat is None
    assert (cfg.invites.ttl_days, cfg.invites.max_uses) == (14, 1)
    assert (cfg.limits.text_max_chars, cfg.limits.name_max_chars) == (2000, 64)


def test_example_is_the_defaults() -> None:
    lean = config_from_dict(minimal(), env=NO_ENV)
    cfg = load_config(EXAMPLE, env=NO_ENV)
    assert cfg.storage == lean.storage
    assert cfg.invites == lean.invites and cfg.limits == lean.limits
    assert cfg.telegram.base_file_url == lean.telegram.base_file_url
    assert cfg.campaign.timezone == lean.campaign.timezone


def test_phase_on_and_lookups() -> None:
    cfg = load_config(EXAMPLE, env=NO_ENV)
    on = cfg.phase_on
    assert on(date(2027, 2, 13)) is None
    assert on(date(2027, 2, 14)) is cfg.campaign.phases[0]
    assert on(date(2027, 3, 5)) is cfg.campaign.phase("mobilise")
    assert on(date(2027, 3, 6)) is cfg.campaign.phase("self_check")
    assert on(date(2027, 12, 31)) is cfg.campaign.phase("review")
    assert on(date(2028, 1, 1)) is None
    # 17:00 UTC on Mar 5 is already Mar 6 in Shanghai.
    assert on(datetime(2027, 3, 5, 17, 0, tzinfo=UTC)) is cfg.campaign.phase("self_check")
    with pytest.raises(KeyError):
        cfg.category("nope")
    with pytest.raises(KeyError):
        cfg.campaign.phase("nope")


def test_language_helpers() -> None:
    cfg = load_config(EXAMPLE, env=NO_ENV)
    weak = cfg.category("weak")
    assert weak.name_for("zh_CN") == "弱" and weak.name_for("en") == "Weak"
    assert weak.items_for("en") == weak.items_en
    assert cfg.campaign.phases[0].name_for("en") == "Mobilisation and study"
    lean = config_from_dict(minimal(), env=NO_ENV)
    assert lean.category("other").name_for("en") == "其他"  # falls back to Chinese
    assert lean.campaign.phases[0].description_for("en") is None


def test_models_are_frozen() -> None:
    cfg = config_from_dict(minimal(), env=NO_ENV)
    with pytest.raises(pydantic.ValidationError):
        cfg.campaign.__setattr__("name", "x")
    assert isinstance(cfg.campaign.phases, tuple)
    assert isinstance(cfg.categories, tuple)


# --- file and environment -----------------------------------------------------------


def test_env_token_overrides_file(tmp_path: Path) -> None:
    cfg = load_config(EXAMPLE, env={"BOT_TOKEN": TOKEN})
    assert cfg.telegram.token.get_secret_value() == TOKEN
    assert not cfg.telegram.token_is_placeholder
    assert load_config(EXAMPLE, env={"BOT_TOKEN": ""}).telegram.token_is_placeholder


def test_env_token_alone_is_enough(tmp_path: Path) -> None:
    data = minimal()
    del data["telegram"]
    cfg = config_from_dict(data, env={"BOT_TOKEN": f"  {TOKEN}\n"})
    assert cfg.telegram.token.get_secret_value() == TOKEN


def test_bot_config_env_path(tmp_path: Path) -> None:
    path = write(tmp_path, example_text(), "elsewhere.toml")
    cfg = load_config(env={"BOT_CONFIG": str(path)})
    assert len(cfg.campaign.phases) == 4
    # An explicit path wins over BOT_CONFIG.
    assert load_config(EXAMPLE, env={"BOT_CONFIG": str(tmp_path / "missing.toml")})


def test_no_config_file() -> None:
    for env in (NO_ENV, {"BOT_CONFIG": " "}):
        with pytest.raises(ConfigError) as info:
            load_config(env=env)
        assert str(info.value) == "no config file: pass --config PATH or set BOT_CONFIG"


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        load_config(missing, env=NO_ENV)
    assert str(info.value).startswith(f"{missing}: cannot read: ")
    bad = tmp_path / "gbk.toml"
    bad.write_bytes("[campaign]\nname = '作风'\n".encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad, env=NO_ENV)


def test_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert len(load_config(path, env=NO_ENV).categories) == 9


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "x"\nbase_url "oops"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, env=NO_ENV)
    (line,) = str(info.value).splitlines()
    assert line.startswith(f"{path}: line 3: ")
    assert info.value.source == str(path)


def test_toml_error_at_end_of_document(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "x"\nadmins = [1, 2\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, env=NO_ENV)
    assert str(info.value) == f"{path}: line 3: Unclosed array (at end of document)"


def test_validation_errors_from_file(tmp_path: Path) -> None:
    text = example_text().replace("end = 2027-10-31", "end = 2027-03-01")
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=NO_ENV)
    assert str(info.value) == "campaign.phases[2].end (the 3rd phase): before start"


# --- validation messages ------------------------------------------------------------


def test_missing_token_names_the_key() -> None:
    data = minimal()
    del data["telegram"]["token"]
    assert problems(data) == ["telegram.token: required (set it in the file or in env BOT_TOKEN)"]
    data["telegram"]["token"] = "  "
    assert problems(data) == ["telegram.token: required (set it in the file or in env BOT_TOKEN)"]


def test_end_before_start() -> None:
    data = minimal()
    data["campaign"]["phases"][2]["end"] = date(2027, 3, 31)
    assert problems(data) == ["campaign.phases[2].end (the 3rd phase): before start"]


def test_overlapping_and_unordered_phases() -> None:
    data = minimal()
    data["campaign"]["phases"][1]["start"] = date(2027, 3, 5)
    assert problems(data) == ["campaign.phases[1].start (the 2nd phase): overlaps phase 'a'"]
    data = minimal()
    data["campaign"]["phases"][2]["start"] = date(2027, 1, 1)
    assert problems(data) == [
        "campaign.phases[2].start (the 3rd phase): before phase 'b' (phases must be in date order)"
    ]


def test_at_least_one_phase_and_category() -> None:
    data = minimal()
    data["campaign"]["phases"] = []
    data["categories"] = []
    assert problems(data) == [
        "campaign.phases: needs at least one phase",
        "categories: needs at least one category",
    ]


def test_unknown_keys() -> None:
    data = minimal()
    data["campaign"]["phses"] = []
    data["campaign"]["phases"][0]["stat"] = date(2027, 1, 1)
    data["extra"] = {}
    assert sorted(problems(data)) == [
        "campaign.phases[0].stat (the 1st phase): unknown key",
        "campaign.phses: unknown key",
        "extra: unknown key",
    ]


def test_bad_timezone() -> None:
    data = minimal()
    data["campaign"]["timezone"] = "Asia/Shangai"
    assert problems(data) == ["campaign.timezone: unknown time zone 'Asia/Shangai'"]


def test_bad_language() -> None:
    data = minimal()
    data["campaign"]["language"] = "zh"
    assert problems(data) == ["campaign.language: must be one of 'zh_CN' or 'en'"]


def test_bad_base_url_is_not_echoed() -> None:
    data = minimal()
    data["telegram"]["base_url"] = f"https://api.telegram.org/bot{TOKEN}/"
    data["telegram"]["base_file_url"] = "ftp://example.org/file/bot"
    assert problems(data) == [
        "telegram.base_url: must end with '/bot' (the token is appended to it)",
        "telegram.base_file_url: must start with https:// or http://",
    ]


def test_local_bot_api_server_url() -> None:
    data = minimal()
    data["telegram"]["base_url"] = "http://localhost:8081/bot"
    assert config_from_dict(data, env=NO_ENV).telegram.base_url == "http://localhost:8081/bot"


def test_deadline_outside_campaign() -> None:
    data = minimal()
    data["campaign"]["deadlines"][0]["due"] = date(2027, 11, 1)
    assert problems(data) == [
        "campaign.deadlines[0].due (the 1st deadline): "
        "outside the campaign (2027-02-14 to 2027-10-31)"
    ]
    data["campaign"]["deadlines"][0]["audience"] = "teachers"
    (line,) = problems(data)
    assert line.startswith(
        "campaign.deadlines[0].audience (the 1st deadline): must be one of 'unit_heads'"
    )


def test_duplicate_keys() -> None:
    data = minimal()
    data["campaign"]["phases"][2]["key"] = "a"
    data["categories"].append({"key": "other", "name": "又", "description": "重复"})
    assert problems(data) == [
        "campaign.phases[2].key (the 3rd phase): duplicate key 'a' (also phases[0], the 1st)",
        "categories[1].key (the 2nd category): duplicate key 'other' (also categories[0], the 1st)",
    ]
    data = minimal()
    data["campaign"]["deadlines"].append(dict(data["campaign"]["deadlines"][0]))
    assert problems(data) == [
        "campaign.deadlines[1].key (the 2nd deadline): "
        "duplicate key 'd' (also deadlines[0], the 1st)"
    ]


def test_bad_slug() -> None:
    data = minimal()
    data["campaign"]["phases"][0]["key"] = "Study-1"
    assert problems(data) == [
        "campaign.phases[0].key (the 1st phase): must be 1-32 characters of a-z, 0-9 and _"
    ]


def test_other_category_required() -> None:
    data = minimal()
    data["categories"] = [{"key": "weak", "name": "弱", "description": "理想信念不坚决"}]
    assert problems(data) == ["categories: needs a category with key 'other'"]


def test_items_en_must_match_items() -> None:
    data = minimal()
    data["categories"][0]["items"] = ["一", "二"]
    data["categories"][0]["items_en"] = ["one"]
    assert problems(data) == [
        "categories[0].items_en (the 1st category): has 1 entries but items has 2"
    ]


def test_dates_as_strings_but_not_datetimes_or_numbers() -> None:
    data = minimal()
    data["campaign"]["phases"][0]["start"] = "2027-02-14"
    cfg = config_from_dict(data, env=NO_ENV)
    assert cfg.campaign.phases[0].start == date(2027, 2, 14)
    data["campaign"]["phases"][0]["start"] = datetime(2027, 2, 14, 8, 0)
    data["campaign"]["phases"][1]["start"] = 1700000000
    data["campaign"]["phases"][2]["start"] = "2027-02-30"
    assert problems(data) == [
        "campaign.phases[0].start (the 1st phase): "
        "must be a date like 2027-02-14, not a date and time",
        "campaign.phases[1].start (the 2nd phase): must be a date like 2027-02-14",
        "campaign.phases[2].start (the 3rd phase): not a real calendar date",
    ]


def test_access_invites_limits() -> None:
    data = minimal()
    data["access"] = {"admins": [1001, "1002", 0], "staff_chat": -100123}
    data["invites"] = {"ttl_days": 0, "max_uses": 10001}
    data["limits"] = {"text_max_chars": 4001}
    assert problems(data) == [
        "access.admins[1] (the 2nd admin): must be a whole number",
        "access.admins[2] (the 3rd admin): must be at least 1",
        "invites.ttl_days: must be at least 1",
        "invites.max_uses: must be at most 10000",
        "limits.text_max_chars: must be at most 4000",
    ]
    data["access"] = {"admins": [1001], "staff_chat": -100123}
    del data["invites"], data["limits"]
    cfg = config_from_dict(data, env=NO_ENV)
    assert cfg.access.admins == (1001,)
    assert cfg.access.staff_chat == -100123


def test_wrong_types() -> None:
    data = minimal()
    data["storage"] = "sqlite"
    data["campaign"]["name"] = 5
    assert problems(data) == [
        "storage: must be a table",
        "campaign.name: must be text (in quotes)",
    ]


def test_storage_url() -> None:
    data = minimal()
    data["storage"] = {"url": "mysql://localhost/db"}
    assert problems(data) == [
        "storage.url: must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
    ]
    data["storage"] = {"url": "postgresql+asyncpg://bot:hunter2@db/bot"}
    cfg = config_from_dict(data, env=NO_ENV)
    assert cfg.storage.url.endswith("hunter2@db/bot")
    assert "hunter2" not in repr(cfg) and "hunter2" not in str(cfg)


def test_many_problems_one_line_each() -> None:
    data = minimal()
    del data["telegram"]["token"]
    data["campaign"]["timezone"] = "Mars/Base"
    data["limits"] = {"name_max_chars": 1}
    lines = problems(data)
    assert len(lines) == 3
    assert all(": " in line for line in lines)


# --- the token stays secret ---------------------------------------------------------


def test_token_never_shown(tmp_path: Path) -> None:
    cfg = config_from_dict(minimal(), env=NO_ENV)
    assert TOKEN not in repr(cfg) and TOKEN not in str(cfg)
    assert TOKEN not in repr(cfg.telegram) and TOKEN not in str(cfg.telegram)
    assert TOKEN not in cfg.model_dump_json()

    broken = minimal()
    broken["telegram"]["token"] = f"{TOKEN} trailing words"
    broken["telegram"]["base_url"] = f"https://api.telegram.org/bot{TOKEN}"
    broken["telegram"]["tokn"] = TOKEN
    broken["campaign"]["phases"][0]["end"] = date(2000, 1, 1)
    for env in (NO_ENV, {"BOT_TOKEN": TOKEN}):
        problems(broken, env=env)  # asserts the token is absent

    text = example_text().replace("\n[storage]\n", f'\n[storage]\nbogus = "{TOKEN}"\n', 1)
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env={"BOT_TOKEN": TOKEN})
    assert str(info.value) == "storage.bogus: unknown key"
    assert info.value.__cause__ is None and info.value.__suppress_context__

    with pytest.raises(pydantic.ValidationError) as direct:
        Config.model_validate({**minimal(), "telegram": {"token": TOKEN, "x": TOKEN}})
    assert TOKEN not in str(direct.value)


def test_the_district_hears_of_an_overdue_item_before_the_bureau() -> None:
    late = {**minimal(), "reminders": {"escalate_after_working_days": 3}}
    found = problems(late)
    assert len(found) == 1 and found[0].startswith("reminders")
    assert "district_after_working_days must be less than" in found[0]
    skipped = {
        **minimal(),
        "reminders": {"escalate_after_working_days": 3, "escalate_to_district": False},
    }
    config = config_from_dict(skipped, env=NO_ENV)
    assert config.reminders.policy(UTC_ZONE).district_after_working_days is None
    policy = config_from_dict(minimal(), env=NO_ENV).reminders.policy(UTC_ZONE)
    assert (policy.district_after_working_days, policy.escalate_after_working_days) == (3, 5)
