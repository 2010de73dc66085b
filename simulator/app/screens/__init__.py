"""The app's screens, in the order a trainee meets them: start, dossier, gesprek, terugblik, transcripten."""
