"""Activities 6–7: indicators, measurements per period and their report."""
