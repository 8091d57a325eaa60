"""Accounts: the user model with its course role, sign-in, and the permission helpers."""
