"""The `[[kafka]]` config section, keyed by `id`, and the cluster settings a message carries to the transport.

Unlike Kapacitor, which shows them in GET /kapacitor/v1/config, the SASL password, OAuth client secret and
access token are secrets here (redacted by the config API and in error messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.config.lists import tls_fields
from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.duration import SECOND

# Kapacitor's texts (services/kafka/config.go, sasl.go).
MISSING_ID = "id must not be empty"
MISSING_BROKERS = "no brokers specified, must provide at least one broker URL"
INVALID_MECHANISM = "invalid sasl-mechanism"
TOKEN_WITH_SERVICE = "cannot set 'sasl-access-token' with 'sasl-oauth-service' and 'sasl-oauth-token-url'"
CLIENT_REQUIRED = "'sasl-oauth-client-id' and 'sasl-oauth-client-secret' are required"
TOKEN_URL_CUSTOM = "'sasl-oauth-token-url' required for custom service"
TOKEN_URL_AUTH0 = "'sasl-oauth-token-url' required for Auth0"
AUDIENCE_AUTH0 = "'audience' parameter is required for Auth0"
TENANT_AZURE = "'sasl-oauth-tenant-id' required for AzureAD"
TOKEN_URL_AZURE = "'sasl-oauth-token-url' cannot be set for service "
SERVICE_UNSUPPORTED = "service {} not supported"
MECHANISMS = ("", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI", "OAUTHBEARER")
DEFAULT_BATCH_SIZE = 100
DEFAULT_EXPIRY_MARGIN = 10 * SECOND


@dataclass(frozen=True, slots=True)
class KafkaSasl:
    """SASL authentication of a cluster (maps as sorted pairs, so that the settings stay hashable)."""

    mechanism: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    version: int = 0
    extensions: tuple[tuple[str, str], ...] = ()
    access_token: str = field(default="", repr=False)
    oauth_service: str = ""
    oauth_client_id: str = ""
    oauth_client_secret: str = field(default="", repr=False)
    oauth_token_url: str = ""
    oauth_scopes: tuple[str, ...] = ()
    oauth_params: tuple[tuple[str, str], ...] = ()
    oauth_expiry_margin: int = DEFAULT_EXPIRY_MARGIN  # nanoseconds
    oauth_tenant_id: str = ""

    @property
    def enabled(self) -> bool:
        """Kapacitor turns SASL on when a username or a mechanism is set."""
        return bool(self.username or self.mechanism)


@dataclass(frozen=True, slots=True)
class KafkaCluster:
    """How to reach one cluster and batch its messages: what a `[[kafka]]` element says.

    Durations are nanoseconds; `timeout` 0 leaves the client's defaults. Equal settings share one producer.
    """

    id: str
    brokers: tuple[str, ...]
    timeout: int = 0
    batch_size: int = DEFAULT_BATCH_SIZE
    batch_timeout: int = 0
    use_ssl: bool = False
    ssl_ca: str = ""
    ssl_cert: str = ""
    ssl_key: str = ""
    insecure_skip_verify: bool = False
    sasl: KafkaSasl = KafkaSasl()


def cluster_settings(element: Mapping[str, Any]) -> KafkaCluster:
    """The settings of one `[[kafka]]` element; a batch size of 0 or less means Kapacitor's 100."""
    sasl = KafkaSasl(
        mechanism=element["sasl-mechanism"],
        username=element["sasl-username"],
        password=element["sasl-password"],
        version=element["sasl-version"],
        extensions=tuple(sorted(element["sasl_extensions"].items())),
        access_token=element["sasl-access-token"],
        oauth_service=element["sasl-oauth-service"],
        oauth_client_id=element["sasl-oauth-client-id"],
        oauth_client_secret=element["sasl-oauth-client-secret"],
        oauth_token_url=element["sasl-oauth-token-url"],
        oauth_scopes=tuple(element["sasl-oauth-scopes"]),
        oauth_params=tuple(sorted(element["sasl-oauth-parameters"].items())),
        oauth_expiry_margin=element["sasl-oauth-token-expiry-margin"],
        oauth_tenant_id=element["sasl-oauth-tenant-id"],
    )
    return KafkaCluster(
        id=element["id"],
        brokers=tuple(element["brokers"]),
        timeout=element["timeout"],
        batch_size=element["batch-size"] if element["batch-size"] > 0 else DEFAULT_BATCH_SIZE,
        batch_timeout=element["batch-timeout"],
        use_ssl=element["use-ssl"],
        ssl_ca=element["ssl-ca"],
        ssl_cert=element["ssl-cert"],
        ssl_key=element["ssl-key"],
        insecure_skip_verify=element["insecure-skip-verify"],
        sasl=sasl,
    )


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks of an enabled cluster, then of its SASL settings."""
    if not values["enabled"]:
        return None
    if not values["id"]:
        return MISSING_ID
    if not values["brokers"]:
        return MISSING_BROKERS
    return validate_sasl(values)


def validate_sasl(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's SASLAuth.Validate."""
    mechanism = values["sasl-mechanism"]
    if mechanism not in MECHANISMS:
        return INVALID_MECHANISM
    if mechanism != "OAUTHBEARER":
        return None
    service, token_url = values["sasl-oauth-service"], values["sasl-oauth-token-url"]
    if values["sasl-access-token"] and (service or token_url):
        return TOKEN_WITH_SERVICE
    if not values["sasl-oauth-client-id"] or not values["sasl-oauth-client-secret"]:
        return CLIENT_REQUIRED
    kind = service.lower()
    if kind in ("", "custom"):
        return None if token_url else TOKEN_URL_CUSTOM
    if kind == "auth0":
        if not token_url:
            return TOKEN_URL_AUTH0
        return None if values["sasl-oauth-parameters"].get("audience") else AUDIENCE_AUTH0
    if kind == "azuread":
        if not values["sasl-oauth-tenant-id"]:
            return TENANT_AZURE
        return TOKEN_URL_AZURE + service if token_url else None
    return SERVICE_UNSUPPORTED.format(service)


STR = FieldType.STRING
BOOL = FieldType.BOOL
INT = FieldType.INT
DURATION = FieldType.DURATION
LIST = FieldType.STRING_LIST
MAP = FieldType.STRING_MAP

SECTION = Section(
    name="kafka",
    help="Kafka clusters. Repeat [[kafka]] for several; handlers name one with `cluster`.",
    element_key="id",
    default_elements=({"id": "default"},),
    validate=validate,
    fields=(
        Field("enabled", BOOL, help="Enable writing alerts to this cluster."),
        Field("id", STR, help="Name of this cluster configuration (handlers' `cluster`); also the Kafka client ID."),
        Field("brokers", LIST, help="Bootstrap brokers as host:port.", example=["localhost:9092"]),
        Field("timeout", DURATION, help="Dial, read and write timeout with the brokers; 0 uses 30s."),
        Field("batch-size", INT, help="Most messages sent to a partition in one request; 0 uses 100."),
        Field(
            "batch-timeout",
            DURATION,
            help="How long a message may wait for others to share its request; 0 sends at once.",
        ),
        Field("use-ssl", BOOL, help="Talk TLS to the brokers (the ssl-* options apply only then)."),
        *tls_fields(),
        Field("sasl-username", STR, help="SASL username; setting it turns SASL on."),
        Field("sasl-password", STR, secret=True, help="SASL password."),
        Field("sasl_extensions", MAP, help="SASL extensions sent with an OAUTHBEARER token."),
        Field(
            "sasl-mechanism",
            STR,
            help="SASL mechanism: PLAIN (when empty), SCRAM-SHA-256, SCRAM-SHA-512, "
            "OAUTHBEARER or GSSAPI (not supported by Tocsin).",
        ),
        Field("sasl-version", INT, help="SASL handshake version, 0 or 1 (the client negotiates it)."),
        Field(
            "sasl-gssapi-service-name",
            STR,
            help="GSSAPI (Kerberos) service name; GSSAPI is not supported.",
            ignored="only SASL GSSAPI reads it, and Tocsin refuses GSSAPI (sasl-mechanism)",
        ),
        Field(
            "sasl-gssapi-auth-type",
            STR,
            help="GSSAPI auth type: KRB5_USER_AUTH or KRB5_KEYTAB_AUTH.",
            ignored="only SASL GSSAPI reads it, and Tocsin refuses GSSAPI (sasl-mechanism)",
        ),
        Field(
            "sasl-gssapi-disable-pafxfast",
            BOOL,
            help="GSSAPI: disable PA-FX-FAST.",
            ignored="only SASL GSSAPI reads it, and Tocsin refuses GSSAPI (sasl-mechanism)",
        ),
        Field(
            "sasl-gssapi-kerberos-config-path",
            STR,
            help="GSSAPI: path of krb5.conf.",
            ignored="only SASL GSSAPI reads it, and Tocsin refuses GSSAPI (sasl-mechanism)",
        ),
        Field(
            "sasl-gssapi-key-tab-path",
            STR,
            help="GSSAPI: path of the keytab.",
            ignored="only SASL GSSAPI reads it, and Tocsin refuses GSSAPI (sasl-mechanism)",
        ),
        Field(
            "sasl-gssapi-realm",
            STR,
            help="GSSAPI: Kerberos realm.",
            ignored="only SASL GSSAPI reads it, and Tocsin refuses GSSAPI (sasl-mechanism)",
        ),
        Field("sasl-oauth-service", STR, help="OAUTHBEARER token service: empty or custom, auth0, azuread."),
        Field("sasl-oauth-client-id", STR, help="OAUTHBEARER client ID (client credentials grant)."),
        Field("sasl-oauth-client-secret", STR, secret=True, help="OAUTHBEARER client secret."),
        Field("sasl-oauth-token-url", STR, help="OAUTHBEARER token endpoint (custom and auth0 services)."),
        Field("sasl-oauth-scopes", LIST, help="OAUTHBEARER scopes requested with the token."),
        Field("sasl-oauth-parameters", MAP, help="Extra form parameters of the token request (auth0: audience)."),
        Field(
            "sasl-oauth-token-expiry-margin",
            DURATION,
            DEFAULT_EXPIRY_MARGIN,
            help="Fetch a new token this long before the current one expires.",
        ),
        Field("sasl-access-token", STR, secret=True, help="A static OAUTHBEARER token used instead of fetching one."),
        Field("sasl-oauth-tenant-id", STR, help="AzureAD tenant ID (azuread service)."),
    ),
)
