"""Errors of the tasks and templates API, with Kapacitor's texts and the status code each answers with."""

from __future__ import annotations

from tocsin.errors import TocsinError

INVALID_JSON = "invalid JSON"
TASK_ID_INVALID = "task ID must contain only letters, numbers, '-', '.' and '_'. {id}"
TEMPLATE_ID_INVALID = "template ID must contain only letters, numbers, '-', '.' and '_'. {id}"
TASK_EXISTS = "task {id} already exists"
TEMPLATE_EXISTS = "template {id} already exists"
UNKNOWN_TEMPLATE = "unknown template {id}: err: {err}"
NO_TASK = "no task exists"
NO_TEMPLATE = "no template exists"
TASK_ALREADY_EXISTS = "task already exists"
TEMPLATE_ALREADY_EXISTS = "template already exists"
MUST_PROVIDE_SCRIPT = "must provide TICKscript"
INVALID_SCRIPT = "invalid TICKscript: {err}"
INVALID_TYPE = "invalid task type: invalid"
MUST_SPECIFY_DBRP = "must specify dbrp"
DBRP_BOTH_CREATE = "cannot specify dbrp in both implicitly and explicitly"
DBRP_BOTH_UPDATE = "cannot specify dbrp in implicitly and explicitly"  # sic: Kapacitor's PATCH text lacks "both"
TASK_CANNOT_UPDATE = "task does not exist, cannot update"
TEMPLATE_CANNOT_UPDATE = "template does not exist, cannot update"
RENAME_TASK_FAILED = "failed to create new task during ID change: {err}"
RENAME_TEMPLATE_FAILED = "failed to create new template for ID change: {err}"
RELOAD_FAILED = "error reloading associated task {id}: {err}"
BAD_SCRIPT_FORMAT = "invalid script-format parameter {value}"
BAD_DOT_VIEW = "invalid dot-view parameter {value}"
NO_REPLAY = "no running replay with ID: {id}"
BAD_OFFSET = "invalid offset parameter {value} must be an integer: {err}"
BAD_LIMIT = "invalid limit parameter {value} must be an integer: {err}"
UNSUPPORTED_FIELD = "unsupported field {value}"


class TaskApiError(TocsinError):
    """A tasks/templates API failure: `status` is the HTTP status Kapacitor answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
