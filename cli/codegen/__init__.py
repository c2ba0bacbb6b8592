"""Typed Python clients generated from a live schema (`learnkit gen types`).

introspect reads pg_catalog into plain dataclasses, naming maps them to Python
names and types, render turns them into one deterministic module.
"""
