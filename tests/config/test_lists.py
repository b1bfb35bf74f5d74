"""What list-section elements share: Kapacitor's default/global rules and the TLS client fields."""

from __future__ import annotations

import pytest

from tocsin.config.lists import (
    CA_HELP,
    GLOBAL_NOT_DEFAULT,
    STATE_CHANGES_NOT_GLOBAL,
    default_global_problem,
    tls_fields,
)
from tocsin.config.schema import FieldType


@pytest.mark.parametrize(
    ("default", "global_", "state_changes_only", "problem"),
    [
        (False, False, False, None),
        (True, True, True, None),
        (False, True, False, "only the default config may be assigned as global"),
        (True, False, True, "stateChangesOnly may only be assigned when the config is both default and global"),
        (False, True, True, "only the default config may be assigned as global"),
    ],
    ids=["plain", "default-global-state-changes", "global-not-default", "state-changes-not-global", "both-wrong"],
)
def test_default_global_problem(default: bool, global_: bool, state_changes_only: bool, problem: str | None) -> None:
    values = {"default": default, "global": global_, "state-changes-only": state_changes_only}
    assert default_global_problem(values) == problem
    assert problem in (None, GLOBAL_NOT_DEFAULT, STATE_CHANGES_NOT_GLOBAL)


def test_tls_fields() -> None:
    fields = tls_fields("CA of ssl:// URLs.")
    assert [(f.name, f.type, f.help) for f in fields] == [
        ("ssl-ca", FieldType.STRING, "CA of ssl:// URLs."),
        ("ssl-cert", FieldType.STRING, "Path to a client certificate file."),
        ("ssl-key", FieldType.STRING, "Path to the client certificate's key file."),
        ("insecure-skip-verify", FieldType.BOOL, "Use TLS but skip chain and host verification."),
    ]
    assert tls_fields()[0].help == CA_HELP == "Path to a CA file."
