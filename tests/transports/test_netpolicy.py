"""AddressPolicy: which resolved addresses a delivery may connect to."""

from __future__ import annotations

import socket

import pytest

from tocsin.config.networks import parse_networks
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.transports.netpolicy import AddressPolicy

V4, V6 = socket.AF_INET, socket.AF_INET6


def stub(*answers: tuple[int, str]) -> AddressPolicy:
    async def resolve(host: str, port: int) -> list[tuple[int, str]]:
        return list(answers)

    return AddressPolicy(resolve=resolve)


@pytest.mark.parametrize(
    ("address", "denied"),
    [
        ("169.254.169.254", True),
        ("::ffff:169.254.169.254", True),
        ("fe80::1", True),
        ("fe80::1%eth0", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("169.255.0.1", False),
    ],
)
def test_default_denies_link_local_only(address: str, denied: bool) -> None:
    assert (AddressPolicy().problem(address, "h") is not None) is denied


def test_allow_networks_admit_only_the_listed() -> None:
    policy = AddressPolicy(parse_networks(["169.254.0.0/16"]), parse_networks(["10.0.0.0/8", "::1"]))
    assert [policy.problem(a, "h") for a in ("10.9.9.9", "::1")] == [None, None]
    assert policy.problem("127.0.0.1", "h") == (
        "connection to 127.0.0.1 (h) refused by [delivery] allow-networks (not listed)"
    )


async def test_denied_addresses_are_dropped_and_all_denied_is_a_policy_error() -> None:
    assert await stub((V4, "169.254.169.254"), (V6, "::1")).addresses("h", 80) == [(V6, "::1")]
    with pytest.raises(DeliveryError) as err:
        await stub((V4, "169.254.169.254")).addresses("meta", 80)
    assert (err.value.reason, err.value.retryable, str(err.value)) == (
        Reason.POLICY,
        False,
        "connection to 169.254.169.254 (meta) refused by [delivery] deny-networks (169.254.0.0/16)",
    )


async def test_check_refuses_any_denied_address_and_leaves_lookup_failures_to_the_library() -> None:
    with pytest.raises(DeliveryError):
        await stub((V6, "::1"), (V4, "169.254.1.1")).check("h", 25)

    async def fails(host: str, port: int) -> list[tuple[int, str]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    await AddressPolicy(resolve=fails).check("nowhere.invalid", 25)


@pytest.mark.parametrize("text", ["metadata", "10.0.0.0/33", ""])
def test_bad_networks_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=f'invalid network "{text}"'):
        parse_networks([text])
