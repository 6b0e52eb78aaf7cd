"""Activity 5: projects linked to the catalogue, contracts and their progress reports."""
