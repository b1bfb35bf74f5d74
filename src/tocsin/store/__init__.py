"""Persistence behind one interface: handler specs, config overrides, topic state, the outbox and its log."""

from tocsin.store.base import (
    DeliveryFilter,
    DeliveryRow,
    DeliveryStatus,
    NewDelivery,
    Store,
    TopicStateChange,
)

__all__ = ["DeliveryFilter", "DeliveryRow", "DeliveryStatus", "NewDelivery", "Store", "TopicStateChange"]
