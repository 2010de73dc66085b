"""Package data: personas as YAML files, loaded with importlib.resources."""
