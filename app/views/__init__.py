"""Presentation helpers shared by several blueprints (maps, labels)."""
