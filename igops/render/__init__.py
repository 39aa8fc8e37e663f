"""Renderers: what people and machines read (text for terminals, markdown for PRs, JSON).

Plan formats are registered in `igops.render.formats`.
"""
