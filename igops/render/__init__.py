"""Renderers: what people and machines read (text for terminals, markdown for PRs, JSON).

Every `--format` is declared in `igops.render.formats`; markdown is kept within GitHub's limit by
`igops.render.markdown`; the JSON documents are built in `igops.documents`.
"""
