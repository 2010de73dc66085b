"""Package data: scenarios as YAML files, loaded with importlib.resources."""
