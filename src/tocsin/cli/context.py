"""What every verb runs with: the global flags, the output streams and a lazily built API client."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from tocsin.cli.client import ApiClient
from tocsin.cli.errors import UsageError
from tocsin.cli.flags import FlagSet, ParsedArgs, parse_go_bool

DEFAULT_URL = "http://localhost:9092"
URL_ENV = ("TOCSIN_URL", "KAPACITOR_URL")
SKIP_VERIFY_ENV = ("TOCSIN_UNSAFE_SSL", "KAPACITOR_UNSAFE_SSL")
# A bearer token (JWT signed with [http] shared-secret) for servers with auth on.
TOKEN_ENV = ("TOCSIN_TOKEN",)
INVALID_ENV_BOOL = '{name}: strconv.ParseBool: parsing "{value}": invalid syntax'


def global_flags() -> FlagSet:
    """The flags accepted before any verb (and, for convenience, among a verb's arguments)."""
    flags = FlagSet()
    flags.add(
        "url",
        "",
        "The URL http(s)://host:port of the Tocsin server. Defaults to the TOCSIN_URL environment "
        f"variable, then KAPACITOR_URL, then {DEFAULT_URL}.",
    )
    flags.add(
        "skipVerify",
        False,
        "Disable TLS certificate verification (insecure). Defaults to the TOCSIN_UNSAFE_SSL or "
        "KAPACITOR_UNSAFE_SSL environment variable.",
    )
    flags.add("json", False, "Print machine-readable JSON instead of text.")
    return flags


def _first_env(env: Mapping[str, str], names: Sequence[str]) -> tuple[str, str]:
    for name in names:
        value = env.get(name, "")
        if value:
            return name, value
    return "", ""


@dataclass
class Context:
    """Settings and streams for one CLI run."""

    out: TextIO
    err: TextIO
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    url: str = ""
    skip_verify: bool | None = None
    json_output: bool = False
    _client: ApiClient | None = None

    def apply(self, parsed: ParsedArgs) -> None:
        """Take the global flags given explicitly in `parsed`."""
        if "url" in parsed.given:
            self.url = parsed.string("url")
        if "skipVerify" in parsed.given:
            self.skip_verify = parsed.boolean("skipVerify")
        if "json" in parsed.given:
            self.json_output = parsed.boolean("json")

    def parse(self, flags: FlagSet, args: Sequence[str]) -> ParsedArgs:
        """Parse a verb's arguments, accepting the global flags among them too."""
        flags.extend(global_flags())
        parsed = flags.parse(args, interspersed=True)
        self.apply(parsed)
        return parsed

    def resolved_url(self) -> str:
        """The server URL: `-url`, else TOCSIN_URL, else KAPACITOR_URL, else the default."""
        if self.url:
            return self.url
        return _first_env(self.env, URL_ENV)[1] or DEFAULT_URL

    def resolved_skip_verify(self) -> bool:
        """`-skipVerify`, else the first of TOCSIN_UNSAFE_SSL / KAPACITOR_UNSAFE_SSL that is set."""
        if self.skip_verify is not None:
            return self.skip_verify
        name, value = _first_env(self.env, SKIP_VERIFY_ENV)
        if not value:
            return False
        result = parse_go_bool(value)
        if result is None:
            raise UsageError(INVALID_ENV_BOOL.format(name=name, value=value))
        return result

    @property
    def client(self) -> ApiClient:
        """The API client, built on first use so local verbs never need a valid URL."""
        if self._client is None:
            token = _first_env(self.env, TOKEN_ENV)[1]
            self._client = ApiClient(self.resolved_url(), skip_verify=self.resolved_skip_verify(), token=token)
        return self._client

    def write(self, text: str = "") -> None:
        """Write one line to stdout."""
        self.out.write(text + "\n")
