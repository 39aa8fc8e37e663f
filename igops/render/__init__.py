"""Renderers: what people and machines read (text for terminals, markdown for PRs, JSON)."""
