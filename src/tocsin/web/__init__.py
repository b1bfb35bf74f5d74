"""The web page served at `/`: static HTML, CSS and JavaScript modules (package data, no build step)."""
