"""The Asterisk configuration handed to operators (config/asterisk/): the dialplans send callers
to the service's Stasis application and, when it is not connected, to a fallback queue that
exists; ARI and its HTTP server are on, on loopback, with a user to change; and nothing there
writes a caller's number to Asterisk's log."""

import re

import pytest

import config

ASTERISK = config.ROOT / "config" / "asterisk"
APP = "helpline"  # ASTERISK_APP's default (INTERFACE.md)
DIALPLANS = ("extensions.conf", "extensions_custom.conf")


def sections(name: str) -> dict[str, list[str]]:
    """Asterisk's .conf: [section] headers, then lines (comments and blank lines left out)."""
    found: dict[str, list[str]] = {}
    current = None
    for raw in (ASTERISK / name).read_text("utf-8").splitlines():
        line = raw.split(";", 1)[0].strip()
        header = re.fullmatch(r"\[([^\]]+)\]", line)
        if header:
            current = found.setdefault(header.group(1), [])
        elif line:
            assert current is not None, f"{name}: {line!r} outside a section"
            current.append(line)
    return found


def settings(name: str, section: str) -> dict[str, str]:
    return dict(re.split(r"\s*=>?\s*", line, maxsplit=1) for line in sections(name)[section] if "=" in line)


@pytest.mark.parametrize("dialplan", DIALPLANS)
def test_callers_go_to_the_application_and_else_to_the_fallback_queue(dialplan):
    contexts = sections(dialplan)
    entry = next(lines for lines in contexts.values() if any("Stasis(" in line for line in lines))
    stasis = next(line for line in entry if "Stasis(" in line)
    assert re.search(rf"Stasis\({APP},inbound,\$\{{\w+\}}\)", stasis)
    fallback = next(line for line in entry[entry.index(stasis):] if "STASISSTATUS" in line)
    context = re.search(r'"FAILED"\]\?([\w-]+),s,1\)', fallback).group(1)
    queue = next(re.search(r"Queue\(([\w-]+)", line).group(1) for line in contexts[context] if "Queue(" in line)
    queues = sections("queues.conf")
    assert queue in queues and any(line.startswith("member => PJSIP/") for line in queues[queue])


@pytest.mark.parametrize("dialplan", DIALPLANS)
def test_no_callers_number_is_written_to_the_log(dialplan):
    text = (ASTERISK / dialplan).read_text("utf-8")
    assert "CALLERID(num)" not in text and "CALLERID(all)" not in text


def test_ari_and_its_http_server_are_on_for_a_user_to_set_up():
    assert settings("ari.conf", "general")["enabled"] == "yes"
    user = settings("ari.conf", "helpline")
    assert user["type"] == "user" and user["read_only"] == "no" and user["password"].startswith("CHANGE-ME")
    http = settings("http.conf", "general")
    assert (http["enabled"], http["bindaddr"], http["bindport"]) == ("yes", "127.0.0.1", "8088")
