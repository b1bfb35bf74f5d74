"""Kapacitor's Kafka partitioners: which partition a message key goes to, hash for hash as Kapacitor computes it.

`crc32` and `murmur2` are Kapacitor's own (compatible with its older kafka-go writer); `murmur3` and `fnv-1a`
are sarama's hash partitioner over those hashes. A key that a partitioner cannot place (crc32: empty) gets a
random partition, chosen by the caller.
"""

from __future__ import annotations

import random
import zlib

NON_POSITIVE = "number of partitions must be positive"
ALGORITHMS = ("crc32", "murmur2", "murmur3", "fnv-1a")
_MASK32 = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """Kafka's Java murmur2 (seed 0x9747b28c) as an unsigned 32-bit value."""
    m, r = 0x5BD1E995, 24
    length = len(data)
    h = (0x9747B28C ^ length) & _MASK32
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & _MASK32
        k ^= k >> r
        k = (k * m) & _MASK32
        h = ((h * m) & _MASK32) ^ k
    extra = length % 4
    if extra >= 3:
        h ^= data[whole + 2] << 16
    if extra >= 2:
        h ^= data[whole + 1] << 8
    if extra >= 1:
        h ^= data[whole]
        h = (h * m) & _MASK32
    h ^= h >> 13
    h = (h * m) & _MASK32
    h ^= h >> 15
    return h


def murmur3(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit (spaolacci/murmur3 New32: seed 0)."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & _MASK32
    whole = len(data) - len(data) % 4
    for i in range(0, whole, 4):
        k = (int.from_bytes(data[i : i + 4], "little") * c1) & _MASK32
        k = ((k << 15) | (k >> 17)) & _MASK32
        h ^= (k * c2) & _MASK32
        h = ((h << 13) | (h >> 19)) & _MASK32
        h = (h * 5 + 0xE6546B64) & _MASK32
    tail = data[whole:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & _MASK32
        k = ((k << 15) | (k >> 17)) & _MASK32
        h ^= (k * c2) & _MASK32
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK32
    h ^= h >> 16
    return h


def fnv1a(data: bytes) -> int:
    """32-bit FNV-1a (Go's hash/fnv New32a)."""
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & _MASK32
    return h


def _signed(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value


def _sarama_hash(value: int, partitions: int) -> int:
    # sarama: int32(hash) % n, then the absolute value; Go's % keeps the dividend's sign.
    return abs(_signed(value)) % partitions


def partition_index(algorithm: str, key: bytes, partitions: int, rng: random.Random | None = None) -> int:
    """The index (into the topic's sorted partition IDs) that `algorithm` picks for `key`.

    Raises ValueError with Kapacitor's text when there are no partitions.
    """
    if partitions <= 0:
        raise ValueError(NON_POSITIVE)
    if algorithm == "crc32":
        if not key:
            return (rng or random).randrange(partitions)
        return (zlib.crc32(key) % partitions) & 0x7FFFFFFF
    if algorithm == "murmur2":
        return (murmur2(key) & 0x7FFFFFFF) % partitions
    if algorithm == "murmur3":
        return _sarama_hash(murmur3(key), partitions)
    if algorithm == "fnv-1a":
        return _sarama_hash(fnv1a(key), partitions)
    raise ValueError(f"unknown partition algorithm {algorithm!r}")
