"""The alert node's id, message and details templates and the data Kapacitor gives each.

The id gets idInfo {Name, TaskName, Group, Tags, ServerInfo}; the message gets messageInfo (idInfo's
fields, then ID, Fields, Level, Time, Duration); the details get detailsInfo (messageInfo's, then
Message). Go flattens the embedded structs, so `{{ json . }}` lists the keys in that order. Group is
"nil" when the item is not grouped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tocsin.alert.levels import Level
from tocsin.gocompat import json as gojson
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.gotemplate import GoDuration, GoTime, StringMap, Struct, Template, kapacitor_funcs
from tocsin.tasks.alert.settings import DEFAULT_DETAILS, DEFAULT_MESSAGE

NIL_GROUP = "nil"
# An id template whose only actions are these depends on the name and group alone, so its result is cached.
_PLAIN_ID_ACTION = re.compile(r"\{\{(?:-\s)?\s*\.(?:Name|TaskName|Group)\s*(?:\s-)?\}\}")
_ID_CACHE_MAX = 100_000
# Field values `{{ json . }}` writes as they are (a non-finite float is an error: the template reports it).
_JSON_SCALARS = (str, int, bool)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What `.ServerInfo` shows."""

    hostname: str
    cluster_id: str = ""
    server_id: str = ""

    def struct(self) -> Struct:
        return Struct(
            "kapacitor.serverInfo", Hostname=self.hostname, ClusterID=self.cluster_id, ServerID=self.server_id
        )


@dataclass(frozen=True, slots=True)
class Rendered:
    """The message and details of one event."""

    message: str
    details: str


class AlertTemplates:
    """The three parsed templates of one alert node; parsing raises TemplateError (Go's text, with the name)."""

    def __init__(self, id_text: str, message_text: str, details_text: str, task_name: str, server: ServerInfo) -> None:
        self._id = Template.parse("id", id_text)
        self._message = Template.parse("message", message_text)
        self._details = Template.parse("details", details_text, funcs=kapacitor_funcs(), html=True)
        self._task_name = task_name
        self._server = server.struct()
        # (name, group) -> id, when the id template reads neither the tags nor anything else per item
        self._ids: dict[tuple[str, str], str] | None = None
        if "{{" not in _PLAIN_ID_ACTION.sub("", id_text):
            self._ids = {}
        # the default message and details are written directly (the same text, without running the templates)
        self._default_message = message_text == DEFAULT_MESSAGE
        self._default_details = details_text == DEFAULT_DETAILS
        self._server_json = self._server.to_json()

    def _id_fields(self, name: str, group: str, tags: Mapping[str, str]) -> dict[str, Any]:
        return {
            "Name": name,
            "TaskName": self._task_name,
            "Group": group or NIL_GROUP,
            "Tags": StringMap(tags),
            "ServerInfo": self._server,
        }

    def render_id(self, name: str, group: str, tags: Mapping[str, str]) -> str:
        """The alert ID of an item; raises TemplateError."""
        ids = self._ids
        if ids is None:
            return self._id.execute(Struct("kapacitor.idInfo", self._id_fields(name, group, tags)))
        key = (name, group)
        found = ids.get(key)
        if found is None:
            found = self._id.execute(Struct("kapacitor.idInfo", self._id_fields(name, group, tags)))
            if len(ids) >= _ID_CACHE_MAX:
                ids.clear()
            ids[key] = found
        return found

    def render(
        self,
        alert_id: str,
        name: str,
        group: str,
        tags: Mapping[str, str],
        fields: Mapping[str, Any],
        level: Level,
        time: int,
        duration: int,
    ) -> Rendered:
        """The message, then the details (which see the message); raises TemplateError."""
        message = f"{alert_id} is {level.name}" if self._default_message else None
        if message is not None and self._default_details:
            details = self._json_details(alert_id, name, group, tags, fields, level, time, duration, message)
            if details is not None:
                return Rendered(message, details)
        info = {
            **self._id_fields(name, group, tags),
            "ID": alert_id,
            "Fields": dict(fields),
            "Level": level.name,
            "Time": GoTime(time),
            "Duration": GoDuration(duration),
        }
        if message is None:
            message = self._message.execute(Struct("kapacitor.messageInfo", info))
        details = self._details.execute(Struct("kapacitor.detailsInfo", {**info, "Message": message}))
        return Rendered(message, details)

    def _json_details(
        self,
        alert_id: str,
        name: str,
        group: str,
        tags: Mapping[str, str],
        fields: Mapping[str, Any],
        level: Level,
        time: int,
        duration: int,
        message: str,
    ) -> str | None:
        """What `{{ json . }}` writes in an html/template, built directly; None when a value needs the template
        (not a plain string, number or bool, or a float JSON cannot hold)."""
        for value in fields.values():
            kind = type(value)
            if kind is float:
                if value != value or value in (_INF, -_INF):
                    return None
            elif kind not in _JSON_SCALARS:
                return None
        if not all(type(value) is str for value in tags.values()):
            return None
        data = {
            "Name": name,
            "TaskName": self._task_name,
            "Group": group or NIL_GROUP,
            "Tags": {str(key): tags[key] for key in sorted(tags, key=str)},
            "ServerInfo": self._server_json,
            "ID": alert_id,
            "Fields": {str(key): fields[key] for key in sorted(fields, key=str)},
            "Level": level.name,
            "Time": format_rfc3339nano(time),
            "Duration": int(duration),
            "Message": message,
        }
        return _html_text(gojson.dumps(data) + "\n")


_INF = float("inf")


def _html_text(text: str) -> str:
    """html/template's text-context escaping (`html_text_escape` of a string), done by str.replace: much faster
    than a translate table, and the same since `&` goes first and no replacement holds another's target."""
    return (
        text.replace("&", "&amp;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
        .replace("+", "&#43;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\0", "\ufffd")
    )
