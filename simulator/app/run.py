"""Entry point for `oudergesprek` without arguments: open the app.

Kept tiny: importing this module must not pull in the engine, the feedback
package or a model runtime, so the first screen appears well within a second.
"""

from __future__ import annotations


def run_app() -> None:
    """Run the Textual app until the trainee quits (NO_COLOR is honoured by Textual itself)."""
    from simulator.app.app import OudergesprekApp

    OudergesprekApp().run()
