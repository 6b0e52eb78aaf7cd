"""Activity 9: milestones, the planned-vs-executed curve, late alerts and the supervision report."""
