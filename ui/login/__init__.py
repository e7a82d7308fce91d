"""Operators: log-in, the idle lock, switching operator and changing the password."""
