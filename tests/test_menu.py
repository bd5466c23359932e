"""The phone menu's settings file."""

import tomllib

import pytest

import config
from helpline import menu


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw.pop("keys"), "keys"),
        (lambda raw: raw["keys"].update({"12": "x"}), "not a single phone key"),
        (lambda raw: raw.update(emergency_key="8"), "emergency key"),
        (lambda raw: raw["languages"]["en"].update(menu={"say": "a", "play": "b"}), "exactly one"),
        (lambda raw: raw["languages"]["en"].update(goodbye={"say": " "}), "empty"),
        (lambda raw: raw.update(default_language="de"), "default language"),
    ],
)
def test_menu_file_errors_are_named(change, message):
    raw = tomllib.loads((config.CONFIG_DIR / "menu.toml").read_text("utf-8"))
    change(raw)
    with pytest.raises(menu.MenuError, match=message):
        menu.parse(raw)


def test_the_app_refuses_a_menu_category_missing_from_the_taxonomy(migrated, tmp_path):
    from helpline import create_app

    broken = (config.CONFIG_DIR / "menu.toml").read_text("utf-8").replace('5 = "addiction_social_harms"', '5 = "astrology"')
    (tmp_path / "menu.toml").write_text(broken, "utf-8")

    class BrokenMenu(migrated):
        MENU_FILE = str(tmp_path / "menu.toml")

    with pytest.raises(menu.MenuError, match="astrology"):
        create_app(BrokenMenu)
