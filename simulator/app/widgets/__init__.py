"""Widgets shared by the screens: the chat log, meters, the timeline chart and the report view."""
