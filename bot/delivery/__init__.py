"""Outgoing delivery: the resilient session and typed delivery outcomes."""

from bot.delivery.outcome import DeliveryOutcome, Failed, Sent, Unreachable, deliver
from bot.delivery.session import ResilientSession

__all__ = ["DeliveryOutcome", "Failed", "ResilientSession", "Sent", "Unreachable", "deliver"]
