"""Request paths under /kapacitor/v1/config, split as Kapacitor does (sectionAndElementFromPath)."""

from __future__ import annotations

from dataclasses import dataclass

BASE_PATH = "/kapacitor/v1/config"


@dataclass(frozen=True)
class ConfigPath:
    """`has_section`: the path goes past `/config/`; `has_element`: it names an element or ends with `/`.

    More than two parts (`/config/a/b/c`) leave both names empty, as in Kapacitor.
    """

    section: str
    element: str
    has_section: bool
    has_element: bool
    trailing_slash: bool


def parse_config_path(path: str) -> ConfigPath:
    """Split a request path such as `/kapacitor/v1/config/slack/ops` or `/kapacitor/v1/config/smtp/`."""
    prefix = BASE_PATH + "/"
    slash = path.endswith("/")
    if not path.startswith(prefix):
        return ConfigPath("", "", False, False, slash)
    parts = path[len(prefix) :].split("/")
    section, element = "", ""
    if len(parts) == 1:
        section = parts[0]
    elif len(parts) == 2:
        section, element = parts
    return ConfigPath(section, element, True, bool(element) or (bool(section) and slash), slash)
