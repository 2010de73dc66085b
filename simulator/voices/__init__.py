"""Voices turn the engine's chosen intent into the parent's words."""
