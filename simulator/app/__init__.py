"""The Textual app: prepare, practise, reflect and review. Start it with `simulator.app.run.run_app()`."""
