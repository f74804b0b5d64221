"""Turning raw events into the numbers marketers read."""
