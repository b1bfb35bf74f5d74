"""Durable delivery: the outbox, the shared retrier and the workers that call transports."""
