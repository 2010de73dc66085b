"""Rule-based feedback: recognise the teacher's conversation acts and score a session.

This package is pure Python on purpose: it must never import textual, torch or
transformers, so that scoring stays fast and runs anywhere.
"""
