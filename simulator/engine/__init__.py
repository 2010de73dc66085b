"""The conversation engine: parent state, intent choice and the turn loop."""
