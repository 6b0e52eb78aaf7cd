"""Activity 8: the risk map by the DAFP guide."""
