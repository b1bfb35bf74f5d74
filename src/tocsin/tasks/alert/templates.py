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
from tocsin.gotemplate import GoDuration, GoTime, StringMap, Struct, Template, kapacitor_funcs

NIL_GROUP = "nil"
# An id template whose only actions are these depends on the name and group alone, so its result is cached.
_PLAIN_ID_ACTION = re.compile(r"\{\{(?:-\s)?\s*\.(?:Name|TaskName|Group)\s*(?:\s-)?\}\}")
_ID_CACHE_MAX = 100_000


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What `.ServerInfo` shows."""

    hostname: str
    cluster_id: str = ""
    server_id: str = ""

    def struct(self) -> Struct:
        return Struct("kapacitor.serverInfo", Hostname=self.hostname, ClusterID=self.cluster_id,
                      ServerID=self.server_id)


@dataclass(frozen=True, slots=True)
class Rendered:
    """The message and details of one event."""

    message: str
    details: str


class AlertTemplates:
    """The three parsed templates of one alert node; parsing raises TemplateError (Go's text, with the name)."""

    def __init__(self, id_text: str, message_text: str, details_text: str, task_name: str,
                 server: ServerInfo) -> None:
        self._id = Template.parse("id", id_text)
        self._message = Template.parse("message", message_text)
        self._details = Template.parse("details", details_text, funcs=kapacitor_funcs(), html=True)
        self._task_name = task_name
        self._server = server.struct()
        # (name, group) -> id, when the id template reads neither the tags nor anything else per item
        self._ids: dict[tuple[str, str], str] | None = None
        if "{{" not in _PLAIN_ID_ACTION.sub("", id_text):
            self._ids = {}

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

    def render(self, alert_id: str, name: str, group: str, tags: Mapping[str, str], fields: Mapping[str, Any],
               level: Level, time: int, duration: int) -> Rendered:
        """The message, then the details (which see the message); raises TemplateError."""
        info = {
            **self._id_fields(name, group, tags),
            "ID": alert_id,
            "Fields": dict(fields),
            "Level": level.name,
            "Time": GoTime(time),
            "Duration": GoDuration(duration),
        }
        message = self._message.execute(Struct("kapacitor.messageInfo", info))
        details = self._details.execute(Struct("kapacitor.detailsInfo", {**info, "Message": message}))
        return Rendered(message, details)
